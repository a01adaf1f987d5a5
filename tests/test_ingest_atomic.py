"""An import lands whole or not at all, even when its process is killed mid-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ticketlens import pipeline
from ticketlens.ingest import Counts
from ticketlens.store.schema import Import, Message, QuarantinedRow, Requester, Ticket
from ticketlens.workspace import Workspace


def snapshot(ws: Workspace) -> dict[str, object]:
    """Everything an import writes, to compare before and after."""
    with ws.store.session() as s:
        return {
            "tickets": s.execute(
                select(
                    Ticket.source, Ticket.external_id, Ticket.body, Ticket.content_hash
                ).order_by(Ticket.id)
            ).all(),
            "messages": s.scalar(select(func.count()).select_from(Message)),
            "requesters": s.scalar(select(func.count()).select_from(Requester)),
            "imports": s.scalar(select(func.count()).select_from(Import)),
            "quarantine": s.scalar(select(func.count()).select_from(QuarantinedRow)),
        }


def write_big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,text,requester,created_at\n")
        for i in range(rows):
            text = "" if i % 97 == 0 else f"Ticket number {i} about a late card"
            fh.write(f"{i},{text},cust{i % 500},2026-02-{1 + i % 28:02d} 10:00\n")


def test_exception_after_a_batch_leaves_store_unchanged(
    workspace: Workspace, tmp_path: Path
) -> None:
    seed = tmp_path / "seed.csv"
    seed.write_text("id,text\n1,Already here\n", encoding="utf-8")
    pipeline.ingest(workspace, [seed])
    before = snapshot(workspace)
    big = tmp_path / "big.csv"
    write_big_csv(big, 5000)

    def explode(batches: int, counts: Counts) -> None:
        assert counts.read > 0
        if batches == 2:
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        pipeline.ingest(workspace, [big], on_batch=explode)
    assert snapshot(workspace) == before


@pytest.mark.parametrize("parallel_from_mb", [-1, 0], ids=["inline", "child-process"])
def test_killed_import_leaves_store_unchanged(
    workspace: Workspace, tmp_path: Path, parallel_from_mb: int
) -> None:
    """SIGKILL the CLI after it reports a written batch; nothing of that import remains."""
    seed = tmp_path / "seed.csv"
    seed.write_text("id,text\n1,Already here\n2,Also here\n", encoding="utf-8")
    pipeline.ingest(workspace, [seed])
    config = workspace.root / "ticketlens.toml"
    text = (
        config.read_text(encoding="utf-8")
        .replace("# batch_size = 2000", "batch_size = 50")
        .replace("# parallel_from_mb = 8", f"parallel_from_mb = {parallel_from_mb}")
    )
    config.write_text(text, encoding="utf-8")
    before = snapshot(workspace)
    big = tmp_path / "big.csv"
    write_big_csv(big, 20_000)

    command = [
        sys.executable,
        "-m",
        "ticketlens",
        "-v",
        "--workspace",
        str(workspace.root),
        "--db",
        workspace.database_url,
        "ingest",
        str(big),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETLENS_")}
    seen = []
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True
    ) as proc:
        assert proc.stderr is not None
        deadline = time.monotonic() + 60
        for line in proc.stderr:
            seen.append(line)
            if "batch 3 written" in line:
                proc.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline, "import never reported a batch"
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    assert any("batch 2 written" in line for line in seen)

    workspace.store.engine.dispose()  # fresh connections see only what was committed
    assert snapshot(workspace) == before
    # And the workspace still works: the same import, run to the end, lands whole.
    result = pipeline.ingest(workspace, [big])
    assert result.counts.read == 20_000
    assert snapshot(workspace)["imports"] == before["imports"] + 1  # type: ignore[operator]
