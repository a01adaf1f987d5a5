"""Redaction of personal data in ticket text (ticketlens.privacy.redact)."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketlens.privacy.redact import (
    DEFAULT_PHONE_REGIONS,
    NO_REDACTION,
    Finding,
    Kind,
    Redactor,
    TextRedactor,
    placeholder,
)

from .conftest import FIXTURES

HARD_CASES = FIXTURES / "pii_hard_cases.jsonl"
REDACTOR = Redactor()


def load_cases() -> list[dict[str, Any]]:
    with HARD_CASES.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


CASES = load_cases()
POSITIVE_CASES = [c for c in CASES if c["pii"]]


def kinds_and_values(text: str, redactor: Redactor = REDACTOR) -> list[tuple[str, str]]:
    return [(f.kind.value, f.value) for f in redactor.find(text)]


# --------------------------------------------------------------------------- the fixture


def test_fixture_is_well_formed() -> None:
    assert len(CASES) >= 120
    texts = [c["text"] for c in CASES]
    assert len(set(texts)) == len(texts), "duplicate texts"
    for case in CASES:
        assert set(case) == {"text", "pii", "note"}
        assert case["note"]
        for item in case["pii"]:
            assert item["type"] in {k.value for k in Kind}
            assert item["value"] in case["text"]
    negatives = sum(1 for c in CASES if not c["pii"])
    assert 0.25 <= negatives / len(CASES) <= 0.45, "about a third should be negatives"
    assert {i["type"] for c in CASES for i in c["pii"]} == {k.value for k in Kind}


# --------------------------------------------------------------------------- per kind


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("From: Ann <ann@example.com>", "ann@example.com"),
        ("write to bob.smith+billing@mail.example.co.uk.", "bob.smith+billing@mail.example.co.uk"),
        ("mailto:carla.m@example.fr", "carla.m@example.fr"),
        ("It's josé@example.com", "josé@example.com"),
    ],
)
def test_email_found(text: str, value: str) -> None:
    assert kinds_and_values(text) == [("EMAIL", value)]


@pytest.mark.parametrize(
    "text", ["@AmazonHelp hi", "me@home", "user at example dot com", "__email__", "a@b"]
)
def test_email_not_found(text: str) -> None:
    assert REDACTOR.find(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("call +44 20 7946 0958 today", "+44 20 7946 0958"),
        ("cell (555) 123-4567", "(555) 123-4567"),
        ("from abroad 0044 20 7946 0958", "0044 20 7946 0958"),
        ("US +1-202-555-0143", "+1-202-555-0143"),
        ("my mobile is 07700 900123", "07700 900123"),
        ("Berlin +49 30 901820", "+49 30 901820"),
        ("desk 212-555-0199 x42 ok", "212-555-0199 x42"),
        ("Landline +44 20 7946 0958 ext. 123", "+44 20 7946 0958 ext. 123"),
    ],
)
def test_phone_found(text: str, value: str) -> None:
    assert kinds_and_values(text) == [("PHONE", value)]


@pytest.mark.parametrize(
    "text",
    [
        "on 2026-03-14 at 09:15",
        "on 14/03/2026",
        "batch 20260314",
        "£1,234.56 taken",
        "order 4155550123 shipped",  # a valid US number, but labelled as an order
        "Reference number is 16934380",
        "case ID PP-006-234-348-863",
        "@117212 2: mobile, can you send us",  # a handle followed by a list number
        "ref ABC2025550143",  # glued to letters
    ],
)
def test_phone_not_found(text: str) -> None:
    assert REDACTOR.find(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("card 4111 1111 1111 1111 ok", "4111 1111 1111 1111"),
        ("card 4012-8888-8888-1881 ok", "4012-8888-8888-1881"),
        ("Amex 3782 822463 10005", "3782 822463 10005"),
        ("amex 371449635398431", "371449635398431"),
        ("order 4242424242424242", "4242424242424242"),  # Luhn + card prefix wins
        ("card 4111 1111 1111 1111 2026", "4111 1111 1111 1111"),  # glued to a year
    ],
)
def test_card_found(text: str, value: str) -> None:
    assert kinds_and_values(text) == [("CARD", value)]


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",  # Luhn fails
        "order 9999999999999995",  # Luhn passes, no card prefix
        "IMEI 490154203237518",  # Luhn passes, Visa prefix but 15 digits
        "card ending 4242",
        "total 4111111111111111.50",  # a decimal number
    ],
)
def test_card_not_found(text: str) -> None:
    assert [k for k, _ in kinds_and_values(text)] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("IBAN GB82 WEST 1234 5698 7654 32 thanks", "GB82 WEST 1234 5698 7654 32"),
        ("pay GB33BUKB20201555555555", "GB33BUKB20201555555555"),
        ("DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
        ("FR14 2004 1010 0505 0001 3M02 606", "FR14 2004 1010 0505 0001 3M02 606"),
        ("to NL91 ABNA 0417 1643 00 and BIC ABNANL2A", "NL91 ABNA 0417 1643 00"),
        ("iban: gb82 west 1234 5698 7654 32", "gb82 west 1234 5698 7654 32"),
    ],
)
def test_iban_found(text: str, value: str) -> None:
    assert kinds_and_values(text) == [("IBAN", value)]


@pytest.mark.parametrize(
    "text",
    ["GB82 WEST 1234 5698 7654 33", "DE89 3704 0044 0532 0130 01", "GB82WEST12345698765432x"],
)
def test_iban_not_found(text: str) -> None:
    assert [k for k, _ in kinds_and_values(text)] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my IP is 192.168.1.20.", "192.168.1.20"),
        ("server 10.0.0.1:443", "10.0.0.1"),
        ("v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
        ("v6 2001:db8::ff00:42:8329 at 10:32", "2001:db8::ff00:42:8329"),
        ("loopback ::1", "::1"),
        ("mapped ::ffff:192.0.2.128", "::ffff:192.0.2.128"),
        ("[2001:db8::1]:8080", "2001:db8::1"),
    ],
)
def test_ip_found(text: str, value: str) -> None:
    assert kinds_and_values(text) == [("IP", value)]


@pytest.mark.parametrize(
    "text",
    [
        "app version 5.12.0.1",
        "v5.12.0.1",
        "updated to 1.2.3",
        "256.1.1.1",
        "1.2.3.4.5",
        "12:30:45",
        "MAC 00:1A:2B:3C:4D:5E",
        "std::vector",
        "Spotify 1.0.65.320.gac7a8e02",
    ],
)
def test_ip_not_found(text: str) -> None:
    assert [k for k, _ in kinds_and_values(text)] == []


# --------------------------------------------------------------------------- behaviour


def test_placeholder_format() -> None:
    assert [placeholder(k) for k in Kind] == ["[EMAIL]", "[IBAN]", "[CARD]", "[IP]", "[PHONE]"]
    text = (
        "Ann <ann@example.com>, +44 20 7946 0958, IBAN GB33BUKB20201555555555, "
        "card 4111 1111 1111 1111, IP 203.0.113.45."
    )
    assert REDACTOR.redact(text) == ("Ann <[EMAIL]>, [PHONE], IBAN [IBAN], card [CARD], IP [IP].")


def test_findings_are_sorted_exact_and_disjoint() -> None:
    for case in CASES:
        text = case["text"]
        findings = REDACTOR.find(text)
        for f in findings:
            assert isinstance(f, Finding)
            assert text[f.start : f.end] == f.value
        for a, b in itertools.pairwise(findings):
            assert a.end <= b.start


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IBAN GB82 WEST 1234 5698 7654 32", [("IBAN", "GB82 WEST 1234 5698 7654 32")]),
        ("card 4111 1111 1111 1111", [("CARD", "4111 1111 1111 1111")]),
        ("sms 4155550123@vtext.example.com", [("EMAIL", "4155550123@vtext.example.com")]),
        ("mapped ::ffff:192.0.2.128", [("IP", "::ffff:192.0.2.128")]),
    ],
)
def test_most_specific_wins(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds_and_values(text) == expected


def test_idempotent_on_labelled_set() -> None:
    for case in CASES:
        once = REDACTOR.redact(case["text"])
        assert REDACTOR.redact(once) == once, case["text"]


def test_redact_reaches_a_fixed_point() -> None:
    # The card hides the phone from the first pass (glued digits); the second pass sees it.
    once = REDACTOR.redact("order 4111111111111111 2025550143")
    assert once == "order [CARD] [PHONE]"


def test_kinds_option() -> None:
    text = "ann@example.com +44 20 7946 0958 192.168.1.20"
    only_email = Redactor(kinds=["EMAIL"])
    assert only_email.redact(text) == "[EMAIL] +44 20 7946 0958 192.168.1.20"
    assert Redactor(kinds=[Kind.IP, "phone"]).redact(text) == "ann@example.com [PHONE] [IP]"
    assert Redactor(kinds=[]).redact(text) == text
    with pytest.raises(ValueError, match="SSN"):
        Redactor(kinds=["SSN"])


def test_phone_regions() -> None:
    national_uk = "ring 020 7946 0958"
    assert Redactor().phone_regions == DEFAULT_PHONE_REGIONS
    assert Redactor().redact(national_uk) == "ring [PHONE]"
    international_only = Redactor(phone_regions=())
    assert international_only.redact(national_uk) == national_uk
    assert international_only.redact("ring +44 20 7946 0958") == "ring [PHONE]"
    german = Redactor(phone_regions=["de"])
    # Valid in Germany; in the default regions only "possible", and there is no phone word.
    assert german.redact("Büro 030 901820") == "Büro [PHONE]"
    assert Redactor().redact("Büro 030 901820") == "Büro 030 901820"
    with pytest.raises(ValueError, match="XX"):
        Redactor(phone_regions=["XX"])


def test_no_redaction_passes_text_through() -> None:
    text = "ann@example.com +44 20 7946 0958"
    assert NO_REDACTION.redact(text) == text
    assert NO_REDACTION.find(text) == []
    redactors: list[TextRedactor] = [NO_REDACTION, REDACTOR]  # one interface for both
    assert [r.redact(text) for r in redactors] == [text, "[EMAIL] [PHONE]"]


# --------------------------------------------------------------------------- scores


def score(redactor: Redactor) -> dict[str, tuple[int, int, int]]:
    """(true positives, false positives, false negatives) per kind and overall."""
    counts: dict[str, list[int]] = {k.value: [0, 0, 0] for k in Kind}
    for case in CASES:
        expected = Counter((i["type"], i["value"]) for i in case["pii"])
        got = Counter((f.kind.value, f.value) for f in redactor.find(case["text"]))
        for (kind, _), n in (expected & got).items():
            counts[kind][0] += n
        for (kind, _), n in (got - expected).items():
            counts[kind][1] += n
        for (kind, _), n in (expected - got).items():
            counts[kind][2] += n
    out = {k: (v[0], v[1], v[2]) for k, v in counts.items()}
    out["ALL"] = (
        sum(v[0] for v in counts.values()),
        sum(v[1] for v in counts.values()),
        sum(v[2] for v in counts.values()),
    )
    return out


def test_labelled_set_recall_and_precision() -> None:
    scores = score(REDACTOR)
    tp, fp, fn = scores["ALL"]
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    assert recall >= 0.95, scores
    assert precision >= 0.95, scores
    for kind in Kind:
        tp, fp, fn = scores[kind.value]
        assert tp / (tp + fn) >= 0.9, (kind, scores)
        assert tp / max(1, tp + fp) >= 0.9, (kind, scores)


# --------------------------------------------------------------------------- properties

FILLER = st.lists(
    st.sampled_from(["hi", "thanks", "please", "see", "below", "and", "also", "ok", "über", "🙂"]),
    max_size=3,
).map(" ".join)
SEPARATOR = st.sampled_from([" ", "\n", " | ", ". ", ", "])


@st.composite
def joined_cases(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Several labelled texts joined with filler; returns the text and its PII values."""
    picked = draw(st.lists(st.sampled_from(POSITIVE_CASES), min_size=1, max_size=4))
    parts: list[str] = []
    for case in picked:
        parts.extend([draw(FILLER), draw(SEPARATOR), case["text"], draw(SEPARATOR)])
    values = [i["value"] for case in picked for i in case["pii"]]
    return "".join(parts), values


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(joined_cases())
def test_output_never_contains_a_labelled_value(sample: tuple[str, list[str]]) -> None:
    text, values = sample
    out = REDACTOR.redact(text)
    for value in values:
        assert value not in out
    assert REDACTOR.redact(out) == out


NO_DIGIT_NO_AT = st.text(
    alphabet=st.characters(exclude_categories=["Nd", "Cs"], exclude_characters="@"),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(NO_DIGIT_NO_AT)
def test_text_without_digits_or_at_is_unchanged(text: str) -> None:
    assert REDACTOR.find(text) == []
    assert REDACTOR.redact(text) is text


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789 +-().:/@abcxABFGDE_\n"))
        | st.characters(exclude_categories=["Cs"]),
        max_size=80,
    )
)
def test_arbitrary_text_is_handled(text: str) -> None:
    findings = REDACTOR.find(text)
    for f in findings:
        assert text[f.start : f.end] == f.value
    out = REDACTOR.redact(text)
    assert REDACTOR.redact(out) == out
    if not findings:
        assert out == text
