"""People's decisions about themes: rename, merge, split, move, pin, retire, accept, dismiss.

Each action is one transaction that records who did it and why in the audit log
(target ``theme``), so ``themes history ID`` can tell a theme's story. Discovery
keeps these decisions: a person's label is never replaced, moved tickets are never
moved back, pinned and retired themes keep their tickets, merged themes stay merged
and dismissed patterns are not proposed again (see :mod:`.reconcile`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.cluster import KMeans
from sqlalchemy import select

from ticketlens import review
from ticketlens.embedding import load_embedder, normalise
from ticketlens.errors import InvalidTransition, NotFound
from ticketlens.store import audit
from ticketlens.store.schema import (
    ACCEPTED_THEME_STATES,
    LIVE_THEME_STATES,
    ReviewItem,
    Theme,
    ThemeAssignment,
    ThemeSpace,
    Ticket,
)
from ticketlens.themes.catalog import live_labels
from ticketlens.themes.corpus import ticket_text
from ticketlens.themes.engine import Adapter, Meaning, Prototypes, describe_members, tell_apart
from ticketlens.themes.records import (
    from_bytes,
    record_theme_event,
    to_bytes,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ticketlens.workspace import Workspace


def _theme(session: Session, theme_id: int, *, states: Sequence[str] | None = None) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(f"no theme {theme_id}", hint="see `ticketlens themes list --all`")
    if states is not None and theme.state not in states:
        raise InvalidTransition(
            f"theme {theme_id} is {theme.state}",
            hint=f"this applies to {' or '.join(states)} themes",
        )
    return theme


def _curated(theme: Theme) -> None:
    """A theme a person has shaped: discovery keeps it even when it runs low on tickets."""
    if theme.state in ("active", "proposed"):
        theme.state = "curated"
    theme.updated_at = audit.now()


def current_label(session: Session, theme: Theme) -> str:
    item = _label_item(session, theme.id)
    return str(item.payload.get("label", theme.label)) if item else theme.label


def _label_item(session: Session, theme_id: int) -> ReviewItem | None:
    return session.scalars(
        select(ReviewItem).where(
            ReviewItem.kind == review.THEME_LABEL,
            ReviewItem.subject == review.theme_subject(theme_id),
        )
    ).one_or_none()


def _set_label(session: Session, theme: Theme, label: str, actor: str, reason: str | None) -> None:
    """The label as a person wrote it: an edited review item, never overwritten by discovery."""
    label = " ".join(label.split())
    if not label:
        raise InvalidTransition(
            "a theme needs a non-empty name", hint="--as is who; NAME is the label"
        )
    item = _label_item(session, theme.id)
    if item is None:
        item = review.suggest(
            session,
            kind=review.THEME_LABEL,
            subject=review.theme_subject(theme.id),
            payload={"label": theme.label, "keywords": list(theme.keywords)},
            evidence=list(theme.representatives),
        )
    if item.state == "rejected":
        review.transition(session, item.id, "reopen", actor=actor, reason=reason)
    payload = {"label": label, "keywords": list(theme.keywords)}
    review.transition(session, item.id, "edit", actor=actor, reason=reason, payload=payload)


def rename(workspace: Workspace, theme_id: int, label: str, *, reason: str | None = None) -> None:
    with workspace.store.session() as session:
        theme = _theme(session, theme_id)
        before = current_label(session, theme)
        _set_label(session, theme, label, workspace.actor, reason)
        _curated(theme)
        record_theme_event(
            session,
            theme.id,
            "themes.rename",
            actor=workspace.actor,
            before={"label": before},
            after={"label": current_label(session, theme)},
            reason=reason,
        )


def merge(
    workspace: Workspace,
    sources: Sequence[int],
    into: int,
    *,
    reason: str | None = None,
) -> int:
    """Move every ticket of ``sources`` into ``into``; the sources stay as merged history."""
    if into in sources:
        raise InvalidTransition(
            "a theme cannot be merged into itself", hint="drop it from the list"
        )
    with workspace.store.session() as session:
        target = _theme(session, into, states=LIVE_THEME_STATES)
        moved = 0
        for source_id in sources:
            source = _theme(session, source_id, states=LIVE_THEME_STATES)
            if source.language != target.language:
                raise InvalidTransition(
                    f"theme {source_id} ({source.language}) and {into} ({target.language}) "
                    "are in different languages",
                    hint="themes are kept per language; move single tickets instead",
                )
            rows = session.scalars(
                select(ThemeAssignment).where(ThemeAssignment.theme_id == source.id)
            ).all()
            for row in rows:
                row.theme_id = target.id
            moved += len(rows)
            if source.space_id == target.space_id:
                width = _width(target, source)
                target.prototypes = to_bytes(
                    np.vstack(
                        [from_bytes(target.prototypes, width), from_bytes(source.prototypes, width)]
                    )
                )
            before = {"state": source.state, "size": source.size}
            source.state, source.merged_into_id, source.size = "merged", target.id, 0
            source.updated_at = audit.now()
            record_theme_event(
                session,
                source.id,
                "themes.merge",
                actor=workspace.actor,
                before=before,
                after={"state": "merged", "merged_into": target.id, "tickets": len(rows)},
                reason=reason,
            )
        before_size = target.size
        target.size += moved
        _curated(target)
        record_theme_event(
            session,
            target.id,
            "themes.absorb",
            actor=workspace.actor,
            before={"size": before_size},
            after={"size": target.size, "merged_from": list(sources)},
            reason=reason,
        )
        return target.id


def _width(*themes: Theme) -> int:
    for theme in themes:
        if theme.centroid:
            return len(theme.centroid) // 4
    return 1


@dataclass(frozen=True)
class _Members:
    ticket_ids: np.ndarray
    how: list[str]
    texts: list[str]
    text_of: np.ndarray
    vectors: np.ndarray  # per distinct text, in the theme's space
    embed: Callable[[list[str]], np.ndarray]  # other texts into the same space


def _members(session: Session, theme: Theme) -> _Members:
    rows = session.execute(
        select(ThemeAssignment.ticket_id, ThemeAssignment.how, Ticket.subject, Ticket.body)
        .join(Ticket, Ticket.id == ThemeAssignment.ticket_id)
        .where(ThemeAssignment.theme_id == theme.id)
        .order_by(ThemeAssignment.ticket_id)
    ).all()
    distinct: dict[str, int] = {}
    text_of = np.array(
        [distinct.setdefault(ticket_text(r[2], r[3]), len(distinct)) for r in rows], np.int64
    )
    texts = list(distinct)
    space = session.get(ThemeSpace, theme.space_id) if theme.space_id else None
    if space is None:
        raise InvalidTransition(
            f"theme {theme.id} has not been through discovery yet",
            hint="run `ticketlens themes discover` first",
        )
    adapter = Adapter.from_bytes(space.adapter)
    static = load_embedder(adapter.model)
    texts = adapter.prepare(texts)
    vectors = adapter.transform(texts, static) if texts else np.zeros((0, 1))
    return _Members(
        np.array([r[0] for r in rows], dtype=np.int64),
        [r[1] for r in rows],
        texts,
        text_of,
        vectors,
        lambda others: adapter.transform(others, static),
    )


def split(
    workspace: Workspace,
    theme_id: int,
    *,
    count: int | None = None,
    examples: Sequence[Sequence[int]] | None = None,
    labels: Sequence[str] | None = None,
    reason: str | None = None,
) -> list[int]:
    """Split a theme into ``count`` parts, or one part per group of example tickets.

    The parts are new, curated themes (lineage: split from ``theme_id``); the theme
    itself is retired. Example tickets are placed by hand; the rest go to the part
    whose examples (or k-means centre) they are closest to.
    """
    if (count is None) == (examples is None):
        raise InvalidTransition("split by a count or by examples", hint="give one of the two")
    with workspace.store.session() as session:
        theme = _theme(session, theme_id, states=LIVE_THEME_STATES)
        if theme.pinned:
            raise InvalidTransition(f"theme {theme_id} is pinned", hint="unpin it first")
        members = _members(session, theme)
        row_vectors = members.vectors[members.text_of]
        manual = np.array([h == "manual" for h in members.how], dtype=bool)
        if examples is not None:
            parts, picked = _parts_from_examples(members, row_vectors, examples)
            manual |= picked
        else:
            assert count is not None
            parts = _parts_by_count(members, row_vectors, count)
        n_parts = int(parts.max()) + 1
        if labels is not None and len(labels) != n_parts:
            raise InvalidTransition(
                f"{len(labels)} names for {n_parts} parts", hint="give one --label per part"
            )
        scores = np.einsum("ij,ij->i", row_vectors, _part_centres(row_vectors, parts)[parts])
        children = _add_parts(session, theme, members, row_vectors, parts, scores)
        for child, label in zip(children, labels or (), strict=False):
            _set_label(session, child, label, workspace.actor, reason)
        _move_to_parts(session, theme, members, parts, scores, manual, children)
        _record_split(session, workspace.actor, theme, children, reason)
        return [c.id for c in children]


def _add_parts(
    session: Session,
    theme: Theme,
    members: _Members,
    row_vectors: np.ndarray,
    parts: np.ndarray,
    scores: np.ndarray,
) -> list[Theme]:
    """The new themes, one per part, described from their members' texts."""
    n_parts = int(parts.max()) + 1
    described, terms = describe_members(
        members.texts,
        members.text_of,
        members.ticket_ids,
        parts,
        scores,
        n_parts,
        theme.language or "en",
        # the static path, not the transformer: a split stays a few seconds
        Meaning(members.embed, _part_centres(row_vectors, parts)),
    )
    others = live_labels(session, theme.language, besides=theme.id)
    drafts = tell_apart([d.label for d in described], terms, others)
    stamp = audit.now()
    children: list[Theme] = []
    for p in range(n_parts):
        in_part = parts == p
        fitted = Prototypes.fit(row_vectors[in_part], np.zeros(int(in_part.sum()), np.int64))
        child = Theme(
            run_id=theme.run_id,
            number=theme.number,
            group_id=theme.group_id,
            label=drafts[p],
            keywords=list(described[p].keywords),
            size=int(in_part.sum()),
            representatives=described[p].representatives,
            centroid=to_bytes(normalise(row_vectors[in_part].mean(axis=0, keepdims=True))[0]),
            prototypes=to_bytes(fitted.vectors),
            state="curated",
            origin="split",
            language=theme.language,
            space_id=theme.space_id,
            split_from_id=theme.id,
            examples=[],
            created_at=stamp,
            updated_at=stamp,
        )
        session.add(child)
        session.flush()
        children.append(child)
    return children


def _move_to_parts(
    session: Session,
    theme: Theme,
    members: _Members,
    parts: np.ndarray,
    scores: np.ndarray,
    manual: np.ndarray,
    children: list[Theme],
) -> None:
    """Each member goes to its part (placed by hand where it was an example)."""
    assignments = {
        a.ticket_id: a
        for a in session.scalars(
            select(ThemeAssignment).where(ThemeAssignment.theme_id == theme.id)
        )
    }
    for ticket_id, part, score, by_hand in zip(
        members.ticket_ids.tolist(),
        parts.tolist(),
        scores.tolist(),
        manual.tolist(),
        strict=True,
    ):
        row = assignments[ticket_id]
        row.theme_id, row.score = children[part].id, round(float(score), 4)
        row.how = "manual" if by_hand else row.how


def _record_split(
    session: Session, actor: str, theme: Theme, children: list[Theme], reason: str | None
) -> None:
    """Retire the split theme; audit the split on it and on each part."""
    before = {"state": theme.state, "size": theme.size}
    theme.state, theme.size, theme.updated_at = "retired", 0, audit.now()
    child_ids = [c.id for c in children]
    record_theme_event(
        session,
        theme.id,
        "themes.split",
        actor=actor,
        before=before,
        after={"state": "retired", "split_into": child_ids},
        reason=reason,
    )
    for child in children:
        record_theme_event(
            session,
            child.id,
            "themes.split",
            actor=actor,
            after={"split_from": theme.id, "label": current_label(session, child)},
            reason=reason,
        )


def _parts_by_count(members: _Members, row_vectors: np.ndarray, count: int) -> np.ndarray:
    if count < 2 or len(members.texts) < count:
        raise InvalidTransition(
            f"cannot split {len(members.texts)} distinct tickets into {count} parts",
            hint="a split needs at least 2 parts and a ticket per part",
        )
    km = KMeans(count, n_init=4, random_state=0).fit(members.vectors)
    parts: np.ndarray = km.labels_[members.text_of].astype(np.int64)
    return parts


def _parts_from_examples(
    members: _Members, row_vectors: np.ndarray, examples: Sequence[Sequence[int]]
) -> tuple[np.ndarray, np.ndarray]:
    if len(examples) < 2:
        raise InvalidTransition(
            "a split by examples needs at least two groups", hint="--examples 12,40 --examples 7"
        )
    position = {int(t): i for i, t in enumerate(members.ticket_ids.tolist())}
    picked = np.zeros(len(members.ticket_ids), dtype=bool)
    anchors = []
    forced = np.full(len(members.ticket_ids), -1, dtype=np.int64)
    for part, group in enumerate(examples):
        rows = []
        for ticket_id in group:
            if ticket_id not in position:
                raise NotFound(
                    f"ticket {ticket_id} is not in this theme",
                    hint="see `ticketlens themes show ID` for its tickets",
                )
            rows.append(position[ticket_id])
        picked[rows] = True
        forced[rows] = part
        anchors.append(normalise(row_vectors[rows].mean(axis=0, keepdims=True))[0])
    parts: np.ndarray = (row_vectors @ np.stack(anchors).T).argmax(axis=1)
    parts[picked] = forced[picked]
    return parts.astype(np.int64), picked


def _part_centres(row_vectors: np.ndarray, parts: np.ndarray) -> np.ndarray:
    centres = np.stack([row_vectors[parts == p].mean(axis=0) for p in range(int(parts.max()) + 1)])
    return normalise(centres)


def move(
    workspace: Workspace,
    ticket_ids: Sequence[int],
    theme_id: int | None,
    *,
    reason: str | None = None,
) -> int:
    """Put tickets in a theme by hand (``None``: no theme); automation never moves them back."""
    with workspace.store.session() as session:
        target = _theme(session, theme_id, states=LIVE_THEME_STATES) if theme_id else None
        moved_from: dict[int | None, list[int]] = {}
        for ticket_id in ticket_ids:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound(f"no ticket {ticket_id}", hint="use the numeric ticket id")
            row = session.get(ThemeAssignment, ticket_id)
            if row is None:
                row = ThemeAssignment(
                    ticket_id=ticket_id, score=0.0, language=target.language if target else None
                )
                session.add(row)
            moved_from.setdefault(row.theme_id, []).append(ticket_id)
            if row.theme_id is not None and row.theme_id != theme_id:
                old = session.get(Theme, row.theme_id)
                if old is not None:
                    old.size = max(0, old.size - 1)
            if target is not None and row.theme_id != theme_id:
                target.size += 1
            row.theme_id, row.how, row.run_id = theme_id, "manual", None
        for source, tickets in moved_from.items():
            if source is not None and source != theme_id:
                record_theme_event(
                    session,
                    source,
                    "themes.move_out",
                    actor=workspace.actor,
                    after={"tickets": tickets, "to": theme_id},
                    reason=reason,
                )
        if target is not None:
            _curated(target)
            record_theme_event(
                session,
                target.id,
                "themes.move_in",
                actor=workspace.actor,
                after={"tickets": list(ticket_ids), "from": sorted(s or 0 for s in moved_from)},
                reason=reason,
            )
        return len(ticket_ids)


def _change(
    workspace: Workspace,
    theme_id: int,
    action: str,
    states: Sequence[str],
    change: dict[str, Any],
    reason: str | None,
    label: str | None = None,
) -> None:
    with workspace.store.session() as session:
        theme = _theme(session, theme_id, states=states)
        before = {key: getattr(theme, key) for key in change}
        for key, value in change.items():
            setattr(theme, key, value)
        theme.updated_at = audit.now()
        if label is not None:
            _set_label(session, theme, label, workspace.actor, reason)
        record_theme_event(
            session,
            theme.id,
            action,
            actor=workspace.actor,
            before=before,
            after={**change, **({"label": label} if label else {})},
            reason=reason,
        )


def pin(workspace: Workspace, theme_id: int, *, reason: str | None = None) -> None:
    """Keep the theme exactly as it is: discovery never relabels, reshapes or retires it."""
    _change(
        workspace,
        theme_id,
        "themes.pin",
        ACCEPTED_THEME_STATES,
        {"pinned": True, "state": "curated"},
        reason,
    )


def unpin(workspace: Workspace, theme_id: int, *, reason: str | None = None) -> None:
    _change(workspace, theme_id, "themes.unpin", ("curated",), {"pinned": False}, reason)


def retire(workspace: Workspace, theme_id: int, *, reason: str | None = None) -> None:
    """No new tickets go to it; its tickets stay, as history (e.g. after a fix shipped)."""
    _change(
        workspace,
        theme_id,
        "themes.retire",
        LIVE_THEME_STATES,
        {"state": "retired", "pinned": False},
        reason,
    )


def accept(
    workspace: Workspace, theme_id: int, *, label: str | None = None, reason: str | None = None
) -> None:
    """A proposed theme becomes one the team tracks (optionally under a new name)."""
    _change(
        workspace, theme_id, "themes.accept", ("proposed",), {"state": "curated"}, reason, label
    )


def dismiss(workspace: Workspace, theme_id: int, *, reason: str | None = None) -> None:
    """Not a theme: its tickets go back to unclear and the pattern is not proposed again."""
    _change(workspace, theme_id, "themes.dismiss", ("proposed",), {"state": "dismissed"}, reason)


def theme_history(workspace: Workspace, theme_id: int) -> dict[str, Any]:
    """A theme's lineage and every recorded action on it, oldest first."""
    with workspace.store.session() as session:
        theme = _theme(session, theme_id)
        children = session.scalars(select(Theme.id).where(Theme.split_from_id == theme.id)).all()
        merged_in = session.scalars(select(Theme.id).where(Theme.merged_into_id == theme.id)).all()
        events = audit.history(session, target_type="theme", target_id=theme.id)
        label_item = _label_item(session, theme.id)
        label_events = (
            audit.history(session, target_type="review_item", target_id=label_item.id)
            if label_item
            else []
        )
        merged = sorted([*events, *label_events], key=lambda e: e.id)
        return {
            "id": theme.id,
            "label": current_label(session, theme),
            "state": theme.state,
            "pinned": theme.pinned,
            "origin": theme.origin,
            "language": theme.language,
            "split_from": theme.split_from_id,
            "split_into": list(children),
            "merged_into": theme.merged_into_id,
            "merged_from": list(merged_in),
            "events": [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "before": e.before,
                    "after": e.after,
                    "reason": e.reason,
                }
                for e in merged
            ],
        }
