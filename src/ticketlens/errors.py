"""The one exception hierarchy of ticketlens.

Every error a user can cause or fix is a :class:`TicketlensError`; the CLI turns
these into a one-line message and exit code 2, the web API into its JSON error
shape. Anything else escaping is a bug.

::

    TicketlensError
    ├── SettingsError          unknown or ill-typed setting, bad config file
    ├── WorkspaceError
    │   └── WorkspaceNotFound  no ticketlens.toml here or in any parent
    ├── StoreError             database cannot be opened / migrated / reached
    ├── MissingExtra           an optional dependency is not installed
    ├── IngestError
    │   ├── UnreadableFile     a whole file cannot be read (not one bad row)
    │   ├── RowProblem         one field of one row is wrong: the row is quarantined
    │   └── TaxonomyError      a seed taxonomy file cannot be used as it is
    ├── MissionError           the mission file is missing or unusable
    ├── NotFound               a ticket / item / theme id that does not exist
    └── ReviewError
        └── InvalidTransition  a review state change the state machine forbids
"""

from __future__ import annotations

from typing import Any


class TicketlensError(Exception):
    """Base class: a problem the user can understand and act on."""

    #: A short hint on what to do next, shown after the message.
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross from the import's reading process to the writing one; keep the
        # hint, and do not depend on each subclass's __init__ signature.
        return (_rebuild, (self.__class__, self.args, self.hint))


def _rebuild(
    cls: type[TicketlensError], args: tuple[Any, ...], hint: str | None
) -> TicketlensError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.hint = hint
    return error


class SettingsError(TicketlensError):
    """A setting is unknown, ill-typed or out of range."""


class WorkspaceError(TicketlensError):
    """The workspace cannot be created or used."""


class WorkspaceNotFound(WorkspaceError):
    """No workspace in the current directory or any parent."""

    hint = "run 'ticketlens init' here, or pass --workspace DIR / set TICKETLENS_WORKSPACE"


class StoreError(TicketlensError):
    """The database cannot be opened, migrated or reached."""


class MissingExtra(TicketlensError):
    """An optional dependency is needed for this and is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed",
            hint=f"pip install 'ticketlens[{extra}]'",
        )


class IngestError(TicketlensError):
    """An import cannot proceed."""


class UnreadableFile(IngestError):
    """A whole input file cannot be read (missing, binary, unknown format)."""


class RowProblem(IngestError):
    """One record cannot be imported: the field (or line) that shows it, and why.

    Readers raise it while parsing a record and turn it into a quarantined row; it
    never stops an import.
    """

    def __init__(self, field: str | None, reason: str, *, line: int | None = None) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        #: the line of the file where the problem shows, when the reader knows it
        self.line = line

    def __reduce__(self) -> tuple[Any, ...]:
        return (RowProblem, (self.field, self.reason), {"line": self.line})


class TaxonomyError(IngestError):
    """The taxonomy file cannot be used as it is."""


class MissionError(TicketlensError):
    """The mission file is missing or says something ticketlens cannot use."""


class NotFound(TicketlensError):
    """An id that does not exist in the store."""


class ReviewError(TicketlensError):
    """A review action cannot be applied."""


class InvalidTransition(ReviewError):
    """The review state machine does not allow this change of state."""


__all__ = [
    "IngestError",
    "InvalidTransition",
    "MissingExtra",
    "MissionError",
    "NotFound",
    "ReviewError",
    "RowProblem",
    "SettingsError",
    "StoreError",
    "TaxonomyError",
    "TicketlensError",
    "UnreadableFile",
    "WorkspaceError",
    "WorkspaceNotFound",
]
