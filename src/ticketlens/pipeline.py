"""The one place that runs stages in order.

After an import, later stages are brought up to date here, incrementally: today
that is placing the new tickets in the existing themes (and proposing new ones).
The CLI and the web app never sequence stages themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ticketlens.ingest import ImportResult
    from ticketlens.workspace import Workspace


def after_ingest(workspace: Workspace, result: ImportResult) -> dict[str, Any]:
    """Bring derived data up to date after ``result`` landed; says what each stage did."""
    if not result.counts.new or not workspace.settings.theme_auto_assign:
        return {}
    from ticketlens.themes.increment import assign_new

    done = assign_new(workspace)
    if done.run_id is None:
        return {}
    return {"themes": done.summary()}
