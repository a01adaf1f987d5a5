"""Suggested links from each theme to the outcome it blocks, the system it comes from and
the journey step where it happens: drafts with a score, a rationale and evidence tickets.

Offline, two signals per candidate (an outcome, a system or a step of the mission file):

- **words**: how close the theme's tickets read to the candidate's name and description
  (cosine of the mean of the tickets' embeddings with the candidate's, using the shipped
  transformer, which reads customer phrasing and a team's prose alike);
- **tags**: the share of the theme's tickets carrying a tag or field value (a product area)
  that the mission file lists for the candidate.

The score is their sum; the best candidate of each kind is suggested. A person approves,
edits or rejects it in the review queue; a rejected link is never suggested again (the next
best is), a decided one is never overwritten.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, select

from ticketlens import review
from ticketlens.embedding import load_teacher, normalise
from ticketlens.errors import NotFound
from ticketlens.mission._file import Mission, System, find_mission_file, load_workspace_mission
from ticketlens.store import audit
from ticketlens.store.schema import (
    ACCEPTED_THEME_STATES,
    ReviewItem,
    Theme,
    ThemeAssignment,
    Ticket,
)
from ticketlens.themes.corpus import ticket_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ticketlens.workspace import Workspace

#: tickets read per theme (the most typical first): enough for its gist, bounded time
SAMPLE = 40
EVIDENCE = 5


@dataclass(frozen=True)
class Candidate:
    kind: str  # outcome, system or step
    id: str
    name: str
    text: str
    tags: frozenset[str]

    @property
    def target(self) -> str:
        return review.link_target(self.kind, self.id)


@dataclass(frozen=True)
class ThemeTickets:
    theme_id: int
    ticket_ids: list[int]
    texts: list[str]
    tags: list[frozenset[str]]


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    words: float
    tag_share: float
    evidence: list[int]


def candidates(mission: Mission) -> list[Candidate]:
    out = [
        Candidate("outcome", o.id, o.name, f"{o.name}. {o.description}", frozenset(o.tags))
        for o in mission.outcomes
    ]
    out += [
        Candidate("system", s.id, s.name, f"{s.name}. {s.description}", frozenset(s.tags))
        for s in mission.systems
    ]
    out += [
        Candidate("step", j.id, j.name, f"{j.name}. {j.description}", frozenset(j.tags))
        for j in mission.journey
    ]
    return out


def ticket_tags(tags: Sequence[Any] | None, fields: dict[str, Any] | None) -> frozenset[str]:
    """A ticket's tags and the text values of its custom fields, lower-cased."""
    values = [str(t) for t in tags or []]
    values += [str(v) for v in (fields or {}).values() if isinstance(v, str | int)]
    return frozenset(v.strip().lower() for v in values if str(v).strip())


def score_theme(
    theme: ThemeTickets,
    ticket_vectors: np.ndarray,
    options: list[Candidate],
    option_vectors: np.ndarray,
    *,
    use_tags: bool = True,
) -> list[Scored]:
    """Every candidate's score for one theme, best first."""
    centre = normalise(ticket_vectors.mean(axis=0, keepdims=True))[0]
    words = option_vectors @ centre
    per_ticket = ticket_vectors @ option_vectors.T  # which tickets read most like each option
    scored = []
    for i, option in enumerate(options):
        carrying = [bool(option.tags & t) for t in theme.tags]
        share = sum(carrying) / len(carrying) if use_tags and carrying else 0.0
        # Evidence: its tickets that read most like the option, those with its tags first.
        tagged = np.array([use_tags and c for c in carrying], dtype=bool)
        order = np.lexsort((-per_ticket[:, i], ~tagged))
        evidence = [theme.ticket_ids[k] for k in order[:EVIDENCE].tolist()]
        scored.append(Scored(option, float(words[i]) + share, float(words[i]), share, evidence))
    return sorted(scored, key=lambda s: -s.score)


def rationale(best: Scored, theme: ThemeTickets) -> str:
    parts = []
    if best.tag_share > 0:
        common = Counter(t for tags in theme.tags for t in tags & best.candidate.tags)
        tag = common.most_common(1)[0][0]
        parts.append(f"{best.tag_share:.0%} of its tickets are tagged {tag!r}")
    parts.append(f"its tickets read like {best.candidate.name!r} (similarity {best.words:.2f})")
    return "; ".join(parts)


def load_theme_tickets(session: Session, theme: Theme) -> ThemeTickets:
    """Up to SAMPLE tickets of a theme: its typical ones, then its best-fitting."""
    ids = list(theme.representatives)
    ids += [
        i
        for i in session.scalars(
            select(ThemeAssignment.ticket_id)
            .where(ThemeAssignment.theme_id == theme.id)
            .order_by(ThemeAssignment.score.desc(), ThemeAssignment.ticket_id)
            .limit(SAMPLE)
        )
        if i not in ids
    ]
    ids = ids[:SAMPLE]
    rows = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
    kept = [i for i in ids if i in rows]
    return ThemeTickets(
        theme.id,
        kept,
        [ticket_text(rows[i].subject, rows[i].body) for i in kept],
        [ticket_tags(rows[i].tags, rows[i].custom_fields) for i in kept],
    )


def suggest_links(workspace: Workspace, *, use_tags: bool = True) -> dict[str, int]:
    """Suggest each live theme's outcome, system and journey step; returns counts per kind."""
    mission = load_workspace_mission(workspace)
    options = candidates(mission)
    teacher = load_teacher()
    option_vectors = normalise(teacher.embed([o.text for o in options]))
    made: Counter[str] = Counter()
    with workspace.store.session() as session:
        themes = session.scalars(
            select(Theme).where(Theme.state.in_(ACCEPTED_THEME_STATES)).order_by(Theme.id)
        ).all()
        if not themes:
            raise NotFound("no themes to link yet", hint="run `ticketlens themes discover`")
        for theme in themes:
            tickets = load_theme_tickets(session, theme)
            if not tickets.texts:
                continue
            vectors = normalise(teacher.embed(tickets.texts))
            scored = score_theme(tickets, vectors, options, option_vectors, use_tags=use_tags)
            for link, kind in review.LINK_KINDS.items():
                of_kind = [s for s in scored if s.candidate.kind == link]
                if _suggest_best(session, theme, kind, of_kind, tickets):
                    made[link] += 1
    return dict(made)


def _suggest_best(
    session: Session, theme: Theme, kind: str, scored: list[Scored], tickets: ThemeTickets
) -> bool:
    """Suggest the best candidate a person has not rejected; withdraw stale drafts."""
    subject = review.theme_subject(theme.id)
    existing = {
        i.target: i
        for i in session.scalars(
            select(ReviewItem).where(ReviewItem.kind == kind, ReviewItem.subject == subject)
        )
    }
    if any(i.state in ("approved", "edited") for i in existing.values()):
        return False  # a person already linked it
    best = next(
        (
            s
            for s in scored
            if existing.get(s.candidate.target) is None
            or existing[s.candidate.target].state != "rejected"
        ),
        None,
    )
    if best is None:
        return False
    for target, item in existing.items():
        if item.state == "suggested" and target != best.candidate.target:
            _withdraw(session, item)
    review.suggest(
        session,
        kind=kind,
        subject=subject,
        target=best.candidate.target,
        payload={
            "theme": theme.id,
            best.candidate.kind: best.candidate.id,
            "name": best.candidate.name,
        },
        evidence=best.evidence,
        score=round(best.score, 3),
        rationale=rationale(best, tickets),
    )
    return True


def _withdraw(session: Session, item: ReviewItem) -> None:
    """A draft nobody decided on, no longer the best: drop it (the audit log keeps it)."""
    audit.record(
        session,
        actor="ticketlens",
        action="withdraw",
        target_type="review_item",
        target_id=item.id,
        before={"state": item.state, "payload": item.payload, "score": item.score},
        reason="no longer the best suggestion",
    )
    session.execute(delete(ReviewItem).where(ReviewItem.id == item.id))


DECIDED = ("approved", "edited")


def approved_links(session: Session, field: str) -> dict[int, set[str]]:
    """Theme id -> the ids (outcomes, systems or steps) people linked it, or its lineage, to.

    Links follow curation: a theme merged into another passes its links on, a split
    theme's parts inherit its links, each where the theme has no link of its own.
    """
    own = _own_links(session, field)
    links: dict[int, set[str]] = defaultdict(set, {t: set(v) for t, v in own.items()})
    lineage = session.execute(
        select(Theme.id, Theme.merged_into_id, Theme.split_from_id).where(
            (Theme.merged_into_id.is_not(None)) | (Theme.split_from_id.is_not(None))
        )
    ).all()
    for _ in range(len(lineage)):  # follow chains (a merged part of a split theme ...)
        changed = False
        for theme, merged_into, split_from in lineage:
            if merged_into is not None and links.get(theme) and merged_into not in own:
                before = len(links[merged_into])
                links[merged_into] |= links[theme]
                changed |= len(links[merged_into]) != before
            if split_from is not None and links.get(split_from) and theme not in own:
                before = len(links[theme])
                links[theme] |= links[split_from]
                changed |= len(links[theme]) != before
        if not changed:
            break
    return {t: v for t, v in links.items() if v}


def _own_links(session: Session, field: str) -> dict[int, set[str]]:
    links: dict[int, set[str]] = defaultdict(set)
    for item in session.scalars(
        select(ReviewItem).where(
            ReviewItem.kind == review.LINK_KINDS[field], ReviewItem.state.in_(DECIDED)
        )
    ):
        theme = review.subject_theme(item.subject)
        if theme is None:
            continue
        # An edit may point the link elsewhere: the person's payload wins over the target.
        target = item.payload.get(field) or review.target_value(item.target)
        links[theme].add(str(target))
    return links


def theme_links(workspace: Workspace, theme_id: int) -> dict[str, list[dict[str, Any]]]:
    """What one theme is tied to: per kind (outcome, system, step), the approved links
    (their lineage's too, see :func:`approved_links`) and the drafts still waiting, each
    with the mission file's name (and a system's owner). Empty without a mission file."""
    if find_mission_file(workspace) is None:
        return {}
    mission = load_workspace_mission(workspace)
    found: dict[str, list[dict[str, Any]]] = {}
    with workspace.store.session() as session:
        for field, kind in review.LINK_KINDS.items():
            approved = sorted(approved_links(session, field).get(theme_id, set()))
            drafts = [
                str(item.payload.get(field) or review.target_value(item.target))
                for item in session.scalars(
                    select(ReviewItem).where(
                        ReviewItem.kind == kind,
                        ReviewItem.subject == review.theme_subject(theme_id),
                        ReviewItem.state == "suggested",
                    )
                )
            ]
            rows = [(target, "approved") for target in approved]
            rows += [(target, "suggested") for target in drafts if target not in approved]
            found[field] = [_link_row(mission, field, t, state) for t, state in rows]
    return found


def _link_row(mission: Mission, field: str, target: str, state: str) -> dict[str, Any]:
    entry = {"outcome": mission.outcome, "system": mission.system, "step": mission.step}[field](
        target
    )
    row: dict[str, Any] = {"id": target, "name": entry.name if entry else target, "state": state}
    if isinstance(entry, System):
        row["owner"] = entry.owner
    return row
