"""Themes: the recurring issues in a team's tickets."""

from ticketlens.themes.discover import (
    UNCLEAR,
    Discovery,
    DiscoveryOptions,
    ParentGroup,
    Theme,
    discover_texts,
)

__all__ = ["UNCLEAR", "Discovery", "DiscoveryOptions", "ParentGroup", "Theme", "discover_texts"]
