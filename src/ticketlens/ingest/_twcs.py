"""Customer Support on Twitter (TWCS): tweets in, one ticket per customer conversation out.

The format
----------
The Kaggle data set "Customer Support on Twitter" is one CSV of tweets, one row each::

    tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
    3,115712,True,Tue Oct 31 22:08:27 +0000 2017,@sprintcare I have sent...,1,4

``author_id`` is the brand's handle for a company tweet and an anonymised number for a
customer; ``inbound`` is ``True`` for a customer's tweet (to a company) and ``False``
for a company's; ``created_at`` is UTC in Twitter's ``Tue Oct 31 22:10:47 +0000 2017``
form (ISO 8601 is accepted too); ``in_response_to_tweet_id`` names the tweet this one
answers (empty for a tweet that answers nothing) and ``response_tweet_id`` lists the
answers to this one. The two say the same thing from both ends, so only
``in_response_to_tweet_id`` is used. The rows are not in time order: the crawl walked
threads backwards, so replies often come before the tweets they answer.

Threads
-------
Every tweet answers at most one other, so the tweets form reply trees. The root of a
tree is a tweet that answers no tweet *in the file* (it answers nothing, or a tweet
the file does not have, such as one cut off by a partial export or rejected as a bad
row). A ticket is one customer's conversation:

* a tree whose root is a customer's tweet is one ticket, opened by that tweet;
* a tree whose root is a brand's tweet (a broadcast, or a reply whose question is not
  in the file) is not a ticket itself; each customer tweet answering it, directly or
  through further brand tweets, opens a ticket of its own, since several people
  answering one announcement are several contacts. A brand thread that no customer
  answers is not a ticket at all and is skipped.

A ticket's thread is its opening tweet and everything below it in the tree, in time
order (then tweet id). That includes other customers joining in: their tweets stay in
the thread as customer messages under their own author, because they belong to the
conversation, and because some brands appear in TWCS under anonymised numeric ids with
``inbound=True`` and splitting at every change of customer would cut those
conversations into single tweets. A customer who comes back later with a new tweet that
answers nothing opens a new ticket with the same requester; counting repeat contacts
is left to the metrics.

The mapping
-----------
==================  ===============================================================
``id``              the opening tweet's ``tweet_id``
``text``            the opening tweet's text (HTML entities such as ``&amp;`` decoded)
``created_at``      the opening tweet's time
``requester``       the opening tweet's ``author_id``
``messages``        every tweet of the thread: body, role ``customer`` (inbound) or
                    ``agent`` (a brand's tweet), author, time
``first_response_at``  the first brand tweet of the thread
``status``          ``solved`` when a brand had the last word, ``open`` when a customer
                    did (including a tweet nobody answered). Twitter has no ticket
                    state, so this is a proxy: "solved" means the brand answered last
                    in public, not that the problem was fixed (a conversation moved to
                    direct messages looks solved; a customer's closing "thanks!" looks
                    open).
``solved_at``       the last tweet's time when ``solved``, else empty
``channel``         ``twitter``
``group``           the brand: the author of the first brand reply; failing that, the
                    brand whose tweet the opener answers; failing that, the first
                    ``@handle`` in the opener that is a brand seen in the file
custom ``brand``    the same brand (kept as a custom field too, for filters)
custom ``in_response_to_tweet_id``  set when the opening tweet answers a tweet (one
                    the file does not have, or a brand's tweet that is not a ticket)
==================  ===============================================================

Rows that cannot be used (``tweet_id`` or ``in_response_to_tweet_id`` not a whole
number, ``inbound`` not True/False, an empty ``author_id``, an unparseable date, a
repeated ``tweet_id``, a reply chain that loops and so never reaches a first tweet,
broken CSV quoting) are rejected one by one as :class:`BadRow` with their line and
field; a reply to a rejected tweet is read as if that tweet were missing.

Memory: the reply trees can only be rebuilt once every tweet has been seen (an answer
may come anywhere in the file), so the reader keeps the whole file in memory, but only
what a ticket needs from each row: id, parent id, author, inbound, time, text and line
number (authors are interned: a brand's handle is stored once). Tickets are built and
yielded one at a time after that. A rebuilt ticket's ``raw`` (what the quarantine
shows, should the ticket itself be rejected) is its JSON form.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import html
import io
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ticketlens.errors import RowProblem, UnreadableFile
from ticketlens.ingest._base import (
    Absorbed,
    BadRow,
    Item,
    ProgressFn,
    RawRow,
    Reader,
    SkippedRow,
    StoredThreads,
)
from ticketlens.ingest._csv import CsvReader
from ticketlens.ingest._json import canonical
from ticketlens.ingest._tabular import head_columns, read_header
from ticketlens.ingest.normalize import MessageRecord

log = logging.getLogger(__name__)

#: The header of twcs.csv, in its order.
TWCS_COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)
#: What the reader needs (``response_tweet_id`` repeats ``in_response_to_tweet_id``).
REQUIRED_COLUMNS = tuple(c for c in TWCS_COLUMNS if c != "response_tweet_id")

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
# Parsed by hand: strptime's %a/%b depend on the locale.
_TWITTER_DATE = re.compile(
    r"[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})"
)
_WHOLE = re.compile(r"\d+(?:\.0*)?")
_MENTION = re.compile(r"@(\w+)")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})


def parse_twitter_date(text: str) -> dt.datetime | None:
    """``Tue Oct 31 22:10:47 +0000 2017`` (or ISO 8601) as an aware datetime; None if neither."""
    text = text.strip()
    match = _TWITTER_DATE.fullmatch(text)
    if match is not None:
        month = _MONTHS.get(match[1].lower())
        if month is None:
            return None
        sign = -1 if match[6] == "-" else 1
        offset = dt.timedelta(hours=int(match[7]), minutes=int(match[8]))
        tz = dt.UTC if not offset else dt.timezone(sign * offset)
        try:
            return dt.datetime(
                int(match[9]),
                month,
                int(match[2]),
                int(match[3]),
                int(match[4]),
                int(match[5]),
                tzinfo=tz,
            )
        except ValueError:
            return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


class _Tweet(NamedTuple):
    """What a ticket needs from one row (a tuple: the whole file is held at once)."""

    id: int
    parent: int | None
    author: str
    inbound: bool
    created: dt.datetime
    text: str
    line: int
    #: the file it was read from ("" for a stored tweet)
    file: str = ""
    #: index of that file in the import (the order tickets are yielded in)
    order: int = 0
    #: a tweet already in the store (a held reply, a message of a stored thread), read
    #: back to rebuild a thread: not a row of this import
    stored: bool = False


def _whole(value: str, column: str) -> int:
    text = value.strip()
    if not _WHOLE.fullmatch(text):
        raise RowProblem(column, f"{column} must be a whole number, got {value!r}")
    # Some copies store ids as floats ("3.0").
    return int(text.split(".", 1)[0])


def _tweet(fields: dict[str, str], line: int, file: str, order: int) -> _Tweet:
    """Parse one row; raises RowProblem naming the first field that is wrong."""
    tweet_id = _whole(fields["tweet_id"], "tweet_id")
    author = fields["author_id"].strip()
    if not author:
        raise RowProblem("author_id", "empty author_id")
    flag = fields["inbound"].strip().lower()
    if flag not in _TRUE | _FALSE:
        raise RowProblem("inbound", f"inbound must be True or False, got {fields['inbound']!r}")
    created = parse_twitter_date(fields["created_at"])
    if created is None:
        raise RowProblem("created_at", f"unparseable date {fields['created_at']!r}")
    parent_text = fields["in_response_to_tweet_id"].strip()
    parent = _whole(parent_text, "in_response_to_tweet_id") if parent_text else None
    return _Tweet(
        id=tweet_id,
        parent=parent,
        author=sys.intern(author),
        inbound=flag in _TRUE,
        created=created,
        text=html.unescape(fields["text"]),
        line=line,
        file=file,
        order=order,
    )


def _from_store(m: MessageRecord) -> _Tweet | None:
    """A stored message as a tweet (None if it is not one: no whole-number ids)."""
    if m.external_id is None or not m.external_id.isdigit() or m.created_at is None:
        return None
    parent = int(m.reply_to) if m.reply_to and m.reply_to.isdigit() else None
    return _Tweet(
        id=int(m.external_id),
        parent=parent,
        author=sys.intern(m.author or ""),
        inbound=m.role == "customer",
        created=m.created_at,
        text=m.body,
        line=0,
        stored=True,
    )


#: Why a brand tweet above every customer tweet of its tree is skipped.
NO_OPENER = "brand reply without its opener (kept: it joins the thread when that is imported)"


class _Threads:
    """Every tweet at hand (read now, or stored), with the reply tree rebuilt."""

    def __init__(self, tweets: dict[int, _Tweet]) -> None:
        self.tweets = tweets
        self.children: dict[int, list[int]] = {}
        self.brands: dict[str, str] = {}  # lower-case handle -> handle as written
        for t in tweets.values():
            if t.parent is not None and t.parent in tweets:
                self.children.setdefault(t.parent, []).append(t.id)
            if not t.inbound:
                self.brands.setdefault(t.author.lower(), t.author)

    def subtree(self, root: int) -> list[_Tweet]:
        """``root`` and everything below it (iterative: reply chains can be long)."""
        found, stack = [], [root]
        while stack:
            tid = stack.pop()
            found.append(self.tweets[tid])
            stack.extend(self.children.get(tid, ()))
        return found

    def openers(
        self,
    ) -> tuple[list[tuple[_Tweet, _Tweet | None]], list[_Tweet], list[_Tweet]]:
        """The tweets that open tickets (each with the brand tweet it answers, if any),
        the brand tweets above every customer tweet of their tree (not in any ticket),
        and the tweets no opening tweet can be reached from (reply loops)."""
        openers: list[tuple[_Tweet, _Tweet | None]] = []
        above: list[_Tweet] = []
        seen: set[int] = set()
        for t in self.tweets.values():
            if t.parent is not None and t.parent in self.tweets:
                continue
            if t.inbound:
                openers.append((t, None))
                seen.update(x.id for x in self.subtree(t.id))
                continue
            # A brand's tweet at the top: customers answering it open tickets.
            stack = [t]
            while stack:
                brand_tweet = stack.pop()
                seen.add(brand_tweet.id)
                above.append(brand_tweet)
                for child_id in self.children.get(brand_tweet.id, ()):
                    child = self.tweets[child_id]
                    if child.inbound:
                        openers.append((child, brand_tweet))
                        seen.update(x.id for x in self.subtree(child_id))
                    else:
                        stack.append(child)
        looped = [t for t in self.tweets.values() if t.id not in seen]
        return openers, above, looped

    def brand_for(
        self, opener: _Tweet, answered: _Tweet | None, first_reply: _Tweet | None
    ) -> str | None:
        if first_reply is not None:
            return first_reply.author
        if answered is not None:
            return answered.author
        for handle in _MENTION.findall(opener.text):
            brand = self.brands.get(handle.lower())
            if brand is not None:
                return brand
        return None

    def ticket(
        self, opener: _Tweet, answered: _Tweet | None
    ) -> tuple[dict[str, Any], list[_Tweet]]:
        """The ticket ``opener`` opens, and its thread."""
        thread = sorted(self.subtree(opener.id), key=lambda t: (t.created, t.id))
        # The opener first even if a clock put a reply before it.
        thread.remove(opener)
        thread.insert(0, opener)
        first_reply = next((t for t in thread if not t.inbound), None)
        brand = self.brand_for(opener, answered, first_reply)
        last = thread[-1]
        solved = not last.inbound
        fields = {
            "id": str(opener.id),
            "text": opener.text,
            "created_at": opener.created,
            "first_response_at": first_reply.created if first_reply else None,
            "solved_at": last.created if solved else None,
            "status": "solved" if solved else "open",
            "channel": "twitter",
            "group": brand,
            "requester": opener.author,
            "messages": [
                {
                    "id": str(t.id),
                    "reply_to": None if t.parent is None else str(t.parent),
                    "body": t.text,
                    "role": "customer" if t.inbound else "agent",
                    "author": t.author,
                    "created_at": t.created,
                }
                for t in thread
            ],
            "brand": brand,
            "in_response_to_tweet_id": None if opener.parent is None else str(opener.parent),
        }
        return fields, thread


#: Rounds of "what in the store touches these tweets?" before the threads are taken as
#: they are (each round follows a reply chain one stored step further).
STORE_ROUNDS = 50


def _with_stored(
    tweets: dict[int, _Tweet], stored: StoredThreads
) -> tuple[dict[int, str], set[int]]:
    """Add to ``tweets`` the stored tweets their threads reach, and the threads of stored
    tickets that name a brand only known now; returns stored ticket openers (tweet id ->
    ticket id) and the openers of those brand-less tickets (to rebuild)."""
    openers: dict[int, str] = {}

    def add(found: list[MessageRecord], stored_openers: dict[str, str]) -> list[_Tweet]:
        openers.update({int(k): v for k, v in stored_openers.items() if k.isdigit()})
        added = []
        for message in found:
            t = _from_store(message)
            if t is not None and t.id not in tweets:
                tweets[t.id] = t
                added.append(t)
        return added

    brands = {t.author for t in tweets.values() if not t.inbound}
    found, stored_openers = stored.ungrouped_mentioning(brands) if brands else ([], {})
    frontier = list(tweets.values()) + add(found, stored_openers)
    regroup = {int(k) for k in stored_openers if k.isdigit()}
    for _ in range(STORE_ROUNDS):
        if not frontier:
            break
        ids = {str(t.parent) for t in frontier if t.parent is not None and t.parent not in tweets}
        replying_to = {str(t.id) for t in frontier}
        frontier = add(*stored.around(ids=ids, replying_to=replying_to))
    return openers, regroup


class TwcsReader(Reader):
    """Customer Support on Twitter CSV: one ticket per customer conversation."""

    name = "twcs"
    reads_together = True

    def sniff(self, path: Path, head: str) -> bool:
        del path
        return set(REQUIRED_COLUMNS) <= set(head_columns(head))

    def read(self, path: Path, progress: ProgressFn | None = None) -> Iterator[Item]:
        return self.read_together([path], lambda _path: progress, None)

    def read_together(
        self,
        paths: Sequence[Path],
        progress: Callable[[Path], ProgressFn | None],
        stored: StoredThreads | None,
    ) -> Iterator[Item]:
        for path in paths:
            self._check(path)
        tweets: dict[int, _Tweet] = {}
        bad: list[tuple[int, BadRow]] = []
        for order, path in enumerate(paths):
            bad += ((order, b) for b in self._read_file(path, order, tweets, progress(path)))
        openers_stored, regroup = ({}, set()) if stored is None else _with_stored(tweets, stored)
        threads = _Threads(tweets)
        openers, above, looped = threads.openers()
        for t in looped:
            if not t.stored:
                reason = "reply chain loops back on itself and never reaches a first tweet"
                bad.append(
                    (t.order, BadRow(t.file, t.line, "in_response_to_tweet_id", reason, _raw(t)))
                )
        skipped = [
            (t.order, SkippedRow(t.file, t.line, NO_OPENER, _held(t)))
            for t in above
            if not t.stored
        ]
        now_openers = {opener.id for opener, _ in openers}
        absorbed = [tweet_id for tweet_id in openers_stored if tweet_id not in now_openers]

        def tickets() -> Iterator[tuple[int, Item]]:
            for opener, answered in sorted(openers, key=_position):
                fields, thread = threads.ticket(opener, answered)
                read_now = [t for t in thread if not t.stored]
                # The brand tweet the opener answers names the brand, so it counts too.
                touched = read_now or ([answered] if answered and not answered.stored else [])
                if not touched and opener.id not in regroup:
                    continue  # a stored thread nothing read now joins
                touched = touched or [opener]
                first = opener if not opener.stored else touched[0]
                joined = len(read_now) - (0 if opener.stored else 1)
                row = RawRow(
                    first.file,
                    first.line,
                    fields,
                    canonical(fields),
                    joined=joined,
                    extends=opener.stored,
                    rebuilt=True,
                )
                yield first.order, row

        key = lambda pair: (pair[0], pair[1].row or 0)  # noqa: E731 - file, then line
        for _order, item in heapq.merge(
            tickets(), sorted(bad, key=key), sorted(skipped, key=key), key=key
        ):
            yield item
        for tweet_id in absorbed:
            yield Absorbed(openers_stored[tweet_id])

    @staticmethod
    def _check(path: Path) -> None:
        columns = read_header(path, ",")
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise UnreadableFile(
                f"{path}: not a TWCS file (no {', '.join(missing)} column)",
                hint=f"expected the columns {','.join(TWCS_COLUMNS)}",
            )

    @staticmethod
    def _read_file(
        path: Path, order: int, tweets: dict[int, _Tweet], progress: ProgressFn | None
    ) -> list[BadRow]:
        """Add the file's tweets to ``tweets``; its rejected rows."""
        file = sys.intern(str(path))
        bad: list[BadRow] = []
        rows = CsvReader()
        rows.delimiter = ","
        for item in rows.read(path, progress):
            if isinstance(item, BadRow):
                bad.append(item)
                continue
            if not isinstance(item, RawRow):
                continue
            try:
                tweet = _tweet(item.fields, item.row, file, order)
            except RowProblem as problem:
                bad.append(
                    BadRow(file, item.row, problem.field, problem.reason, item.raw, item.fields)
                )
                continue
            first = tweets.get(tweet.id)
            if first is not None:
                where = "" if first.file == file else f" of {first.file}"
                reason = f"duplicate tweet_id {tweet.id} (first on line {first.line}{where})"
                bad.append(BadRow(file, item.row, "tweet_id", reason, item.raw, item.fields))
                continue
            tweets[tweet.id] = tweet
        return bad


def _position(pair: tuple[_Tweet, _Tweet | None]) -> tuple[int, int]:
    return pair[0].order, pair[0].line


def _held(t: _Tweet) -> MessageRecord:
    return MessageRecord(
        body=t.text,
        role="customer" if t.inbound else "agent",
        author=t.author,
        created_at=t.created,
        external_id=str(t.id),
        reply_to=None if t.parent is None else str(t.parent),
    )


def _raw(t: _Tweet) -> str:
    """A rejected tweet in its CSV form (``response_tweet_id`` is not kept, left empty)."""
    out = io.StringIO()
    created = t.created.strftime("%a %b %d %H:%M:%S %z %Y")
    parent = "" if t.parent is None else str(t.parent)
    values = [str(t.id), t.author, str(t.inbound), created, t.text, "", parent]
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()
