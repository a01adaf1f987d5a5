"""The one place that runs stages in order.

After an import, later stages (theme assignment, metrics, signals) are brought up
to date here, incrementally. Today ingest is the only stage, so there is nothing
to follow it yet; the hook exists so the CLI and the web app never sequence stages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ticketlens.ingest import ImportResult
    from ticketlens.workspace import Workspace


def after_ingest(workspace: Workspace, result: ImportResult) -> None:
    """Bring derived data up to date after ``result`` landed (no stages follow yet)."""
    del workspace, result
