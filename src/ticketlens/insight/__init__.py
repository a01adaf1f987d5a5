"""Insight: the readers that put the stages together for people.

The outcome roll-up (per user outcome, the approved themes blocking it and their
tickets), the service map (systems, journey steps and hot spots from approved
links) and the charts that draw them. Readers only read; they draft nothing.
Names are imported on first use: the charts pull in Altair, which most commands
never need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ticketlens.insight.charts import render, service_map_chart
    from ticketlens.insight.rollup import outcome_rollup
    from ticketlens.insight.servicemap import mark_hot_spot, service_map

_HOME_OF = {
    "render": "ticketlens.insight.charts",
    "service_map_chart": "ticketlens.insight.charts",
    "outcome_rollup": "ticketlens.insight.rollup",
    "mark_hot_spot": "ticketlens.insight.servicemap",
    "service_map": "ticketlens.insight.servicemap",
}

__all__ = ["mark_hot_spot", "outcome_rollup", "render", "service_map", "service_map_chart"]


def __getattr__(name: str) -> Any:
    home = _HOME_OF.get(name)
    if home is None:
        raise AttributeError(f"module 'ticketlens.insight' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
