"""ticketlens: turn a support team's tickets into product insight tied to its mission.

The Python API starts at a :class:`Workspace` (the context: settings, store, actor)
and :mod:`ticketlens.pipeline` (which runs the stages in order)::

    from ticketlens import Workspace, pipeline
    ws = Workspace.init(Path("team"))
    report = pipeline.ingest(ws, [Path("export.csv")])
    print(report.counts)
"""

from ticketlens.errors import TicketlensError
from ticketlens.ingest import ImportResult
from ticketlens.settings import Settings
from ticketlens.workspace import Workspace

__version__ = "0.1.0"

__all__ = ["ImportResult", "Settings", "TicketlensError", "Workspace", "__version__"]
