"""The one place that runs stages in order.

Stages read from and write to the store and never call each other; this module
sequences them. Two extension points let later stages keep up incrementally, each
plugged in with one line:

- :data:`AFTER_INGEST`: called with what an import did (today: place the new tickets
  in the known themes, which is itself a theme change);
- :data:`AFTER_THEME_CHANGE`: called after discovery, an increment or a curation.

A hook returns a report (anything with a ``stage`` name and a ``summary()``) or None
when it had nothing to do. Surfaces call :func:`ingest`, :func:`discover` and
:func:`curate` and never sequence stages themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

from ticketlens.ingest import (
    BatchHook,
    Counts,
    FileProgress,
    ImportResult,
    IngestOptions,
    ingest_files,
)
from ticketlens.workspace import Workspace

# The theme stage pulls in scikit-learn and the models (seconds): imported when used.
if TYPE_CHECKING:
    from ticketlens.embedding import Embedder
    from ticketlens.themes import Increment
    from ticketlens.themes.engine import Progress


class StageReport(Protocol):
    """What a stage did after a change upstream, for the CLI, the web app and logs."""

    stage: ClassVar[str]

    def summary(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ThemeChange:
    """Themes or assignments changed: by a discovery run, an increment or a person."""

    kind: Literal["discover", "increment", "curation"]
    #: the theme run (discovery, increment), None for a curation
    run_id: int | None = None
    #: the curation action (``rename``, ``merge`` ...)
    action: str | None = None


AfterIngest = Callable[[Workspace, ImportResult], StageReport | None]
AfterThemeChange = Callable[[Workspace, ThemeChange], StageReport | None]

R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class Reports:
    """The reports of the stages a change set going, in the order they ran."""

    stages: tuple[StageReport, ...] = ()

    def of(self, kind: type[T]) -> T | None:
        """The report of type ``kind``, if that stage had something to do."""
        return next((r for r in self.stages if isinstance(r, kind)), None)

    def summary(self) -> dict[str, Any]:
        return {r.stage: r.summary() for r in self.stages}


@dataclass(frozen=True)
class IngestReport:
    """An import, and what the stages after it did."""

    imported: ImportResult
    after: Reports = Reports()

    @property
    def counts(self) -> Counts:
        return self.imported.counts

    @property
    def import_id(self) -> int | None:
        return self.imported.import_id

    @property
    def formats(self) -> dict[str, str]:
        return self.imported.formats


def place_new_tickets(workspace: Workspace, result: ImportResult) -> StageReport | None:
    """Put the new tickets in the themes the team knows; propose themes for the rest."""
    if not result.counts.new or not workspace.settings.theme_auto_assign:
        return None
    from ticketlens.themes import assign_new

    done = assign_new(workspace)
    return done if done.run_id is not None else None


#: after an import, in order (a stage plugs in with one ``append``)
AFTER_INGEST: list[AfterIngest] = [place_new_tickets]
#: after any theme change, in order
AFTER_THEME_CHANGE: list[AfterThemeChange] = []


def ingest(
    workspace: Workspace,
    paths: Sequence[Path],
    *,
    source: str = "default",
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: FileProgress | None = None,
    on_batch: BatchHook | None = None,
    dry_run: bool = False,
) -> IngestReport:
    """Import ticket files (see :func:`ticketlens.ingest.ingest_files`), then bring later
    stages up to date. A dry run reads and counts everything and writes nothing."""
    options = IngestOptions.from_settings(
        workspace.settings,
        redactor=workspace.redactor,
        source=source,
        format=format,
        mapping=mapping,
        dry_run=dry_run,
    )
    result = ingest_files(
        workspace.store,
        paths,
        options=options,
        actor=workspace.actor,
        requester_key=workspace.pseudonymizer,
        progress=progress,
        on_batch=on_batch,
    )
    reports: list[StageReport] = []
    for hook in AFTER_INGEST if not result.dry_run else ():
        report = hook(workspace, result)
        if report is None:
            continue
        reports.append(report)
        from ticketlens.themes import Increment

        if isinstance(report, Increment):
            reports += _theme_changed(workspace, ThemeChange("increment", report.run_id))
    return IngestReport(result, Reports(tuple(reports)))


@dataclass(frozen=True)
class DiscoverReport:
    run_id: int
    after: Reports = Reports()


def discover(
    workspace: Workspace,
    *,
    embedder: Embedder | None = None,
    teacher: Embedder | None = None,
    progress: Progress | None = None,
) -> DiscoverReport:
    """Regroup every ticket into themes, continuing known ones (``themes discover``)."""
    from ticketlens.themes import run_discovery

    run_id = run_discovery(workspace, embedder=embedder, teacher=teacher, progress=progress)
    after = _theme_changed(workspace, ThemeChange("discover", run_id))
    return DiscoverReport(run_id, Reports(tuple(after)))


def place(workspace: Workspace, *, progress: Progress | None = None) -> tuple[Increment, Reports]:
    """Place every ticket not yet in a theme (``themes assign``)."""
    from ticketlens.themes import assign_new

    done = assign_new(workspace, progress=progress)
    if done.run_id is None:
        return done, Reports()
    return done, Reports(tuple(_theme_changed(workspace, ThemeChange("increment", done.run_id))))


def curate(workspace: Workspace, action: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Apply a curation (``themes.curation.rename`` ...) and tell the later stages."""
    result = action(workspace, *args, **kwargs)
    _theme_changed(workspace, ThemeChange("curation", action=action.__name__))
    return result


def decide(
    workspace: Workspace,
    item_id: int,
    action: str,
    *,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A person's decision on a review item, carried out when it asks for a change.

    Approving (or editing) a proposed merge of two themes merges them first, so an item
    is never approved for a merge that did not happen.
    """
    from ticketlens import review

    item = review.get_item(workspace, item_id)
    pending = item["state"] == "suggested"  # once decided, the merge has been done
    if item["kind"] == review.THEME_MERGE and action in ("approve", "edit") and pending:
        from ticketlens.themes import curation

        merge = payload or item["payload"]
        why = reason or f"review item {item_id}: {item['rationale']}"
        curate(workspace, curation.merge, [int(merge["merge"])], int(merge["into"]), reason=why)
    return review.decide(workspace, item_id, action, reason=reason, payload=payload)


def _theme_changed(workspace: Workspace, change: ThemeChange) -> list[StageReport]:
    reports = [hook(workspace, change) for hook in AFTER_THEME_CHANGE]
    return [r for r in reports if r is not None]
