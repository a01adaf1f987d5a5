"""A model-free embedder: words and word pairs hashed into a fixed number of dimensions.

Deterministic and instant, it groups texts by the words they share and nothing more.
It is the pass-through of the embedding stage: for tests of everything around the
models, and for teams that want themes without a semantic model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ticketlens.embedding._base import Vectors, normalise

DIMENSIONS = 1024


class HashingEmbedder:
    def __init__(self, dimensions: int = DIMENSIONS, name: str = "hashing") -> None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer

        self.name = name
        self.dimensions = dimensions
        self._vectorizer = HashingVectorizer(
            n_features=dimensions,
            ngram_range=(1, 2),
            stop_words=sorted(ENGLISH_STOP_WORDS - {"not", "no", "never", "cannot"}),
            alternate_sign=False,
            norm=None,
        )

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        counts = self._vectorizer.transform(list(texts))
        return normalise(np.sqrt(counts.toarray()))
