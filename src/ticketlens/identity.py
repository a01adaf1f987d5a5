"""Who is acting: recorded with every review, curation and import."""

from __future__ import annotations

import getpass


def resolve_actor(explicit: str | None = None, configured: str | None = None) -> str:
    """``--as NAME``, else the ``identity.user`` setting (TICKETLENS_USER), else the OS user."""
    for candidate in (explicit, configured):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"
