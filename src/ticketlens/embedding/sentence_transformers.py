"""Any sentence-transformers model (optional extra: ``pip install 'ticketlens[st]'``)."""

from __future__ import annotations

from collections.abc import Sequence

from ticketlens.embedding._base import Vectors, normalise
from ticketlens.errors import MissingExtra


class SentenceTransformerEmbedder:
    """Wraps ``SentenceTransformer(name)``; the model must already be on this machine."""

    def __init__(self, model_name: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise MissingExtra("sentence-transformers", "st") from None
        self.name = f"st:{model_name}"
        self._model = SentenceTransformer(model_name, device="cpu")

    def embed(self, texts: Sequence[str]) -> Vectors:
        return normalise(self._model.encode(list(texts), batch_size=64))
