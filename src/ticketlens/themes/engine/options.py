"""The knobs of discovery, built from the workspace settings in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ticketlens.settings import Settings

#: Called with the name of each step as it starts, for progress displays.
Progress = Callable[[str], None]

# The defaults are the workspace settings' (declared once, in ticketlens.settings).
_DEFAULTS = Settings()


@dataclass(frozen=True)
class DiscoveryOptions:
    """The knobs of discovery; defaults were chosen on the bench sets (bench/themes)."""

    model: str = _DEFAULTS.theme_model
    #: texts the transformer embeds to fit the static model to this corpus
    teacher_sample: int = _DEFAULTS.theme_teacher_sample
    #: texts clustered directly; the rest are assigned to the themes found
    discovery_sample: int = _DEFAULTS.theme_discovery_sample
    neighbours: int = 15
    #: Leiden resolution: higher finds more, finer themes (None: chosen from the data)
    resolution: float | None = _DEFAULTS.theme_resolution
    min_theme_size: int = _DEFAULTS.theme_min_size
    #: cosine to the theme's nearest prototype below which a text is "unclear"
    unclear_below: float = _DEFAULTS.theme_unclear_below
    #: a re-run moves a ticket to another theme only if it fits it better by this much
    stickiness: float = _DEFAULTS.theme_stickiness
    #: the model the embedding model is fitted to on a sample
    teacher: str = _DEFAULTS.theme_teacher
    #: themes per language (False: one set of themes for all, with a multilingual model)
    by_language: bool = _DEFAULTS.theme_by_language
    #: distinct texts a language needs for themes of its own
    language_min: int = _DEFAULTS.theme_language_min
    seed: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> DiscoveryOptions:
        """The options a workspace's settings ask for."""
        return cls(
            model=settings.theme_model,
            teacher=settings.theme_teacher,
            teacher_sample=settings.theme_teacher_sample,
            discovery_sample=settings.theme_discovery_sample,
            resolution=settings.theme_resolution,
            min_theme_size=settings.theme_min_size,
            unclear_below=settings.theme_unclear_below,
            stickiness=settings.theme_stickiness,
            by_language=settings.theme_by_language,
            language_min=settings.theme_language_min,
        )
