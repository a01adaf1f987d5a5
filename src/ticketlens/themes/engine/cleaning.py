"""The words of a ticket that say what is wrong: what discovery embeds and labels.

A ticket as stored carries much that is not the problem: links, @handles, e-mail
addresses, the previous reply quoted below, a signature, an agent's initials after a
reply ("^AB", "/LO"), a form's headings and HTML comments, markup. Left in, they decide
what groups with what (every GitHub issue of one template looks alike) and they end up
in labels ("Https github com", "Look backstage nq/cg/mt"). Two steps, both
deterministic:

* :func:`clean_text`, per text: the rules below, idempotent (cleaning a cleaned text
  changes nothing);
* :class:`Boilerplate`, per corpus: sentences that recur verbatim in many different
  tickets (a template's "### Issue type", "Please assist.") are the form, not the
  problem. It is learnt at discovery and kept with the space, so tickets placed later
  are cleaned the same way.

The stored ticket is never changed; this is only what the engine reads.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# -- what is cut from a line onwards: a quoted earlier message, a signature
_QUOTE_HEADER = re.compile(
    r"^\s*(?:"
    r"on\b.{0,200}\bwrote:"  # On Mon, 3 Oct 2022, Ann <ann@x.com> wrote:
    r"|am\b.{0,200}\bschrieb.{0,80}:"  # Am 03.10.2022 schrieb Ann:
    r"|le\b.{0,200}\ba écrit\s*:"  # Le 3 oct. 2022, Ann a écrit :
    r"|-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine)\s*-{2,}"
    r"|from:\s.{1,200}\b(?:sent|date):"  # Outlook's header, flattened on one line
    r")",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*(?:from|von|de)\s*:\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*(?:sent|gesendet|envoyé|date|to|an|à)\s*:\s", re.IGNORECASE)
_SIGNATURE_DASHES = re.compile(r"^\s*--\s*$")
_SENT_FROM = re.compile(r"^\s*(?:sent from my|get outlook for|von meinem .{1,40} gesendet)\b", re.I)
# A closing formula on its own line, the end of the message: what follows is a name.
_SIGN_OFF_LINE = re.compile(
    r"^\s*(?:(?:best|kind|warm|many)\s+(?:regards|wishes)|regards|best|cheers|sincerely"
    r"|yours(?:\s+(?:truly|sincerely))?|thanks(?:\s+(?:again|in advance))?|thank you"
    r"|mit freundlichen grüßen|viele grüße|liebe grüße|beste grüße|grüße|cordialement"
    r"|bien à vous|saludos|atentamente|cordiali saluti|met vriendelijke groet)\b[\s,.!]*$",
    re.IGNORECASE,
)
# The same formula closing a text written on one line: "..., Best regards, [Your Name]".
_SIGN_OFF_TAIL = re.compile(
    r"(?:^|(?<=[.!?,]))\s*(?i:(?:best|kind|warm)\s+regards|regards|best|sincerely|cheers"
    r"|mit freundlichen grüßen|viele grüße|cordialement)[.!]?\s*,?\s*"
    r"(?:\[[^\]]{1,40}\]|[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})?\s*$"
)
# A greeting opening a sentence: "Hi there," "Dear Customer Support," "Hello." Only the
# greeting goes: "Hello, there was an error with my top-up" keeps what it says.
_GREETING = re.compile(
    r"^(?:(?:dear|sehr geehrte[rs]?)\b[^.!?,\n]{0,60}[,:]"
    r"|(?:hello|hi|hey|greetings|good (?:morning|afternoon|evening))\b"
    r"(?:(?:\s+[\w'-]+){0,3}\s*[,:]|\s*[.!]+|\s*$))\s*",
    re.IGNORECASE,
)
# Courtesy sentences of an e-mail: said in every ticket, about none.
_COURTESY = re.compile(
    r"^(?:(?:many )?thanks?(?: you)?(?: so much| very much| again| in advance)?(?: for\b.*)?[.!]*$"
    r"|i (?:hope|trust) (?:this|that|you)\b.{0,40}\bwell\b"
    r"|(?:i )?(?:am )?(?:look|looking) forward to\b|i eagerly await\b"
    r"|(?:please )?let me know if you need (?:any )?(?:more|further|additional)\b"
    r"|vielen dank\b|danke\b.{0,40}$"
    r"|ich freue mich auf\b|mit freundlichen grüßen\b)",
    re.IGNORECASE,
)
# A line of a closing name block: a few words, no sentence.
_NAME_LINE = re.compile(r"^\s*[^.!?]{0,60}$")

# -- what is removed wherever it is
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_CODE_FENCE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # keep the link's words
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
_URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>\"')\]]*"  # scheme:// or www.
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|ly|gl|me|de|uk|fr|info|biz|app|dev)"
    r"(?:/[^\s<>\"')\]]*)?(?![\w.])",  # bare domains and short links: t.co/abc, bit.ly/x
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
# An agent's initials signing a reply: "^AB", "/LO", "-CG" at the end, "*AB" too.
_AGENT_INITIALS = re.compile(r"(?:^|\s)[\^/*~-]\s?[A-Z]{1,3}\d?(?=\s*$|\s+(?=[\^/*~-]))")
_AGENT_CARET = re.compile(r"\^\s?[A-Z]{1,3}\b")  # a caret sign-off anywhere ("... ^AB thanks")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s.*$")
_BOLD_ONLY = re.compile(r"^\s*(?:\*\*|__)[^*_]{1,200}(?:\*\*|__)\s*:?\s*$")
_NO_RESPONSE = re.compile(r"^\s*_?no response_?\s*$", re.IGNORECASE)
_MARKUP = re.compile(r"(?:\*\*|__|`+|^\s*>+|^\s*[-*+]\s+|^\s*\d+[.)]\s+)", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\[(?:your|ihr|votre)\s[^\]]{1,30}\]|\{[a-z_]{2,40}\}", re.IGNORECASE)
_EDGES = " \t-|:;,"  # left at a line's ends once what stood beside them is gone
_WORD = re.compile(r"[^\W\d_]{2}")
# Cheap tests for whether a rule may apply, on the lower-cased text (a miss here must
# mean the rule cannot match): regular expressions that ignore case cost more than
# all of the cleaning of a short text.
_QUOTE_HINTS = ("wrote:", "schrieb", "écrit", "--", ": ")
_URL_HINT = re.compile(r"://|www\.|\w\.[a-z]{2,4}\b")
_INITIALS_HINT = re.compile(r"[\^/*~-]\s?[A-Z]")
_MARKUP_HINT = re.compile(r"\*\*|__|`|^\s*(?:>|[-*+]\s|\d+[.)]\s)")
_SIGN_OFF_HINTS = ("regards", "best", "sincerely", "cheers", "grüße", "cordialement")
_COURTESY_HINT = re.compile(
    r"\b(?:dear|hello|hi|hey|good|thanks?|hope|trust|look|looking|await|let me know"
    r"|sehr|vielen|danke|freue|mit freundlichen)\b"
)
_MORE_THAN_ONE_SENTENCE = re.compile(r"[.!?]\s+\S|\n")


def clean_text(text: str) -> str:
    """The problem statement of one ticket's text: lines kept, noise removed.

    Newlines are kept (sentences and template lines are told apart by them); runs of
    whitespace becomes one space. A text that is nothing but noise (a link, a handle) comes back
    empty. Each rule runs only where a cheap test says it may apply: discovery cleans
    every ticket, a million of them in the lifecycle benchmark.
    """
    if "&" in text:
        text = html.unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "<!--" in text:
        text = _HTML_COMMENT.sub(" ", text)
    if "```" in text:
        text = _CODE_FENCE.sub(" ", text)
    lines = text.split("\n")
    lower = text.lower()
    if len(lines) == 1 and not any(hint in lower for hint in _QUOTE_HINTS):
        kept = [_clean_line(text, lower)]
    else:
        kept = _message_lines(lines)
    cleaned = "\n".join(line for line in kept if line)
    if any(hint in lower for hint in _SIGN_OFF_HINTS):
        cleaned = _SIGN_OFF_TAIL.sub("", cleaned).strip(_EDGES)
    if _MORE_THAN_ONE_SENTENCE.search(cleaned) and _COURTESY_HINT.search(lower):
        return _without_courtesy(cleaned)
    return cleaned


def _message_lines(lines: list[str]) -> list[str]:
    """The cleaned lines of the message proper, up to a quote or a signature."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _ends_message(line, lines[index + 1 :], kept):
            break
        if _MD_HEADING.match(line) or _BOLD_ONLY.match(line) or _NO_RESPONSE.match(line):
            continue
        if line.lstrip().startswith(">") or _SENT_FROM.match(line):
            continue
        cleaned = _clean_line(line, line.lower())
        if not _NO_RESPONSE.match(cleaned):
            kept.append(cleaned)
    return kept


def _ends_message(line: str, rest: list[str], kept: list[str]) -> bool:
    """Whether the message proper ends before ``line`` (a quote or signature starts)."""
    if _QUOTE_HEADER.match(line) or _SIGNATURE_DASHES.match(line):
        return True
    if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(n) for n in rest[:2]):
        return True
    # "Regards," on its own line, after the message, with at most a name block below.
    if not kept or _SIGN_OFF_LINE.match(line) is None:
        return False
    below = [n for n in rest if n.strip()]
    return len(below) <= 3 and all(_NAME_LINE.match(n) for n in below)


def _without_courtesy(text: str) -> str:
    """The text without greetings and thank-yous, unless that is all it says."""
    parts = sentences(text)
    if len(parts) < 2:
        return text
    said = (_GREETING.sub("", s, count=1) for s in parts)
    kept = [s.strip(_EDGES) for s in said if not _COURTESY.match(s)]
    kept = [s for s in kept if s]
    if not any(_WORD.search(s) for s in kept):  # only ":)" would be left
        return text
    return "\n".join(kept) if "\n" in text else " ".join(kept)


def _clean_line(line: str, lower: str) -> str:
    if "](" in line:
        line = _MD_LINK.sub(r"\1", _MD_IMAGE.sub(" ", line))
    if "<" in line:
        line = _TAG.sub(" ", line)
    if "@" in line:
        line = _HANDLE.sub(" ", _EMAIL.sub(" ", line))
    if _URL_HINT.search(lower):
        line = _URL.sub(" ", line)
    if "^" in line:
        line = _AGENT_CARET.sub(" ", line)
    if _INITIALS_HINT.search(line):
        line = _AGENT_INITIALS.sub(" ", line)
    if "[" in line or "{" in line:
        line = _PLACEHOLDER.sub(" ", line)
    if _MARKUP_HINT.search(line):
        line = _MARKUP.sub(" ", line)
    return " ".join(line.split()).strip(_EDGES)


# -- per corpus

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
#: a sentence in at least this share of the distinct texts (and this many) is the form.
#: 2%: the sample's generic subjects ("Issue with my Harbor account", 4% of tickets each)
#: and GitHub's pull-request checklists are caught; no sentence of banking77, SpotifyCares
#: or the multilingual tickets is (scripts measured it, 2026-12-04).
BOILERPLATE_SHARE = 0.02
BOILERPLATE_MIN_TEXTS = 20


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _key(sentence: str) -> str:
    return " ".join(sentence.lower().split())


@dataclass(frozen=True)
class Boilerplate:
    """Sentences a corpus's tickets share verbatim, removed from each text."""

    sentences: frozenset[str] = frozenset()

    @classmethod
    def learn(cls, texts: Iterable[str]) -> Boilerplate:
        """The sentences in at least :data:`BOILERPLATE_SHARE` of the distinct texts.

        Only texts of two sentences or more count a sentence: a one-sentence text that
        many people send ("Thanks!") is a ticket, not a form around one.
        """
        counts: Counter[str] = Counter()
        distinct = 0
        for text in texts:
            distinct += 1
            parts = {_key(s) for s in sentences(text)}
            if len(parts) >= 2:
                counts.update(parts)
        need = max(BOILERPLATE_MIN_TEXTS, BOILERPLATE_SHARE * distinct)
        return cls(frozenset(s for s, n in counts.items() if n >= need))

    def remove_from(self, text: str) -> str:
        """``text`` without the shared sentences, unless nothing else would be left."""
        if not self.sentences:
            return text
        parts = sentences(text)
        kept = [s for s in parts if _key(s) not in self.sentences]
        return " ".join(kept) if kept else " ".join(parts)

    def remove_all(self, texts: Sequence[str]) -> list[str]:
        return [self.remove_from(t) for t in texts]
