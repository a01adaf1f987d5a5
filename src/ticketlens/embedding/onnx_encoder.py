"""A transformer sentence encoder run by onnxruntime (the shipped MiniLM, int8)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ticketlens.embedding._base import Vectors, normalise

# Tickets say what is wrong early; 64 word pieces keep the cost bounded on long tickets.
MAX_TOKENS = 64
BATCH = 64


class OnnxEncoder:
    """Mean-pooled transformer embeddings; about 100x slower than the static model."""

    def __init__(self, folder: Path, name: str, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = name
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0)

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        # Similar lengths share a batch, so little time goes to padding.
        order = np.argsort([len(text) for text in texts], kind="stable")
        for start in range(0, len(texts), BATCH):
            rows = order[start : start + BATCH]
            encoded = self._tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            (pooled,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[rows] = pooled
        return normalise(out)
