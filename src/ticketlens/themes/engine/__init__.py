"""The theme engine: pure algorithms over texts and vectors, no store, no workspace.

:func:`discover_texts` is its one entry point (texts in, themes out, known themes
continued); the product, the benchmark and the tests call it. The increment reuses
its parts to place new texts (:class:`Adapter`, :class:`Prototypes`) and to gather
unclear ones into proposals (:func:`group_vectors`, :func:`describe_members`).
"""

from ticketlens.themes.engine.adapt import Adapter
from ticketlens.themes.engine.cleaning import Boilerplate, clean_text
from ticketlens.themes.engine.discover import (
    Discovery,
    ParentGroup,
    Prior,
    Theme,
    discover_texts,
)
from ticketlens.themes.engine.distinct_labels import label_key, tell_apart
from ticketlens.themes.engine.granularity import Granularity, sweep_table
from ticketlens.themes.engine.grouping import UNCLEAR, Grouping, group_vectors
from ticketlens.themes.engine.labels import Described, Meaning, describe_members
from ticketlens.themes.engine.languages import ALL_LANGUAGES, language_groups, resolve_languages
from ticketlens.themes.engine.options import DiscoveryOptions, Progress
from ticketlens.themes.engine.prototypes import Prototypes
from ticketlens.themes.engine.reconcile import LIVE, Known, Reconciled, closest, unit

__all__ = [
    "ALL_LANGUAGES",
    "LIVE",
    "UNCLEAR",
    "Adapter",
    "Boilerplate",
    "Described",
    "Discovery",
    "DiscoveryOptions",
    "Granularity",
    "Grouping",
    "Known",
    "Meaning",
    "ParentGroup",
    "Prior",
    "Progress",
    "Prototypes",
    "Reconciled",
    "Theme",
    "clean_text",
    "closest",
    "describe_members",
    "discover_texts",
    "group_vectors",
    "label_key",
    "language_groups",
    "resolve_languages",
    "sweep_table",
    "tell_apart",
    "unit",
]
