"""Find an embedder by name: the shipped models, or ``st:NAME`` for sentence-transformers."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ticketlens.embedding._base import Embedder
from ticketlens.errors import SettingsError

MODELS = Path(__file__).parent / "models"
DEFAULT_MODEL = "static-minilm-256"
TEACHER_MODEL = "minilm-l6-int8"


@cache
def load_embedder(name: str = DEFAULT_MODEL) -> Embedder:
    """The embedder called ``name``; loaded once per process (models take ~1 s to load)."""
    if name == DEFAULT_MODEL:
        from ticketlens.embedding.static import StaticEmbedder

        return StaticEmbedder(MODELS / DEFAULT_MODEL, name)
    if name == TEACHER_MODEL:
        return load_teacher()
    if name.startswith("st:"):
        from ticketlens.embedding.sentence_transformers import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(name.removeprefix("st:"))
    raise SettingsError(
        f"unknown embedding model {name!r}",
        hint=f"use {DEFAULT_MODEL}, {TEACHER_MODEL} or st:<sentence-transformers model>",
    )


@cache
def load_teacher() -> Embedder:
    """The shipped transformer encoder that discovery fits the static model to."""
    from ticketlens.embedding.onnx_encoder import OnnxEncoder

    return OnnxEncoder(MODELS / TEACHER_MODEL, TEACHER_MODEL)
