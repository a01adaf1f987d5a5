"""The mission linkage: the team's mission file, and each theme tied to it.

- :mod:`._file`: the mission file (outcomes, systems with owners, the journey),
  validated with errors that name the file, line and field;
- :mod:`.links`: suggested links from each theme to the outcome it blocks, the system
  it comes from and the journey step, and the links people approved;
- :mod:`.annotations`: mission risk, desired outcome, guardrail and notes on a theme.

Later stages find a theme's outcome and owner here (:func:`approved_links`).
"""

from ticketlens.mission._file import (
    FILE_NAMES,
    JourneyStep,
    Metric,
    Mission,
    Outcome,
    System,
    find_mission_file,
    load_mission,
    load_workspace_mission,
)
from ticketlens.mission.annotations import TYPES as ANNOTATION_TYPES
from ticketlens.mission.annotations import annotate, theme_annotations
from ticketlens.mission.links import approved_links, suggest_links, theme_links

__all__ = [
    "ANNOTATION_TYPES",
    "FILE_NAMES",
    "JourneyStep",
    "Metric",
    "Mission",
    "Outcome",
    "System",
    "annotate",
    "approved_links",
    "find_mission_file",
    "load_mission",
    "load_workspace_mission",
    "suggest_links",
    "theme_annotations",
    "theme_links",
]
