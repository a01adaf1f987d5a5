"""A team's own taxonomy as seeds: categories kept under their names and filled by discovery.

The file lists categories with a name, a description and example phrases, as YAML::

    categories:
      - name: Card not arrived
        description: The new or replacement card has not been delivered
        examples: ["my card still hasn't come", "when will my card arrive"]
        language: en          # optional, default: the workspace's main language

or as CSV with columns ``name, description, examples`` (examples separated by ``|``),
optionally ``language``. Seeding creates the categories as curated themes whose names
count as approved labels; the next discovery fills each with the tickets whose groups
match its examples and adds themes only for what no category covers.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import func, select

from ticketlens import review
from ticketlens.errors import TaxonomyError
from ticketlens.store import audit
from ticketlens.store.schema import LIVE_THEME_STATES, Theme, ThemeAssignment, ThemeRun
from ticketlens.themes.engine import ALL_LANGUAGES
from ticketlens.themes.records import record_theme_event

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace


@dataclass(frozen=True)
class Category:
    name: str
    description: str
    examples: tuple[str, ...]
    language: str | None


def read_taxonomy(path: Path) -> list[Category]:
    """The categories of a YAML or CSV taxonomy file; errors name the file, row and field."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: cannot read the file ({exc})") from exc
    if path.suffix.lower() == ".csv":
        rows: list[Any] = list(csv.DictReader(text.splitlines()))
        entries: Any = [
            {**row, "examples": [e for e in (row.get("examples") or "").split("|") if e.strip()]}
            for row in rows
        ]
        first_row = 2  # the header is row 1
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise TaxonomyError(f"{path}: not valid YAML ({exc})") from exc
        entries = data.get("categories") if isinstance(data, dict) else data
        if not isinstance(entries, list):
            raise TaxonomyError(
                f"{path}: expected a list under 'categories'",
                hint="categories: [{name: ..., description: ..., examples: [...]}]",
            )
        first_row = 1
    categories = [_category(path, first_row + i, entry) for i, entry in enumerate(entries)]
    names = [c.name.lower() for c in categories]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise TaxonomyError(f"{path}: row {first_row + i}: field 'name': {name!r} is repeated")
    if not categories:
        raise TaxonomyError(f"{path}: no categories")
    return categories


def _category(path: Path, row: int, entry: Any) -> Category:
    from ticketlens.language import normalise_language

    where = f"{path}: row {row}"
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where}: expected name, description and examples")
    name = " ".join(str(entry.get("name") or "").split())
    if not name:
        raise TaxonomyError(f"{where}: field 'name': missing")
    examples = entry.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise TaxonomyError(f"{where}: field 'examples': expected a list of phrases")
    description = " ".join(str(entry.get("description") or "").split())
    if not examples and not description:
        raise TaxonomyError(
            f"{where}: field 'examples': {name!r} needs example phrases or a description"
        )
    language = entry.get("language")
    code = normalise_language(str(language)) if language else None
    if language and code is None:
        raise TaxonomyError(f"{where}: field 'language': unknown language {language!r}")
    return Category(name, description, tuple(" ".join(e.split()) for e in examples), code)


def seed_themes(workspace: Workspace, path: Path, *, reason: str | None = None) -> list[int]:
    """Create (or update, by name) one curated theme per category; returns their ids."""
    categories = read_taxonomy(path)
    stamp = audit.now()
    ids = []
    with workspace.store.session() as session:
        default_language = _main_language(session, workspace.settings.theme_by_language)
        run_id = session.scalars(select(ThemeRun.id).order_by(ThemeRun.id.desc()).limit(1)).first()
        if run_id is None:  # themes belong to a run; seeding before any discovery opens one
            run = ThemeRun(
                kind="seed",
                started_at=stamp,
                finished_at=stamp,
                actor=workspace.actor,
                model=workspace.settings.theme_model,
                options={"seed_file": path.name},
            )
            session.add(run)
            session.flush()
            run_id = run.id
        existing = {
            t.label.lower(): t
            for t in session.scalars(
                select(Theme).where(Theme.origin == "seed", Theme.state.in_(LIVE_THEME_STATES))
            )
        }
        for category in categories:
            language = category.language or default_language
            theme = existing.get(category.name.lower())
            if theme is None:
                theme = Theme(
                    run_id=run_id,
                    number=0,
                    label=category.name,
                    keywords=[],
                    size=0,
                    representatives=[],
                    centroid=b"",
                    prototypes=b"",
                    state="curated",
                    origin="seed",
                    language=language,
                    examples=[],
                    created_at=stamp,
                )
                session.add(theme)
            before = (
                None
                if theme.id is None
                else {"description": theme.description, "examples": theme.examples}
            )
            theme.description = category.description or None
            theme.examples = list(category.examples)
            theme.updated_at = stamp
            session.flush()
            _approve_name(session, theme, workspace.actor, reason)
            record_theme_event(
                session,
                theme.id,
                "themes.seed",
                actor=workspace.actor,
                before=before,
                after={
                    "label": category.name,
                    "description": theme.description,
                    "examples": theme.examples,
                    "file": path.name,
                },
                reason=reason,
            )
            ids.append(theme.id)
    return ids


def _main_language(session: Any, by_language: bool) -> str:
    if not by_language:
        return ALL_LANGUAGES
    counts = session.execute(
        select(ThemeAssignment.language, func.count())
        .where(ThemeAssignment.language.is_not(None))
        .group_by(ThemeAssignment.language)
        .order_by(func.count().desc(), ThemeAssignment.language)
        .limit(1)
    ).first()
    return str(counts[0]) if counts else "en"


def _approve_name(session: Any, theme: Theme, actor: str, reason: str | None) -> None:
    """The team wrote the name: it is an approved label from the start."""
    item = review.suggest(
        session,
        kind=review.THEME_LABEL,
        subject=review.theme_subject(theme.id),
        actor=actor,
        payload={"label": theme.label, "keywords": []},
        evidence=[],
        rationale="the team's own taxonomy",
    )
    if item.state == "suggested":
        review.transition(session, item.id, "approve", actor=actor, reason=reason)
