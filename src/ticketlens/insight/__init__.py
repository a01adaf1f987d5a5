"""Insight: the readers that put the stages together for people.

The outcome roll-up (per user outcome, the approved themes blocking it and their
tickets), the service map (systems, journey steps and hot spots from approved
links) and the charts that draw them. Readers only read; they draft nothing.
"""

from ticketlens.insight.charts import render, service_map_chart
from ticketlens.insight.rollup import outcome_rollup
from ticketlens.insight.servicemap import mark_hot_spot, service_map

__all__ = ["mark_hot_spot", "outcome_rollup", "render", "service_map", "service_map_chart"]
