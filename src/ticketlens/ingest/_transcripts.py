"""Call transcripts: a folder with one call per file, each call becoming a phone ticket.

Files (any encoding ``_text`` detects):

* ``.txt``: one utterance per line, ``Speaker: words``, optionally timed ``[00:01:23]``,
  ``(01:23)`` or ``00:01:23`` before the speaker, or ``Speaker [00:01:23]: words``.
  A line without a speaker continues the previous turn. An optional header block (lines
  before the first blank line, all ``Key: value`` with keys such as ``Call ID``,
  ``Date``/``Started``, ``Agent``, ``Customer``, ``Duration``) gives metadata.
* ``.vtt``: WebVTT cues; the speaker from a voice tag ``<v Name>`` (Teams) or a
  ``Name:`` prefix (Zoom). ``NOTE``/``STYLE``/``REGION`` blocks are skipped, other tags
  removed, entities decoded; header lines such as ``Language: en-GB`` give metadata.
* ``.srt``: numbered SubRip cues, speaker from a ``Name:`` prefix.

Cue and line times are offsets from the start of the call.

``metadata.csv`` (optional, in the folder) is joined to the transcripts by its ``file``
column (file name, with or without extension), or else by ``call_id`` = file stem.
Recognised columns (names matched case- and punctuation-insensitively): file, call_id,
started_at, agent, customer / requester (an id, phone, email or name), duration, csat,
tags, subject, status, priority, group / team / queue, language, handoffs / transfers.
Other columns are kept as custom fields. Customer columns never become custom fields:
the most stable one (id, then phone, email, name) is the requester, which ticketlens
pseudonymises.

Each call becomes a ticket:

* ``id``: the call id, else the file stem; ``channel``: ``phone``.
* ``messages``: the speaker turns in order (consecutive utterances of one speaker make
  one turn). Roles: a speaker whose label matches the metadata agent / customer name
  (full name or first name), else whose label says so (``Agent``, ``Rep``, ``Support``
  ... / ``Customer``, ``Caller``, ``Client`` ...), else who greets like an agent in their
  first turns ("thank you for calling", "how can I help"); in a two-party call the other
  speaker then takes the other role. A speaker still unknown has no role and no author
  (the label may be a customer's real name, and only customer authors are pseudonymised).
  Agent authors are the agent's name (the metadata name when the label is generic,
  ``Agent``, or the agent's first name); customer authors are the requester identifier
  when there is one (so they get the requester's pseudonym), else the label.
* ``created_at``: metadata ``started_at``, else the header block, else a date-time in
  the file name (``2026-03-02_0915``, ``20260302T091500``); message ``created_at`` is
  start + offset when the start is an ISO 8601 or epoch time and the turn is timed.
* ``text``: the customer's turns, one per line; without a customer, the turns of
  speakers of unknown role; else the whole transcript.
* custom fields: ``transcript_file``, ``agent``, ``duration_seconds`` (metadata, else the
  end of the last cue) and the unrecognised metadata columns.

A file that cannot be parsed (bad cue timing, no WEBVTT header, no speech) is
quarantined whole, with the line of the problem. A metadata row whose transcript is not
in the folder, or whose ``started_at`` is no date, is quarantined with its line.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dateutil import parser as date_parser

from ticketlens.errors import RowProblem, UnreadableFile
from ticketlens.ingest._base import BadRow, ProgressFn, RawRow, Reader
from ticketlens.ingest._csv import CsvReader
from ticketlens.ingest._text import check_file, folder_files, open_text
from ticketlens.ingest.normalize import column_key

TRANSCRIPT_EXTENSIONS = (".txt", ".vtt", ".srt")
METADATA_NAMES = ("metadata.csv",)

#: metadata column (normalised) -> what it is.
METADATA_COLUMNS: dict[str, tuple[str, ...]] = {
    "file": ("file", "filename", "file_name", "transcript", "transcript_file", "recording"),
    "call_id": ("call_id", "id", "callid", "call", "conversation_id", "interaction_id"),
    "started_at": (
        "started_at",
        "start_time",
        "started",
        "start",
        "call_start",
        "created_at",
        "date",
        "datetime",
        "timestamp",
    ),
    "agent": ("agent", "agent_name", "rep", "representative", "advisor", "handled_by"),
    "duration": ("duration", "duration_seconds", "duration_s", "call_duration", "length"),
    "csat": ("csat", "satisfaction", "csat_score", "rating"),
    "tags": ("tags", "labels", "tag"),
    "subject": ("subject", "topic", "reason", "title"),
    "status": ("status", "outcome"),
    "priority": ("priority",),
    "group": ("group", "team", "queue", "skill"),
    "language": ("language", "lang", "locale"),
    "handoffs": ("handoffs", "transfers", "transfer_count"),
}
#: Customer columns, most stable identifier first (the first present is the requester).
CUSTOMER_COLUMNS = (
    "customer_id",
    "requester_id",
    "caller_id",
    "client_id",
    "phone",
    "phone_number",
    "customer_phone",
    "caller_number",
    "ani",
    "email",
    "customer_email",
    "requester",
    "customer",
    "caller",
    "client",
    "customer_name",
    "caller_name",
    "requester_name",
)
#: Customer columns that hold a name (used to recognise the customer's speaker label).
CUSTOMER_NAME_COLUMNS = ("customer", "customer_name", "caller", "caller_name", "requester")
#: Any other column starting so is about the customer too: never kept as a custom field.
CUSTOMER_PREFIXES = ("customer_", "caller_", "requester_", "client_", "contact_")
#: Header block keys of a .txt transcript -> metadata field.
HEADER_KEYS = {
    "call_id": "call_id",
    "call": "call_id",
    "id": "call_id",
    "date": "started_at",
    "started": "started_at",
    "started_at": "started_at",
    "start": "started_at",
    "start_time": "started_at",
    "agent": "agent",
    "customer": "customer",
    "caller": "customer",
    "duration": "duration",
    "language": "language",
    "subject": "subject",
    "tags": "tags",
}
#: Header keys that only a header has (a block of speaker lines has none of them).
_HEADER_ONLY = {"call_id", "started_at", "duration", "language", "tags", "subject"}

AGENT_WORDS = frozenset(
    {
        "agent",
        "rep",
        "representative",
        "support",
        "advisor",
        "adviser",
        "operator",
        "associate",
        "specialist",
        "csr",
        "staff",
        "consultant",
        "helpdesk",
        "technician",
        "banker",
    }
)
CUSTOMER_WORDS = frozenset(
    {
        "customer",
        "caller",
        "client",
        "user",
        "member",
        "guest",
        "cust",
        "requester",
        "consumer",
        "patient",
    }
)
AGENT_PHRASES = (
    "thank you for calling",
    "thanks for calling",
    "how can i help",
    "how may i help",
    "how can i assist",
    "how may i assist",
    "you've reached",
    "you have reached",
    "you're through to",
)

_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^\s*(?P<start>{_TS})\s*-->\s*(?P<end>{_TS})(?:\s+.*)?$")
_SPEAKER = re.compile(
    r"^(?P<speaker>[^\W\d_][\w.'\u2019&-]*(?: [\w.'\u2019&()-]+){0,3}?)\s*:\s+(?P<text>\S.*)$"
)
_TXT_TIME = re.compile(
    rf"^\s*(?:\[(?P<b>{_TS})\]|\((?P<p>{_TS})\)|(?P<bare>{_TS})(?=\s))\s*[-\u2013]?\s*(?P<rest>.*)$"
)
_SPEAKER_TIME = re.compile(
    rf"^(?P<speaker>[^\W\d_][\w.'\u2019&-]*(?: [\w.'\u2019&-]+){{0,3}}?)\s*"
    rf"(?:\[(?P<b>{_TS})\]|\((?P<p>{_TS})\))\s*:\s*(?P<text>.*)$"
)
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_FILE_TIME = re.compile(
    r"(?P<y>20\d{2})-?(?P<mo>\d{2})-?(?P<d>\d{2})(?:[T_ -]?(?P<h>\d{2})[-:h]?(?P<mi>\d{2})"
    r"(?:[-:]?(?P<s>\d{2}))?)?"
)
_YEAR = re.compile(r"\d{4}")
_DURATION = re.compile(r"^(?:(?:(?P<h>\d+):)?(?P<m>\d{1,2}):)?(?P<s>\d+(?:\.\d+)?)\s*s?$")
_DATE_DEFAULT = dt.datetime(2000, 1, 1)


@dataclass(slots=True)
class Utterance:
    speaker: str | None
    text: str
    offset: float | None  # seconds from the start of the call
    end: float | None = None


@dataclass(slots=True)
class Transcript:
    utterances: list[Utterance]
    header: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Meta:
    """One metadata row: where it is and what it says."""

    file: str
    row: int
    raw: str
    values: dict[str, str]  # recognised field -> value
    customer: str | None  # requester identifier
    customer_names: list[str]
    extras: dict[str, str]  # unrecognised columns, by their header name


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def _clean(text: str) -> str:
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", text))).strip()


def _split_speaker(text: str) -> tuple[str | None, str]:
    match = _SPEAKER.match(text)
    if match is None or match["text"].startswith("//"):
        return None, text
    return match["speaker"].strip(), match["text"].strip()


# --- parsers: text -> utterances -------------------------------------------------------


def _blocks(lines: list[str], start: int) -> Iterator[tuple[int, list[str]]]:
    """Groups of non-blank lines, with the (1-based) line number each starts on."""
    block: list[str] = []
    first = 0
    for n, line in enumerate(lines[start:], start=start + 1):
        if line.strip():
            if not block:
                first = n
            block.append(line.rstrip())
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _cue_timing(block: list[str], first: int) -> tuple[int, float, float]:
    """Index of the timing line in a cue block, and its start and end in seconds."""
    for index in (0, 1):
        if index < len(block) and "-->" in block[index]:
            match = _TIMING.match(block[index])
            if match is None:
                raise RowProblem(
                    None, line=first + index, reason=f"bad cue timing {block[index].strip()!r}"
                )
            return index, _seconds(match["start"]), _seconds(match["end"])
    index = 1 if len(block) > 1 and block[0].strip().isdigit() else 0
    raise RowProblem(
        None,
        line=first + index,
        reason=f"expected a cue timing line 'start --> end', got {block[index].strip()!r}",
    )


def parse_vtt(text: str) -> Transcript:
    lines = text.splitlines()
    if not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise RowProblem(None, line=1, reason="no WEBVTT header: not a WebVTT file")
    header_end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    header: dict[str, str] = {}
    for line in lines[1:header_end]:  # "Language: en-GB" and the like
        key, sep, value = line.partition(":")
        name = HEADER_KEYS.get(column_key(key))
        if sep and name is not None and value.strip():
            header[name] = value.strip()
    utterances: list[Utterance] = []
    for first, block in _blocks(lines, header_end):
        if block[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in block[0]:
            continue
        index, start, end = _cue_timing(block, first)
        payload = " ".join(line.strip() for line in block[index + 1 :])
        voices = list(_VOICE.finditer(payload))
        if not voices:
            speaker, words = _split_speaker(_clean(payload))
            if words:
                utterances.append(Utterance(speaker, words, start, end))
            continue
        lead = _clean(payload[: voices[0].start()])
        if lead:
            utterances.append(Utterance(None, lead, start, end))
        for i, voice in enumerate(voices):
            stop = voices[i + 1].start() if i + 1 < len(voices) else len(payload)
            words = _clean(payload[voice.end() : stop])
            name = (voice["name"] or "").strip() or None
            if words:
                utterances.append(Utterance(name, words, start, end))
    return Transcript(utterances, header)


def parse_srt(text: str) -> Transcript:
    lines = text.lstrip("\ufeff").splitlines()
    utterances: list[Utterance] = []
    for first, block in _blocks(lines, 0):
        if block[0].strip().isdigit() and len(block) == 1:
            continue  # a number with no cue after it
        index, start, end = _cue_timing(block, first)
        if index == 1 and not block[0].strip().isdigit():
            raise RowProblem(
                None, line=first, reason=f"expected a cue number, got {block[0].strip()!r}"
            )
        speaker, words = _split_speaker(_clean(" ".join(x.strip() for x in block[index + 1 :])))
        if words:
            utterances.append(Utterance(speaker, words, start, end))
    return Transcript(utterances)


def _txt_header(lines: list[str]) -> tuple[dict[str, str], int]:
    """A leading ``Key: value`` block that is metadata, and the line after it."""
    block_end = next((i for i, line in enumerate(lines) if not line.strip()), None)
    if not block_end:
        return {}, 0
    header: dict[str, str] = {}
    for line in lines[:block_end]:
        key, sep, value = line.partition(":")
        name = HEADER_KEYS.get(column_key(key))
        if not sep or name is None or not value.strip():
            return {}, 0
        header[name] = value.strip()
    if not _HEADER_ONLY & set(header):
        return {}, 0  # "Agent: Hello" / "Customer: Hi": the dialogue, not a header
    return header, block_end


def parse_txt(text: str) -> Transcript:
    lines = text.lstrip("\ufeff").splitlines()
    header, start = _txt_header(lines)
    utterances: list[Utterance] = []
    for line in lines[start:]:
        content = line.strip()
        if not content:
            continue
        offset: float | None = None
        timed = _TXT_TIME.match(content)
        if timed is not None:
            offset = _seconds(timed["b"] or timed["p"] or timed["bare"])
            content = timed["rest"].strip()
        speaker: str | None = None
        after = _SPEAKER_TIME.match(content)
        if after is not None:
            speaker, content = after["speaker"].strip(), after["text"].strip()
            offset = _seconds(after["b"] or after["p"])
        else:
            speaker, content = _split_speaker(content)
        if not content:
            continue
        if speaker is None and utterances:
            utterances[-1].text += " " + content  # a wrapped line of the same turn
            continue
        utterances.append(Utterance(speaker, content, offset))
    return Transcript(utterances, header)


PARSERS = {".txt": parse_txt, ".vtt": parse_vtt, ".srt": parse_srt}


# --- roles ---------------------------------------------------------------------------


def _norm(name: str) -> str:
    return _SPACES.sub(" ", re.sub(r"[^\w ]+", " ", name.casefold())).strip()


def _name_matches(label: str, names: list[str]) -> bool:
    label_n = _norm(label)
    if not label_n:
        return False
    for name in names:
        name_n = _norm(name)
        if name_n and (label_n == name_n or label_n.split()[0] == name_n.split()[0]):
            return True
    return False


def _word_role(label: str) -> str | None:
    words = set(_norm(label).split())
    if words & AGENT_WORDS:
        return "agent"
    if words & CUSTOMER_WORDS:
        return "customer"
    return None


def assign_roles(
    turns: list[Utterance], agent_names: list[str], customer_names: list[str]
) -> dict[str, str]:
    """Speaker label -> ``agent`` / ``customer`` (labels not found are left out)."""
    speakers = list(dict.fromkeys(t.speaker for t in turns if t.speaker is not None))
    roles: dict[str, str] = {}
    for label in speakers:
        if _name_matches(label, agent_names):
            roles[label] = "agent"
        elif _name_matches(label, customer_names):
            roles[label] = "customer"
        elif (role := _word_role(label)) is not None:
            roles[label] = role
    for label in speakers:
        if label in roles:
            continue
        opening = " ".join(t.text for t in turns if t.speaker == label)[:400].casefold()
        if any(phrase in opening for phrase in AGENT_PHRASES):
            roles[label] = "agent"
    if len(speakers) == 2:
        known = [label for label in speakers if label in roles]
        if len(known) == 1:
            other = next(label for label in speakers if label not in roles)
            roles[other] = "customer" if roles[known[0]] == "agent" else "agent"
    return roles


def _turns(utterances: list[Utterance]) -> list[Utterance]:
    """Merge consecutive utterances of one speaker; an unlabelled cue continues a turn."""
    turns: list[Utterance] = []
    for u in utterances:
        if turns and (u.speaker == turns[-1].speaker or u.speaker is None):
            turns[-1].text += " " + u.text
            if u.end is not None:
                turns[-1].end = u.end
            continue
        turns.append(Utterance(u.speaker, u.text, u.offset, u.end))
    return turns


# --- metadata -------------------------------------------------------------------------


def _parse_when(text: str) -> tuple[dt.datetime | None, bool]:
    """(datetime, exact): exact for ISO 8601 / epoch; (None, True) if no date at all.

    A lenient-only date (``03/02/2026 9:15``) comes back as (None, False): the
    normaliser reads it with the workspace's day-first and time zone settings.
    """
    value = text.strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", value):
        seconds = float(value)
        if seconds > 1e11:
            seconds /= 1000
        return dt.datetime.fromtimestamp(seconds, dt.UTC), True
    try:
        return dt.datetime.fromisoformat(value), True
    except ValueError:
        pass
    if not _YEAR.search(value):
        return None, True
    try:
        date_parser.parse(value, default=_DATE_DEFAULT)
    except (ValueError, OverflowError):
        return None, True
    return None, False


def _duration(text: str) -> float | None:
    match = _DURATION.match(text.strip())
    if match is None:
        return None
    return int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + float(match["s"])


def _file_time(name: str) -> dt.datetime | None:
    match = _FILE_TIME.search(name)
    if match is None:
        return None
    try:
        return dt.datetime(
            int(match["y"]),
            int(match["mo"]),
            int(match["d"]),
            int(match["h"] or 0),
            int(match["mi"] or 0),
            int(match["s"] or 0),
        )
    except ValueError:
        return None


def _metadata_row(file: str, row: int, raw: str, fields: dict[str, Any]) -> _Meta:
    by_key: dict[str, tuple[str, str]] = {}
    for header, value in fields.items():
        text = value.strip() if isinstance(value, str) else ""
        by_key.setdefault(column_key(header), (header, text))
    values: dict[str, str] = {}
    used: set[str] = set()
    for name, aliases in METADATA_COLUMNS.items():
        for alias in aliases:
            if alias in by_key and alias not in used:
                used.add(alias)
                if by_key[alias][1]:
                    values[name] = by_key[alias][1]
                break
    customer = None
    names: list[str] = []
    others = sorted(k for k in by_key if k.startswith(CUSTOMER_PREFIXES) and k not in used)
    for key in (*CUSTOMER_COLUMNS, *others):
        if key in by_key and key not in used:
            used.add(key)
            value = by_key[key][1]
            if value and customer is None:
                customer = value
            if value and key in CUSTOMER_NAME_COLUMNS:
                names.append(value)
    extras = {h: v for k, (h, v) in by_key.items() if k not in used and v}
    return _Meta(file, row, raw, values, customer, names, extras)


# --- the reader -----------------------------------------------------------------------


class TranscriptReader(Reader):
    """A folder of call transcripts (.txt, .vtt, .srt) with an optional metadata.csv."""

    name = "transcripts"
    extensions = ()
    reads_folders = True

    def sniff(self, path: Path, head: str) -> bool:
        del head
        if not path.is_dir():
            return False
        files = self._transcripts(path)[:50]
        if any(f.suffix.lower() in (".vtt", ".srt") for f in files):
            return True
        for file in files:
            try:
                with file.open("rb") as fh:
                    sample = fh.read(4096).decode("utf-8", errors="replace")
            except OSError:
                continue
            lines = sample.splitlines()[:20]
            if sum(1 for line in lines if _split_speaker(line.strip())[0]) >= 2:
                return True
        return False

    @staticmethod
    def _transcripts(folder: Path) -> list[Path]:
        return folder_files(folder, TRANSCRIPT_EXTENSIONS)

    def read(self, path: Path, progress: ProgressFn | None = None) -> Iterator[RawRow | BadRow]:
        if not path.exists():
            raise UnreadableFile(f"{path}: no such file or folder")
        if path.is_dir():
            folder, files = path, self._transcripts(path)
            if not files:
                raise UnreadableFile(
                    f"{path}: no call transcripts in the folder",
                    hint=f"expected {', '.join(TRANSCRIPT_EXTENSIONS)} files",
                )
        else:
            check_file(path)
            if path.suffix.lower() not in TRANSCRIPT_EXTENSIONS:
                raise UnreadableFile(
                    f"{path}: not a call transcript",
                    hint=f"expected a folder of {', '.join(TRANSCRIPT_EXTENSIONS)} files",
                )
            folder, files = path.parent, [path]

        metadata, problems = self._metadata(folder, files, whole_folder=path.is_dir())
        if path.is_dir():
            yield from problems
        seen: dict[str, str] = {}
        done = 0
        for file in files:
            meta = metadata.get(file)
            item = self._call(file, meta)
            if isinstance(item, RawRow):
                call_id = item.fields["id"]
                if call_id in seen:
                    item = BadRow(
                        str(file),
                        None,
                        "id",
                        f"call {call_id!r} was already read from {seen[call_id]}",
                        item.raw,
                    )
                else:
                    seen[call_id] = file.name
            yield item
            if progress is not None:
                done += file.stat().st_size
                progress(done)

    # metadata.csv -> {transcript file: row}, and the rows that match no transcript
    def _metadata(
        self, folder: Path, files: list[Path], *, whole_folder: bool
    ) -> tuple[dict[Path, _Meta], list[BadRow]]:
        found = sorted(
            p for p in folder.iterdir() if p.is_file() and p.name.lower() in METADATA_NAMES
        )
        if not found:
            return {}, []
        path = found[0]
        by_name = {f.name.casefold(): f for f in files}
        by_stem: dict[str, Path] = {}
        for f in files:
            by_stem.setdefault(f.stem.casefold(), f)
        joined: dict[Path, _Meta] = {}
        problems: list[BadRow] = []
        join_columns = {*METADATA_COLUMNS["file"], *METADATA_COLUMNS["call_id"]}
        checked = False
        for item in CsvReader().read(path):
            if isinstance(item, BadRow):
                problems.append(item)
                continue
            if not checked:
                if not join_columns & {column_key(c) for c in item.fields}:
                    raise UnreadableFile(
                        f"{path}: no column to join transcripts by",
                        hint="add a 'file' column (the transcript's file name) or 'call_id'",
                    )
                checked = True
            meta = _metadata_row(item.file, item.row, item.raw, item.fields)
            key = meta.values.get("file") or meta.values.get("call_id")
            if key is None:
                problems.append(
                    BadRow(
                        item.file,
                        item.row,
                        "file",
                        "no file name or call_id to join a transcript by",
                        item.raw,
                    )
                )
                continue
            base = key.replace("\\", "/").rsplit("/", 1)[-1].casefold()
            target = by_name.get(base) or by_stem.get(base) or by_stem.get(Path(base).stem)
            if target is None:
                if whole_folder:
                    problems.append(
                        BadRow(
                            item.file,
                            item.row,
                            "file",
                            f"no transcript {key!r} in the folder",
                            item.raw,
                        )
                    )
                continue
            if target in joined:
                problems.append(
                    BadRow(
                        item.file,
                        item.row,
                        "file",
                        f"a second metadata row for {target.name} (the first is on line "
                        f"{joined[target].row})",
                        item.raw,
                    )
                )
                continue
            joined[target] = meta
        return joined, problems

    def _call(self, file: Path, meta: _Meta | None) -> RawRow | BadRow:
        try:
            check_file(file)
            stream, _ = open_text(file)
            with stream:
                text = stream.read()
        except UnreadableFile as exc:
            return BadRow(str(file), None, None, exc.message.removeprefix(f"{file}: "), "")
        except (OSError, UnicodeDecodeError) as exc:
            return BadRow(str(file), None, None, f"cannot read ({exc})", "")
        try:
            transcript = PARSERS[file.suffix.lower()](text)
        except RowProblem as problem:
            return BadRow(str(file), problem.line, None, problem.reason, text)
        if not transcript.utterances:
            return BadRow(str(file), None, None, "no speech in the transcript", text)
        values = {**transcript.header, **(meta.values if meta else {})}
        started_text = values.get("started_at")
        started: dt.datetime | None = None
        created_at: Any = None
        if started_text is not None:
            started, exact = _parse_when(started_text)
            if started is None and exact:
                where = (meta.file, meta.row, meta.raw) if meta else (str(file), 1, text)
                return BadRow(
                    where[0],
                    where[1],
                    "started_at",
                    f"unparseable date {started_text!r}",
                    where[2],
                )
            created_at = started if started is not None else started_text
        else:
            created_at = started = _file_time(file.stem)
        return RawRow(
            str(file), 1, self._fields(file, transcript, meta, values, started, created_at), text
        )

    @staticmethod
    def _fields(
        file: Path,
        transcript: Transcript,
        meta: _Meta | None,
        values: dict[str, str],
        started: dt.datetime | None,
        created_at: Any,
    ) -> dict[str, Any]:
        agent = values.get("agent")
        customer_names = list(meta.customer_names) if meta else []
        if "customer" in transcript.header:
            customer_names.append(transcript.header["customer"])
        requester = meta.customer if meta and meta.customer else None
        if requester is None and "customer" in transcript.header:
            requester = transcript.header["customer"]
        turns = _turns(transcript.utterances)
        roles = assign_roles(turns, [agent] if agent else [], customer_names)
        messages: list[dict[str, Any]] = []
        for turn in turns:
            role = roles.get(turn.speaker) if turn.speaker is not None else None
            author: str | None = None
            if role == "agent" and turn.speaker is not None:
                named = _word_role(turn.speaker) == "agent" or _name_matches(
                    turn.speaker, [agent] if agent else []
                )
                author = agent if agent and named else turn.speaker
            elif role == "customer":
                author = requester or turn.speaker  # pseudonymised like the requester
            when = None
            if started is not None and turn.offset is not None:
                when = started + dt.timedelta(seconds=turn.offset)
            messages.append({"body": turn.text, "role": role, "author": author, "created_at": when})
        customer_turns = [m["body"] for m in messages if m["role"] == "customer"]
        unknown_turns = [m["body"] for m in messages if m["role"] is None]
        text = "\n".join(customer_turns or unknown_turns or [m["body"] for m in messages])

        duration: float | None = None
        if values.get("duration"):
            duration = _duration(values["duration"])
        if duration is None:
            ends = [u.end for u in transcript.utterances if u.end is not None]
            duration = max(ends) if ends else None
        tags = values.get("tags")
        fields: dict[str, Any] = {
            "id": values.get("call_id") or file.stem,
            "text": text,
            "subject": values.get("subject"),
            "created_at": created_at,
            "first_response_at": None,
            "solved_at": None,
            "status": values.get("status"),
            "channel": "phone",
            "priority": values.get("priority"),
            "group": values.get("group"),
            "requester": requester,
            "csat": values.get("csat"),
            "reopens": None,
            "handoffs": values.get("handoffs"),
            "tags": tags,
            "language": values.get("language"),
            "messages": messages,
            "transcript_file": file.name,
        }
        if agent:
            fields["agent"] = agent
        if duration is not None:
            fields["duration_seconds"] = int(duration) if duration == int(duration) else duration
        elif values.get("duration"):
            fields["duration"] = values["duration"]
        if meta is not None:
            for header, value in meta.extras.items():
                fields.setdefault(header, value)
        return fields
