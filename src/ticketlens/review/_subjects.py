"""What a review item is about: its kind, and the subject it drafts something for.

The subject is a string key (``theme:12``) so that any stage can draft into the one
review table; this module is the only place that spells or parses it.
"""

from __future__ import annotations

#: a theme's draft label (and keywords)
THEME_LABEL = "theme-label"
#: a theme's mission-risk, desired-outcome, guardrail or note
THEME_ANNOTATION = "theme-annotation"
#: two themes that look like one issue: merge ``subject`` into ``target`` (approving merges)
THEME_MERGE = "theme-merge"
#: link field of a theme -> the kind of its link suggestion
LINK_KINDS: dict[str, str] = {
    "outcome": "theme-outcome",
    "system": "theme-system",
    "step": "theme-step",
}
KINDS = (THEME_LABEL, *LINK_KINDS.values(), THEME_ANNOTATION, THEME_MERGE)

_THEME = "theme:"


def theme_subject(theme_id: int) -> str:
    """The subject of drafts about theme ``theme_id``."""
    return f"{_THEME}{theme_id}"


def subject_theme(subject: str) -> int | None:
    """The theme a subject names, or None when it names something else."""
    if not subject.startswith(_THEME):
        return None
    number = subject.removeprefix(_THEME)
    return int(number) if number.isdigit() else None


def link_target(field: str, value: str) -> str:
    """The target of a link suggestion: ``outcome:activate-card``."""
    return f"{field}:{value}"


def target_value(target: str) -> str:
    """The id a link target points to: ``outcome:activate-card`` -> ``activate-card``."""
    return target.split(":", 1)[1] if ":" in target else target
