"""The one place that runs stages in order.

After an import, later stages are brought up to date here, incrementally: today
that is placing the new tickets in the existing themes (and proposing new ones).
The CLI and the web app never sequence stages themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketlens.ingest import ImportResult
    from ticketlens.themes.increment import Increment
    from ticketlens.workspace import Workspace


def after_ingest(workspace: Workspace, result: ImportResult) -> Increment | None:
    """Bring derived data up to date after ``result`` landed."""
    if not result.counts.new or not workspace.settings.theme_auto_assign:
        return None
    from ticketlens.themes.increment import assign_new

    return assign_new(workspace)
