"""Rows kept aside during imports, with file, row, field and reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ticketlens.store.schema import QuarantinedRow

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace

COLUMNS = ("id", "import_id", "source", "file", "row", "field", "reason", "raw", "created_at")


def list_quarantine(
    workspace: Workspace, *, source: str | None = None, import_id: int | None = None
) -> list[dict[str, Any]]:
    """Every quarantined row, in the order they were found."""
    query = select(QuarantinedRow).order_by(QuarantinedRow.id)
    if source is not None:
        query = query.where(QuarantinedRow.source == source)
    if import_id is not None:
        query = query.where(QuarantinedRow.import_id == import_id)
    with workspace.store.session() as s:
        return [
            {
                "id": q.id,
                "import_id": q.import_id,
                "source": q.source,
                "file": q.file,
                "row": q.row,
                "field": q.field,
                "reason": q.reason,
                "raw": q.raw,
                "created_at": q.created_at.isoformat(),
            }
            for q in s.scalars(query)
        ]
