"""Redaction of personal data in ticket text, before it is stored.

Each finding is replaced by a typed placeholder: ``[EMAIL]``, ``[PHONE]``, ``[CARD]``,
``[IBAN]`` or ``[IP]``. Validation comes from maintained libraries where one exists:

- PHONE: ``phonenumbers`` (Google's libphonenumber metadata) finds candidates with
  ``PhoneNumberMatcher`` at ``Leniency.POSSIBLE`` and we keep a candidate when it is a
  *valid* number for its region, or when it is only *possible* but written the way people
  write phone numbers (a leading ``+`` or a bracketed area code) or next to a word such as
  "call", "mobile", "phone". Digits right after an identifier label ("order", "ref",
  "booking", "account", ...) are an identifier, not a phone, unless written with ``+``.
- CARD: 13-19 digits (single spaces or dashes allowed between digits) that pass the Luhn
  check (``stdnum.luhn``) *and* start with a payment-card prefix of a matching length
  (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro, Mir, RuPay, Verve).
  A Luhn-valid 16-digit number with a card prefix is redacted as a CARD even where the
  text calls it an order number; without a card prefix it is left alone.
- IBAN: ``stdnum.iban`` (ISO 7064 mod 97 plus the country's length and format, and the
  national check digits where the country has them); spaces allowed, any letter case.
- IP: dotted IPv4 and IPv6 (full, compressed, IPv4-mapped) validated by the standard
  library's ``ipaddress``. A dotted quad right after a version word ("version", "v",
  "build", "iOS", ...) is a version number, not an address; a three-part ``1.2.3`` never
  is an address.
- EMAIL: a conservative address pattern (no library validates free text better).

Findings never overlap: when two candidates overlap the more specific kind wins
(EMAIL, then IBAN, CARD, IP, PHONE), then the longer one.

Speed matters (ingest targets >= 20,000 rows/s with redaction on), so every detector has
a cheap prefilter: nothing runs on text without a digit or ``@``, the phone matcher runs
only on windows around runs of at least seven digits, e-mail only where there is ``@``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher
from stdnum import iban as _iban
from stdnum import luhn as _luhn

__all__ = [
    "DEFAULT_PHONE_REGIONS",
    "NO_REDACTION",
    "Finding",
    "Kind",
    "Redactor",
    "TextRedactor",
    "placeholder",
]


class Kind(StrEnum):
    """The kinds of personal data the redactor knows, in order of precedence."""

    EMAIL = "EMAIL"
    IBAN = "IBAN"
    CARD = "CARD"
    IP = "IP"
    PHONE = "PHONE"


_PRIORITY: Final[dict[Kind, int]] = {kind: rank for rank, kind in enumerate(Kind)}

#: Regions whose national formats are understood when no region is given. International
#: formats (``+44 ...``) are understood whatever the regions. US and GB cover the two
#: most common national formats in English-language support (10-digit NANP numbers and
#: UK numbers with a trunk ``0``, including the ``00`` international prefix).
DEFAULT_PHONE_REGIONS: Final[tuple[str, ...]] = ("US", "GB")


def placeholder(kind: Kind) -> str:
    """The text that replaces a finding of ``kind``, e.g. ``[EMAIL]``."""
    return f"[{kind.value}]"


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: ``text[start:end] == value``."""

    kind: Kind
    start: int
    end: int
    value: str


class TextRedactor(Protocol):
    """What ingest needs: a real :class:`Redactor` or :data:`NO_REDACTION`."""

    def redact(self, text: str) -> str: ...

    def find(self, text: str) -> list[Finding]: ...


class _NoRedaction:
    """Pass-through for teams that turned redaction off."""

    def redact(self, text: str) -> str:
        return text

    def find(self, text: str) -> list[Finding]:
        return []

    def __repr__(self) -> str:
        return "NO_REDACTION"


NO_REDACTION: Final[TextRedactor] = _NoRedaction()


# --------------------------------------------------------------------------- prefilters

_ANY_DIGIT = re.compile(r"\d")
# A digit followed by six or more digits or separators: every card, IBAN and phone
# number has such a run (a cheap test before the exact ones).
_NUMBER_HINT = re.compile(r"\d[\d \t().\-/]{6,}")
# Seven or more digits with at most three separator characters between neighbours.
_PHONE_RUN = re.compile(r"\d(?:[ \t().\-/]{0,3}\d){6,}")
_EMAIL_HINT = re.compile(r"[\w.%+'-]@[^\W_]")
_IPV4_HINT = re.compile(r"\d\.\d")
_IPV6_HINT = re.compile(r"[0-9A-Fa-f]?:[0-9A-Fa-f]*:")

# --------------------------------------------------------------------------- EMAIL

_EMAIL = re.compile(
    r"(?<![\w.%+'-])"
    r"[\w%+-](?:[\w.%+'-]{0,62}[\w%+-])?"  # local part; no leading or trailing dot
    r"@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+"  # domain labels
    r"[^\W\d_]{2,}"  # top-level domain: letters
    r"(?![\w-])"
)

# --------------------------------------------------------------------------- CARD

# A run of digits with single spaces or dashes between them, not glued to a word, to a
# decimal point or to a thousands separator.
_DIGIT_RUN = re.compile(r"(?<![\w.,/-])[0-9](?:[ -]?[0-9])*+(?!\w|[.,/][0-9])")
_SEP = re.compile(r"[ -]")
_GROUP = re.compile(r"[0-9]+")


def _card_prefix_ok(digits: str) -> bool:
    """Whether ``digits`` starts with a payment-card prefix allowed for its length."""
    n = len(digits)
    p2 = int(digits[:2])
    p3 = int(digits[:3])
    p4 = int(digits[:4])
    checks = (
        (digits[0] == "4", n in (13, 16, 19)),  # Visa
        (51 <= p2 <= 55 or 2221 <= p4 <= 2720, n == 16),  # Mastercard
        (p2 in (34, 37), n == 15),  # American Express
        (p4 == 6011 or 644 <= p3 <= 649 or p2 == 65, 16 <= n <= 19),  # Discover
        (3528 <= p4 <= 3589, 16 <= n <= 19),  # JCB
        (300 <= p3 <= 305 or p4 == 3095 or p2 in (36, 38, 39), 14 <= n <= 19),  # Diners
        (p2 == 62, 16 <= n <= 19),  # UnionPay
        (p2 in (50, 56, 57, 58, 63, 67), 13 <= n <= 19),  # Maestro
        (2200 <= p4 <= 2204, 16 <= n <= 19),  # Mir
        (p2 == 60, n == 16),  # RuPay
    )
    return any(prefix and length for prefix, length in checks)


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and _card_prefix_ok(digits) and _luhn.is_valid(digits)


def _find_cards(text: str, out: list[Finding]) -> None:
    for m in _DIGIT_RUN.finditer(text):
        run = m.group()
        if len(run) < 13:
            continue
        digits = _SEP.sub("", run)
        if len(digits) < 13:
            continue
        if _is_card(digits):
            out.append(Finding(Kind.CARD, m.start(), m.end(), run))
            continue
        # A card glued to other digit groups ("4111 1111 1111 1111 2026"): try runs of
        # whole groups of 13-19 digits, longest first; card groups have 3+ digits except
        # perhaps the last.
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(run)]
        best: tuple[int, int] | None = None
        for i in range(len(groups)):
            count = 0
            for j in range(i, len(groups)):
                gs, ge = groups[j]
                short = ge - gs < 3
                count += ge - gs
                if count > 19 or (short and j == i):
                    break
                whole = i == 0 and j == len(groups) - 1  # already tried
                cs = groups[i][0]
                if (
                    count >= 13
                    and not whole
                    and (best is None or ge - cs > best[1] - best[0])
                    and _is_card(_SEP.sub("", run[cs:ge]))
                ):
                    best = (cs, ge)
                if short:  # a short group can only end a card
                    break
        if best is not None:
            cs, ce = best
            out.append(Finding(Kind.CARD, m.start() + cs, m.start() + ce, run[cs:ce]))


# --------------------------------------------------------------------------- IBAN

# Country code, check digits, then up to 30 more characters with single spaces.
_IBAN_RUN = re.compile(r"\b[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]){11,38}+")
_IBAN_MIN, _IBAN_MAX = 15, 34
_ALNUM = re.compile(r"[A-Za-z0-9]")


def _find_ibans(text: str, out: list[Finding]) -> None:
    for m in _IBAN_RUN.finditer(text):
        run = m.group()
        # The run may swallow following words ("... 1643 00 and BIC"): try every end at
        # a space or at the end of the run, longest first.
        ends = [i for i, ch in enumerate(run) if ch == " "]
        if not _ALNUM.match(text, m.end()):  # the run ends at a word boundary
            ends.append(len(run))
        for end in reversed(ends):
            cand = run[:end]
            n = len(cand) - cand.count(" ")
            if n > _IBAN_MAX:
                continue
            if n < _IBAN_MIN:
                break
            if _iban.is_valid(cand):
                out.append(Finding(Kind.IBAN, m.start(), m.start() + end, cand))
                break


# --------------------------------------------------------------------------- IP

_IPV4 = re.compile(r"(?<![\w.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?!\w|\.\w)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*+(?![\w:])")
_VERSION_BEFORE = re.compile(
    r"(?i)(?:\bv|\bver\.?|\bversion|\bbuild|\brelease|\bfirmware|\bupdated?(?:\s+to)?"
    r"|\bupgraded?(?:\s+to)?|\bapp|\bios|\bandroid|\bmacos|\bwindows|\bchrome|\bfirefox"
    r"|\bsdk|\bpatch)\s*[:#-]?\s*$"
)


def _find_ips(text: str, out: list[Finding]) -> None:
    if "." in text and _IPV4_HINT.search(text):
        for m in _IPV4.finditer(text):
            try:
                ipaddress.IPv4Address(m.group())
            except ValueError:
                continue
            if _VERSION_BEFORE.search(text, max(0, m.start() - 24), m.start()):
                continue
            out.append(Finding(Kind.IP, m.start(), m.end(), m.group()))
    if text.count(":") >= 2 and _IPV6_HINT.search(text):
        for m in _IPV6.finditer(text):
            cand = m.group()
            end = m.end()
            while cand.endswith("."):  # sentence end
                cand = cand[:-1]
                end -= 1
            if not _ANY_DIGIT.search(cand):
                continue
            try:
                ipaddress.IPv6Address(cand)
            except ValueError:
                continue
            out.append(Finding(Kind.IP, m.start(), end, cand))


# --------------------------------------------------------------------------- PHONE

_PHONE_WORD_BEFORE = re.compile(
    r"(?i)\b(?:phone|ph|tel|telephone|call|called|calling|ring|rang|mobile|mob|cell"
    r"|cellphone|landline|whatsapp|sms|text|fax|dial|reach|contact|number|num)\b"
)
_PHONE_WORD_AFTER = re.compile(
    r"(?i)^\W{0,3}(?:my\s+)?(?:mobile|cell|phone|landline|whatsapp|home|work|office)\b"
)
_ID_LABEL_BEFORE = re.compile(
    r"(?i)\b(?:order|ref|reference|tracking|track|transaction|txn|invoice|inv|case"
    r"|ticket|booking|confirmation|conf|account|acct|a/c|customer|member|membership"
    r"|policy|serial|imei|sku|id|pnr|claim|parcel|shipment|receipt|rewards|loyalty|crm"
    r"|iban|card|sort\s+code)\b"
    r"(?:[\s:#.\-]*(?:no|nr|num|number|id|code|ref|is|was))*[\s:#.\-]*$"
)
_DATE_LIKE = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))$"
)
# Part of a longer number, of an identifier ("PP-006-..."), a handle or a hashtag.
_GLUED_BEFORE = re.compile(r"(?:\d[-./ ]?|[^\W\d_][-/]|[@#])$")
_GLUED_AFTER = re.compile(r"[-./]?\d")
_INTERNATIONAL_BEFORE = re.compile(r"\+\(?$")
_WINDOW = 32  # characters of context kept on each side of a digit run


def _phone_windows(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` worth giving to the phone matcher (merged, word-aligned)."""
    if len(text) <= 4 * _WINDOW:
        return [(0, len(text))] if _PHONE_RUN.search(text) else []
    spans: list[tuple[int, int]] = []
    for m in _PHONE_RUN.finditer(text):
        s = max(0, m.start() - _WINDOW)
        e = min(len(text), m.end() + _WINDOW)
        while s > 0 and not text[s - 1].isspace():
            s -= 1
        while e < len(text) and not text[e].isspace():
            e += 1
        if spans and s <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(e, spans[-1][1]))
        else:
            spans.append((s, e))
    return spans


class Redactor:
    """Find and replace personal data in free text. Stateless after construction, so one
    instance can be shared (also across threads).

    ``kinds`` limits detection to some kinds (default: all five; names in any case).
    ``phone_regions`` are the ISO 3166 regions whose *national* phone formats are
    understood, e.g. ``("DE",)`` for a German team; ``None`` means
    :data:`DEFAULT_PHONE_REGIONS` and ``()`` means international formats (``+...``) only.
    """

    def __init__(
        self,
        kinds: Iterable[Kind | str] | None = None,
        phone_regions: Sequence[str] | None = None,
    ) -> None:
        self.kinds: frozenset[Kind] = (
            frozenset(Kind) if kinds is None else frozenset(Kind(k.upper()) for k in kinds)
        )
        regions = DEFAULT_PHONE_REGIONS if phone_regions is None else tuple(phone_regions)
        supported = phonenumbers.SUPPORTED_REGIONS
        for region in regions:
            if region.upper() not in supported:
                raise ValueError(f"unknown phone region {region!r}")
        # The matcher needs a region argument; "ZZ" (unknown) accepts only "+" numbers.
        self.phone_regions: tuple[str, ...] = tuple(r.upper() for r in regions) or ("ZZ",)

    def __repr__(self) -> str:
        kinds = ",".join(sorted(k.value for k in self.kinds))
        return f"Redactor(kinds={kinds}, phone_regions={self.phone_regions})"

    # ------------------------------------------------------------------ public

    def find(self, text: str) -> list[Finding]:
        """Non-overlapping findings in ``text``, in order of position."""
        has_at = "@" in text
        if not has_at and not _ANY_DIGIT.search(text):
            return []
        kinds = self.kinds
        found: list[Finding] = []
        if has_at and Kind.EMAIL in kinds and _EMAIL_HINT.search(text):
            found.extend(
                Finding(Kind.EMAIL, m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text)
            )
        if Kind.IP in kinds and ("." in text or ":" in text):
            _find_ips(text, found)
        if _NUMBER_HINT.search(text):
            if Kind.IBAN in kinds:
                _find_ibans(text, found)
            if Kind.CARD in kinds:
                _find_cards(text, found)
            if Kind.PHONE in kinds:
                self._find_phones(text, _mask(text, found), found)
        return _resolve(found)

    def redact(self, text: str) -> str:
        """``text`` with every finding replaced by its placeholder.

        Removing a finding can change the context of what is left (a number that was
        glued to a card number no longer is), so the text is scanned again until nothing
        more is found (at most three passes): the result is a fixed point, which makes
        ``redact`` idempotent.
        """
        for _ in range(_MAX_PASSES):
            findings = self.find(text)
            if not findings:
                break
            text = _replace(text, findings)
        return text

    # ------------------------------------------------------------------ phones

    def _find_phones(self, text: str, masked: str, out: list[Finding]) -> None:
        """Phones in ``text``; ``masked`` is ``text`` with earlier findings blanked out."""
        seen: set[tuple[int, int]] = set()
        for ws, we in _phone_windows(masked):
            window = masked[ws:we]
            regions = self.phone_regions
            if len(regions) > 1 and all(
                _INTERNATIONAL_BEFORE.search(masked, max(0, r.start() - 2), r.start())
                for r in _PHONE_RUN.finditer(masked, ws, we)
            ):
                regions = regions[:1]  # "+..." numbers read the same in every region
            for region in regions:
                for m in PhoneNumberMatcher(window, region, leniency=Leniency.POSSIBLE):
                    start, end = ws + m.start, ws + m.end
                    if (start, end) in seen:
                        continue
                    seen.add((start, end))
                    raw = m.raw_string
                    if raw.startswith("(") and ")" not in raw:  # "( 0902..." unbalanced
                        stripped = raw[1:].lstrip()
                        start += len(raw) - len(stripped)
                        raw = stripped
                    if _accept_phone(text, start, end, raw, m.number):
                        out.append(Finding(Kind.PHONE, start, end, text[start:end]))


_MAX_PASSES = 3


def _replace(text: str, findings: list[Finding]) -> str:
    parts: list[str] = []
    pos = 0
    for f in findings:
        parts.append(text[pos : f.start])
        parts.append(placeholder(f.kind))
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


def _mask(text: str, found: list[Finding]) -> str:
    """``text`` with each finding replaced by as many ``_``: no phone can overlap it."""
    if not found:
        return text
    chars = list(text)
    for f in found:
        chars[f.start : f.end] = "_" * (f.end - f.start)
    return "".join(chars)


def _bad_neighbour(ch: str) -> bool:
    """A character that cannot touch a phone number: a Latin letter, ``%`` or a currency
    sign (libphonenumber's own check, which it skips at ``Leniency.POSSIBLE``)."""
    if ch.isalpha():
        return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"  # Latin blocks
    return ch == "%" or unicodedata.category(ch) == "Sc"


def _accept_phone(
    text: str, start: int, end: int, raw: str, number: phonenumbers.PhoneNumber
) -> bool:
    before = text[max(0, start - 40) : start]
    strong = raw.startswith(("+", "("))
    if (not strong and start > 0 and _bad_neighbour(text[start - 1])) or (
        end < len(text) and _bad_neighbour(text[end])
    ):
        return False
    if not strong:
        if _ID_LABEL_BEFORE.search(before) or _DATE_LIKE.match(raw):
            return False
        if _GLUED_BEFORE.search(before) or _GLUED_AFTER.match(text, end):
            return False
    if phonenumbers.is_valid_number(number):
        return True
    nsn = phonenumbers.national_significant_number(number)
    if len(nsn) < 7 or not phonenumbers.is_possible_number(number):
        return False
    if strong:
        return True
    return bool(_PHONE_WORD_BEFORE.search(before) or _PHONE_WORD_AFTER.match(text[end : end + 24]))


def _resolve(found: list[Finding]) -> list[Finding]:
    """Keep the most specific, then longest, of overlapping findings."""
    if len(found) <= 1:
        return found
    ranked = sorted(found, key=lambda f: (_PRIORITY[f.kind], f.start - f.end, f.start))
    kept: list[Finding] = []
    for f in ranked:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    return kept
