"""Review: anything interpretive is a draft until a person has reviewed it.

One package owns the drafts of every stage: the state machine (:func:`suggest`,
:func:`transition`), the queue a person works through (:func:`list_items`,
:func:`get_item`, :func:`decide`, :func:`edit_item`), the kinds of item and the
subject they are about (:func:`theme_subject`). Surfaces only translate.
"""

from ticketlens.review._queue import (
    REASON_REQUIRED,
    decide,
    edit_item,
    edited_payload,
    get_item,
    item_summary,
    list_items,
)
from ticketlens.review._states import REVIEW_STATES, TRANSITIONS, get, items, suggest, transition
from ticketlens.review._subjects import (
    KINDS,
    LINK_KINDS,
    THEME_ANNOTATION,
    THEME_LABEL,
    THEME_MERGE,
    link_target,
    subject_theme,
    target_value,
    theme_subject,
)

__all__ = [
    "KINDS",
    "LINK_KINDS",
    "REASON_REQUIRED",
    "REVIEW_STATES",
    "THEME_ANNOTATION",
    "THEME_LABEL",
    "THEME_MERGE",
    "TRANSITIONS",
    "decide",
    "edit_item",
    "edited_payload",
    "get",
    "get_item",
    "item_summary",
    "items",
    "link_target",
    "list_items",
    "subject_theme",
    "suggest",
    "target_value",
    "theme_subject",
    "transition",
]
