"""Properties of the committed Harbor Bank sample (src/ticketlens/sample).

These tests read only the committed files; regenerating the sample needs
../shared/data/banking77 and is done with `python scripts/make_sample.py`.
"""

from __future__ import annotations

import csv
import json
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

SAMPLE = Path(__file__).parents[1] / "src/ticketlens/sample"
START, END = date(2026, 7, 6), date(2026, 10, 25)
N_DAYS = (END - START).days + 1
TICKET_KEYS = [
    "id",
    "created_at",
    "first_response_at",
    "solved_at",
    "status",
    "channel",
    "priority",
    "requester",
    "subject",
    "text",
    "tags",
    "product_area",
    "app_version",
    "group",
    "handoffs",
    "csat",
    "reopens",
    "messages",
]


@pytest.fixture(scope="module")
def tickets():
    with open(SAMPLE / "tickets.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def issue_of():
    with open(SAMPLE / "issues.csv", newline="", encoding="utf-8") as fh:
        return {row["id"]: row["issue"] for row in csv.DictReader(fh)}


def _yaml(name):
    with open(SAMPLE / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def mission():
    return _yaml("mission.yaml")


@pytest.fixture(scope="module")
def ground_truth():
    return _yaml("ground_truth.yaml")


@pytest.fixture(scope="module")
def story():
    return _yaml("story.yaml")


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


def local_day(s: str) -> date:
    return datetime.fromisoformat(s).date()  # the wall-clock date in Europe/London


def daily(tickets, issue_of, issue_id):
    c = Counter(local_day(t["created_at"]) for t in tickets if issue_of[t["id"]] == issue_id)
    return [c[START + timedelta(days=i)] for i in range(N_DAYS)]


def event(story, kind):
    found = [e for e in story["events"] if e["type"] == kind]
    assert len(found) == 1, kind
    return found[0]


# --------------------------------------------------------------------------- format


def test_ticket_keys_and_ids(tickets):
    assert len(tickets) > 3000
    assert all(list(t) == TICKET_KEYS for t in tickets)
    assert [t["id"] for t in tickets] == [f"HB-{i:06d}" for i in range(1, len(tickets) + 1)]
    created = [ts(t["created_at"]) for t in tickets]
    assert created == sorted(created)


def test_period_and_london_offsets(tickets):
    days = {local_day(t["created_at"]) for t in tickets}
    assert min(days) == START
    assert max(days) == END
    for t in tickets:
        for s in [t["created_at"], t["first_response_at"], t["solved_at"]] + [
            m["created_at"] for m in t["messages"]
        ]:
            if s is None:
                continue
            dt = ts(s)
            # Europe/London: BST (+01:00) until 2026-10-25 02:00 local, then GMT (+00:00)
            want = 1 if dt.replace(tzinfo=None) < datetime(2026, 10, 25, 2) else 0
            assert dt.utcoffset() == timedelta(hours=want), s


def test_timestamps_ordered_per_ticket(tickets):
    end = datetime(2026, 10, 25, 23, 59, 59)
    for t in tickets:
        c = ts(t["created_at"])
        msgs = t["messages"]
        times = [ts(m["created_at"]) for m in msgs]
        assert msgs[0]["role"] == "customer", t["id"]
        assert msgs[0]["body"] == t["text"], t["id"]
        assert times[0] == c, t["id"]
        assert times == sorted(times), t["id"]
        assert all(x.replace(tzinfo=None) <= end for x in times), t["id"]
        if t["first_response_at"]:
            fr = ts(t["first_response_at"])
            assert fr > c, t["id"]
            assert ts(next(m for m in msgs if m["role"] == "agent")["created_at"]) == fr
        if t["solved_at"]:
            so = ts(t["solved_at"])
            assert t["first_response_at"], t["id"]
            assert so > ts(t["first_response_at"]), t["id"]
            assert so.replace(tzinfo=None) <= end, t["id"]
            assert all(x <= so for x in times), t["id"]
            assert t["status"] in ("solved", "closed")
        else:
            assert t["status"] in ("open", "pending")


def test_no_issue_ids_in_tickets(ground_truth):
    raw = (SAMPLE / "tickets.jsonl").read_text(encoding="utf-8")
    for issue in ground_truth["issues"]:
        assert f'"{issue["id"]}"' not in raw


# --------------------------------------------------------------------------- texts and issues


def test_text_reuse_at_most_three(tickets):
    reuse = Counter(t["text"] for t in tickets)
    assert max(reuse.values()) <= 3
    assert len(reuse) > 0.7 * len(tickets)


def test_issues_csv_matches_tickets(tickets, issue_of, ground_truth):
    ids = {t["id"] for t in tickets}
    assert set(issue_of) <= ids
    assert set(issue_of) == ids
    assert set(issue_of.values()) <= {i["id"] for i in ground_truth["issues"]}


def test_at_least_25_issues(issue_of, ground_truth):
    issues = ground_truth["issues"]
    assert len(issues) >= 25
    assert len(set(issue_of.values())) >= 25
    for i in issues:
        assert 2 <= len(i["label"].split()) <= 5
        assert i["intents"]


def test_main_issues_at_least_5_per_day(issue_of, ground_truth):
    per_day = {k: v / N_DAYS for k, v in Counter(issue_of.values()).items()}
    main = [k for k, v in per_day.items() if v >= 5.0]
    assert 4 <= len(main) <= 6, per_day
    merged = {i["id"] for i in ground_truth["issues"] if len(i["intents"]) >= 2}
    assert set(main) <= merged  # main issues lump related intents


def test_ground_truth_ids_exist_in_mission(mission, ground_truth):
    outcomes = {o["id"] for o in mission["outcomes"]}
    systems = {s["id"] for s in mission["systems"]}
    steps = {j["id"] for j in mission["journey"]}
    assert 4 <= len(outcomes) <= 6
    assert 5 <= len(systems) <= 8
    for i in ground_truth["issues"]:
        assert i["outcome"] in outcomes, i["id"]
        assert i["system"] in systems, i["id"]
        assert i["journey_step"] in steps, i["id"]
    assert outcomes == {i["outcome"] for i in ground_truth["issues"]}
    assert systems == {i["system"] for i in ground_truth["issues"]}


# --------------------------------------------------------------------------- story


def test_spike_at_least_3x_for_5_days(tickets, issue_of, story):
    ev = event(story, "vendor-change")
    change = date.fromisoformat(ev["date"])
    assert change.weekday() == 1  # a Tuesday
    counts = daily(tickets, issue_of, ev["issues"][0])
    vi = (change - START).days
    pre = statistics.fmean(counts[vi - 28 : vi])
    run = best = 0
    for c in counts[vi : vi + 21]:
        run = run + 1 if c >= 3 * pre else 0
        best = max(best, run)
    assert best >= 5, (pre, counts[vi : vi + 14])


def test_post_fix_halving(tickets, issue_of, story):
    change = date.fromisoformat(event(story, "vendor-change")["date"])
    fix = event(story, "fix")
    fix_day = date.fromisoformat(fix["date"])
    counts = daily(tickets, issue_of, fix["issues"][0])
    vi = (change - START).days
    pre = statistics.fmean(counts[vi - 28 : vi])
    monday = fix_day + timedelta(days=7 - fix_day.weekday())
    post = counts[(monday - START).days :]
    assert len(post) >= 35  # >= 5 full weeks after the fix
    assert 0.4 <= statistics.fmean(post) / pre <= 0.6


def test_rising_issue(tickets, issue_of, story):
    rid = story["rising_issue"]["id"]
    counts = daily(tickets, issue_of, rid)
    ratio = statistics.fmean(counts[-28:]) / statistics.fmean(counts[:28])
    assert 2.0 <= ratio <= 3.0
    blocks = [sum(counts[i : i + 28]) for i in range(0, N_DAYS, 28)]
    assert blocks == sorted(blocks)  # steady rise, 4-week blocks
    assert all(rid not in e["issues"] for e in story["events"] if e["type"] == "fix")


# --------------------------------------------------------------------------- shape


def test_weekday_pattern(tickets):
    by_day = Counter(local_day(t["created_at"]) for t in tickets)
    dow = defaultdict(list)
    for i in range(N_DAYS):
        d = START + timedelta(days=i)
        dow[d.weekday()].append(by_day[d])
    means = [statistics.fmean(dow[k]) for k in range(7)]
    assert means[0] == max(means)
    assert 0.45 <= statistics.fmean(means[5:]) / statistics.fmean(means[:5]) <= 0.60


def test_csat_coverage(tickets):
    solved = [t for t in tickets if t["status"] in ("solved", "closed")]
    rated = [t for t in solved if t["csat"] is not None]
    assert 0.25 <= len(rated) / len(solved) <= 0.35
    assert all(t["csat"] in (1, 2, 3, 4, 5) for t in rated)
    assert all(t["csat"] is None for t in tickets if t["status"] in ("open", "pending"))
    ho = statistics.fmean(t["csat"] for t in rated if t["handoffs"])
    no_ho = statistics.fmean(t["csat"] for t in rated if not t["handoffs"])
    assert ho < no_ho


def test_reopen_share(tickets):
    share = sum(t["reopens"] >= 1 for t in tickets) / len(tickets)
    assert 0.03 <= share <= 0.07
    assert max(t["reopens"] for t in tickets) <= 2


def test_handoff_share(tickets):
    share = sum(t["handoffs"] >= 1 for t in tickets) / len(tickets)
    assert 0.08 <= share <= 0.17


def test_repeat_contact_share(tickets):
    by_req = defaultdict(list)
    for t in tickets:
        by_req[t["requester"]].append(ts(t["created_at"]))
    repeat = sum(
        any(b - a <= timedelta(days=7) for a, b in pairwise(v)) for v in by_req.values()
    ) / len(by_req)
    assert 0.10 <= repeat <= 0.20
    three = sum(len(v) >= 3 for v in by_req.values()) / len(by_req)
    assert 0.03 <= three <= 0.08
