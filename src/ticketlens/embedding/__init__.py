"""Text embeddings: a small interface, a registry, and the models ticketlens ships.

Two models ship inside the package (see ``models/README.md``): a static model that
embeds every ticket quickly, and an ONNX encoder used on a sample (the teacher of
:mod:`ticketlens.themes.engine.adapt`). Neither needs torch or the network. A
sentence-transformers model can replace either through the optional extra, and
``hashing`` (no model at all) stands in for both where meaning is not the point.
"""

from ticketlens.embedding._base import Embedder, Vectors, normalise
from ticketlens.embedding._registry import (
    DEFAULT_MODEL,
    HASHING_MODEL,
    TEACHER_MODEL,
    embedder_factory,
    embedder_names,
    load_embedder,
    load_teacher,
    register_embedder,
)

__all__ = [
    "DEFAULT_MODEL",
    "HASHING_MODEL",
    "TEACHER_MODEL",
    "Embedder",
    "Vectors",
    "embedder_factory",
    "embedder_names",
    "load_embedder",
    "load_teacher",
    "normalise",
    "register_embedder",
]
