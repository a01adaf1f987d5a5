"""ticketlens: turn a support team's tickets into product insight tied to its mission.

The Python API starts at :class:`Workspace`::

    from ticketlens import Workspace
    ws = Workspace.init(Path("team"))
    result = ws.ingest([Path("export.csv")])
    print(result.counts)
"""

from ticketlens.errors import TicketlensError
from ticketlens.ingest import ImportResult
from ticketlens.settings import Settings
from ticketlens.workspace import Workspace

__version__ = "0.1.0"

__all__ = ["ImportResult", "Settings", "TicketlensError", "Workspace", "__version__"]
