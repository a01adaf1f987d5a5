"""Text embeddings: a small interface and the models ticketlens ships.

Two models ship inside the package (see ``models/README.md``): a static model that
embeds every ticket quickly, and an ONNX encoder used on a sample (the teacher of
:mod:`ticketlens.themes.adapt`). Neither needs torch or the network. A
sentence-transformers model can replace the static one through the optional extra.
"""

from ticketlens.embedding._base import Embedder, normalise
from ticketlens.embedding._registry import DEFAULT_MODEL, load_embedder, load_teacher

__all__ = ["DEFAULT_MODEL", "Embedder", "load_embedder", "load_teacher", "normalise"]
