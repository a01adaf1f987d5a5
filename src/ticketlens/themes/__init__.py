"""Themes: the recurring issues in a team's tickets.

``discover_texts`` groups any list of texts; ``runs.run_discovery`` does it for a
workspace and reconciles the result with the themes it already has (``reconcile``);
``increment.assign_new`` places new tickets; ``curation`` holds people's decisions;
``seeds`` a team's own taxonomy; ``catalog`` reads it all back. Names are imported on
first use: discovery pulls in scikit-learn and the models, which take seconds.
"""

from __future__ import annotations

from typing import Any

__all__ = ["UNCLEAR", "Discovery", "DiscoveryOptions", "ParentGroup", "Theme", "discover_texts"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ticketlens.themes import discover

        return getattr(discover, name)
    raise AttributeError(name)
