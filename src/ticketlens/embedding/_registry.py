"""Find an embedder by name. Built-ins register here exactly as a plugin would.

``st:NAME`` names any sentence-transformers model (the ``st`` extra).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from ticketlens.embedding._base import Embedder
from ticketlens.errors import SettingsError

MODELS = Path(__file__).parent / "models"
DEFAULT_MODEL = "static-minilm-256"
TEACHER_MODEL = "minilm-l6-int8"
HASHING_MODEL = "hashing"
SENTENCE_TRANSFORMERS = "st:"

_FACTORIES: dict[str, Callable[[], Embedder]] = {}


def register_embedder(name: str, factory: Callable[[], Embedder]) -> None:
    """Make ``name`` a value of ``themes.model`` / ``themes.teacher``; ``factory`` builds it."""
    _FACTORIES[name] = factory
    load_embedder.cache_clear()


def embedder_factory(name: str) -> Callable[[], Embedder]:
    """What builds ``name``: a plugin may wrap a built-in (a cache, a remote service).

    Raises:
        SettingsError: No embedder has that name.
    """
    factory = _FACTORIES.get(name)
    if factory is None:
        raise SettingsError(
            f"unknown embedding model {name!r}", hint=f"use {', '.join(embedder_names())}"
        )
    return factory


def embedder_names() -> list[str]:
    return [*_FACTORIES, f"{SENTENCE_TRANSFORMERS}<sentence-transformers model>"]


@cache
def load_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """The embedder called ``name``; loaded once per process (models take ~1 s to load).

    Raises:
        SettingsError: No embedder has that name.
        MissingExtra: It needs an optional dependency that is not installed.
    """
    if name.startswith(SENTENCE_TRANSFORMERS):
        from ticketlens.embedding.sentence_transformers import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(name.removeprefix(SENTENCE_TRANSFORMERS))
    return embedder_factory(name)()


def load_teacher(name: str = TEACHER_MODEL) -> Embedder:
    """The model discovery fits the embedding model to (default: the shipped transformer)."""
    return load_embedder(name)


def _static() -> Embedder:
    from ticketlens.embedding.static import StaticEmbedder

    return StaticEmbedder(MODELS / DEFAULT_MODEL, DEFAULT_MODEL)


def _transformer() -> Embedder:
    from ticketlens.embedding.onnx_encoder import OnnxEncoder

    return OnnxEncoder(MODELS / TEACHER_MODEL, TEACHER_MODEL)


def _hashing() -> Embedder:
    from ticketlens.embedding.hashing import HashingEmbedder

    return HashingEmbedder(name=HASHING_MODEL)


register_embedder(DEFAULT_MODEL, _static)
register_embedder(TEACHER_MODEL, _transformer)
register_embedder(HASHING_MODEL, _hashing)
