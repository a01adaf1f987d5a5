"""`ticketlens demo`: the bundled sample, end to end, offline."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ticketlens.cli import cli
from ticketlens.sample import sample_file


def sample_ticket_count() -> int:
    with sample_file("tickets.jsonl").open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def test_demo_builds_a_workspace_and_is_rerunnable(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "demo"
    total = sample_ticket_count()

    first = runner.invoke(cli, ["demo", str(target)])
    assert first.exit_code == 0, first.output
    assert (
        f"read {total}, new {total}, updated 0, unchanged 0, threaded 0, quarantined 0, skipped 0"
        in first.output
    )
    assert (target / "ticketlens.toml").is_file()
    assert (target / "mission.yaml").is_file()
    assert "Europe/London" in (target / "ticketlens.toml").read_text(encoding="utf-8")

    # The bank team's past decisions are applied; a few links still wait for review.
    assert "Applied the team's past decisions" in first.output
    assert (target / "servicemap.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    items = json.loads(
        runner.invoke(cli, ["--workspace", str(target), "review", "list", "--json"]).output
    )
    links = [i for i in items if i["kind"] in ("theme-outcome", "theme-system", "theme-step")]
    assert {i["state"] for i in links} == {"approved", "edited", "suggested"}
    assert sum(i["state"] == "suggested" for i in links) < len(links) / 4
    rollup = json.loads(
        runner.invoke(cli, ["--workspace", str(target), "outcomes", "--json"]).output
    )
    assert rollup["tickets_total"] > total / 2
    audit = json.loads(runner.invoke(cli, ["--workspace", str(target), "audit", "--json"]).output)
    assert any(e["actor"].endswith("(sample)") and e["action"] == "approve" for e in audit)

    second = runner.invoke(cli, ["demo", str(target)])
    assert second.exit_code == 0, second.output
    assert "0 links approved, 0 edited" in second.output
    assert f"new 0, updated 0, unchanged {total}, threaded 0, quarantined 0" in second.output

    status = runner.invoke(cli, ["--workspace", str(target), "status", "--json"])
    info = json.loads(status.output)
    assert info["tickets"] == total
    assert info["imports"] == 2
    assert info["requesters"] > 1000
    # Customer identifiers never reach the store in the clear.
    shown = runner.invoke(
        cli, ["--workspace", str(target), "tickets", "show", "sample:HB-000001", "--json"]
    )
    ticket = json.loads(shown.output)
    assert ticket["requester"].startswith("r_")
    customer_authors = {m["author"] for m in ticket["messages"] if m["role"] == "customer"}
    assert customer_authors == {ticket["requester"]}


def test_demo_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["demo", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith("Error:")
    assert "not empty" in result.output
