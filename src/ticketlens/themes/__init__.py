"""Themes: the recurring issues in a team's tickets.

- :mod:`.engine`: the algorithms; :func:`discover_texts` is the one entry point of
  discovery, for any list of texts;
- :func:`run_discovery` runs it over a workspace's tickets and keeps the result,
  continuing the themes the team knows; :func:`assign_new` places new tickets;
- :mod:`.curation` holds people's decisions, :mod:`.seeds` a team's own taxonomy,
  :mod:`.catalog` reads it all back.

Names are imported on first use: discovery pulls in scikit-learn and the models,
which take seconds, and most commands need neither.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ticketlens.store.schema import (
        ACCEPTED_THEME_STATES,
        HOLDING_THEME_STATES,
        LIVE_THEME_STATES,
        MATCHABLE_THEME_STATES,
        THEME_STATES,
    )
    from ticketlens.themes.catalog import (
        current_labels,
        get_theme,
        iter_assignments,
        list_themes,
        run_changes,
        run_summary,
        theme_counts,
    )
    from ticketlens.themes.corpus import ticket_text
    from ticketlens.themes.curation import (
        accept,
        dismiss,
        merge,
        move,
        pin,
        rename,
        retire,
        split,
        theme_history,
        unpin,
    )
    from ticketlens.themes.engine import (
        UNCLEAR,
        Discovery,
        DiscoveryOptions,
        ParentGroup,
        Theme,
        clean_text,
        discover_texts,
    )
    from ticketlens.themes.increment import Increment, assign_new
    from ticketlens.themes.runs import run_discovery
    from ticketlens.themes.seeds import read_taxonomy, seed_themes

_HOMES = {
    "ticketlens.store.schema": (
        "ACCEPTED_THEME_STATES",
        "HOLDING_THEME_STATES",
        "LIVE_THEME_STATES",
        "MATCHABLE_THEME_STATES",
        "THEME_STATES",
    ),
    "ticketlens.themes.catalog": (
        "current_labels",
        "get_theme",
        "iter_assignments",
        "list_themes",
        "run_changes",
        "run_summary",
        "theme_counts",
    ),
    "ticketlens.themes.curation": (
        "accept",
        "dismiss",
        "merge",
        "move",
        "pin",
        "rename",
        "retire",
        "split",
        "theme_history",
        "unpin",
    ),
    "ticketlens.themes.engine": (
        "UNCLEAR",
        "Discovery",
        "DiscoveryOptions",
        "ParentGroup",
        "Theme",
        "clean_text",
        "discover_texts",
    ),
    "ticketlens.themes.corpus": ("ticket_text",),
    "ticketlens.themes.increment": ("Increment", "assign_new"),
    "ticketlens.themes.runs": ("run_discovery",),
    "ticketlens.themes.seeds": ("read_taxonomy", "seed_themes"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "ACCEPTED_THEME_STATES",
    "HOLDING_THEME_STATES",
    "LIVE_THEME_STATES",
    "MATCHABLE_THEME_STATES",
    "THEME_STATES",
    "UNCLEAR",
    "Discovery",
    "DiscoveryOptions",
    "Increment",
    "ParentGroup",
    "Theme",
    "accept",
    "assign_new",
    "clean_text",
    "current_labels",
    "discover_texts",
    "dismiss",
    "get_theme",
    "iter_assignments",
    "list_themes",
    "merge",
    "move",
    "pin",
    "read_taxonomy",
    "rename",
    "retire",
    "run_changes",
    "run_discovery",
    "run_summary",
    "seed_themes",
    "split",
    "theme_counts",
    "theme_history",
    "ticket_text",
    "unpin",
]


def __getattr__(name: str) -> Any:
    home = _HOME_OF.get(name)
    if home is None:
        raise AttributeError(f"module 'ticketlens.themes' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
