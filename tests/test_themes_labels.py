"""Issue 15: theme labels a support lead would write.

Point 1: the text discovery reads is cleaned once, in one place; point 2: labels and
keywords hold no forbidden token; point 3: no two live themes share a label, and a
person's label is never changed; point 4: keywords follow the same rules.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import fee_split, write
from ticketlens import pipeline
from ticketlens.themes import clean_text, list_themes, rename, run_discovery, ticket_text
from ticketlens.themes.catalog import current_labels
from ticketlens.themes.engine import Boilerplate, resolve_languages
from ticketlens.themes.engine.distinct_labels import label_key, tell_apart
from ticketlens.themes.engine.labels import (
    Meaning,
    count_terms,
    describe,
    representatives,
    term_problem,
)
from ticketlens.workspace import Workspace

# -- point 1: cleaning


def test_point_1_links_handles_and_addresses_are_removed() -> None:
    text = (
        "@SpotifyCares my playlist disappeared after the update https://t.co/83lcCI1PfD "
        "see www.example.com/help or mail ann.lee@example.com"
    )
    assert clean_text(text) == "my playlist disappeared after the update see or mail"


def test_point_1_agent_initials_after_a_caret_slash_or_dash_are_removed() -> None:
    assert clean_text("@123 We'll look backstage /LO https://t.co/ldFdZRiNAt") == (
        "We'll look backstage"
    )
    assert clean_text("Sorry to hear that, can you DM us? ^AB") == (
        "Sorry to hear that, can you DM us?"
    )
    assert clean_text("Top-up failed again. -CG") == "Top-up failed again."
    # A hyphenated word or an acronym inside the text is not a sign-off.
    assert clean_text("The Wi-Fi login says HTTP 500") == "The Wi-Fi login says HTTP 500"


def test_point_1_quoted_replies_and_signatures_are_cut() -> None:
    quoted = (
        "My card has not arrived yet.\n\n"
        "On Mon, 3 Oct 2022 at 10:00, Ann <ann@example.com> wrote:\n"
        "> Your card is on its way\n> Regards"
    )
    assert clean_text(quoted) == "My card has not arrived yet."
    assert clean_text("The refund never came.\n-- \nJohn Smith | Acme\n555-1234") == (
        "The refund never came."
    )
    assert clean_text("The refund never came.\nKind regards,\nJohn Smith\nAcme Corp") == (
        "The refund never came."
    )
    outlook = "Still broken.\nFrom: Support <help@example.com>\nSent: Monday\nSubject: Re: x"
    assert clean_text(outlook) == "Still broken."
    assert clean_text("It crashes on start.\n\nSent from my iPhone") == "It crashes on start."


def test_point_1_greetings_thanks_and_one_line_sign_offs_are_removed() -> None:
    text = (
        "Dear Customer Support, I hope this message finds you well. The export to CSV "
        "fails with error 500. Thank you for your time and assistance. Best regards, "
        "[Your Name]"
    )
    assert clean_text(text) == "The export to CSV fails with error 500."
    # A ticket that only says thanks is left as it is: it is what the customer wrote.
    assert clean_text("Thanks!") == "Thanks!"


def test_point_1_templates_and_markup_are_removed() -> None:
    issue = (
        "<!-- Please read our Rules of Conduct -->\n### Issue type\nBug\n"
        "**What is the current behavior?**\n"
        "The search panel freezes, see [the docs](https://example.com/d) "
        "![shot](https://example.com/s.png)\n```\nTraceback (most recent call last)\n```\n"
        "_No response_"
    )
    assert clean_text(issue) == "Bug\nThe search panel freezes, see the docs"
    assert clean_text("Login fails<br>after the update &amp; reboot") == (
        "Login fails after the update & reboot"
    )


@pytest.mark.parametrize(
    "text",
    [
        "@x hi https://t.co/a ^AB",
        "a\n> b\nOn Mon, Ann wrote:\nc",
        "Hello, thanks. Card lost. Thank you!",
        "x -- y",
        "",
    ],
)
def test_point_1_cleaning_twice_changes_nothing(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


def test_point_1_what_discovery_reads_is_the_cleaned_text() -> None:
    assert ticket_text("Card declined", "@bank it was declined again https://t.co/x ^JS") == (
        "Card declined. it was declined again"
    )


def test_point_1_sentences_a_template_repeats_across_tickets_are_left_out() -> None:
    problems = [f"problem number {i} with the export" for i in range(40)]
    texts = [f"I'm having an issue with the product. {p}. Please assist." for p in problems]
    texts += ["Please assist."] * 3 + ["Card lost. Please assist me today."]
    shared = Boilerplate.learn(texts)
    assert shared.sentences == {"i'm having an issue with the product.", "please assist."}
    assert shared.remove_from(texts[0]) == "problem number 0 with the export."
    # A text that is nothing but the shared sentence stays as it is.
    assert shared.remove_from("Please assist.") == "Please assist."


def test_point_1_a_greeting_goes_but_the_sentence_it_opens_stays() -> None:
    text = "Hello, there was an error with my top-up this morning. It worked two days ago."
    assert clean_text(text) == (
        "there was an error with my top-up this morning. It worked two days ago."
    )
    assert clean_text("Hi there, my card is gone. Please help.") == (
        "my card is gone. Please help."
    )


def test_point_1_a_template_line_under_an_unpunctuated_title_is_boilerplate() -> None:
    question = "Do you want to request a *feature* or report a *bug*?"
    texts = [
        ticket_text(None, f"Issue {i}: export number {i} fails\n{question}\nBug\nDetails {i}")
        for i in range(40)
    ]
    shared = Boilerplate.learn(texts)
    assert question.lower() in shared.sentences
    assert question not in shared.remove_from(texts[0])
    assert "export number 0 fails" in shared.remove_from(texts[0])


# -- points 2 and 4: what a label and a keyword may hold


@pytest.mark.parametrize(
    ("term", "why"),
    [
        ("https", "link"),
        ("https www", "link"),
        ("www", "link"),
        ("microsoft com", "link"),
        ("fmkadmapgofadopljbjfkapdkoienihi", "id"),
        ("build a8f3k29dj3ls", "id"),
    ],
)
def test_point_2_forbidden_kinds(term: str, why: str) -> None:
    problem = term_problem(term)
    assert problem is not None
    assert why in problem


@pytest.mark.parametrize("term", ["http proxy", "python3", "ios11 update", "card not arrived"])
def test_point_2_ordinary_technical_words_are_fine(term: str) -> None:
    assert term_problem(term) is None


def _groups(texts_by_group: list[list[str]]) -> tuple[list[str], np.ndarray]:
    texts = [t for group in texts_by_group for t in group]
    groups = np.concatenate([np.full(len(g), i) for i, g in enumerate(texts_by_group)])
    return texts, groups.astype(np.int64)


def test_point_2_a_word_in_most_themes_is_the_brand_not_an_issue() -> None:
    texts, groups = _groups(
        [
            ["acme playlist disappeared", "my acme playlist disappeared", "playlist gone"] * 3,
            ["acme app crashes on start", "app crashes acme", "the app crashes"] * 3,
            ["acme premium charged twice", "charged twice acme premium", "charged twice"] * 3,
            ["podcast will not download acme", "podcast download fails", "podcast download"] * 3,
        ]
    )
    terms = count_terms(texts, groups, 4)
    described = describe(terms)
    for description in described:
        assert "acme" not in description.label.lower()
        assert all("acme" not in k.split() for k in description.keywords)
    assert [d.label.lower() for d in described][:2] == ["playlist disappeared", "app crashes"]


def test_point_2_a_big_issue_keeps_its_own_word() -> None:
    """Spread, not share, makes a word corpus-wide: "card" in most texts is one theme's."""
    texts, groups = _groups(
        [
            ["card not arrived", "my card has not arrived", "card still not arrived"] * 8,
            ["refund missing", "where is my refund"] * 2,
            ["app crashes", "the app crashes at login"] * 2,
        ]
    )
    described = describe(count_terms(texts, groups, 3))
    assert described[0].label.lower() == "card not arrived"


def test_point_2_and_4_stop_words_and_link_pieces_never_reach_keywords() -> None:
    texts, groups = _groups(
        [
            ["the issue is the login www com", "the login issue https://login.example.com"] * 3,
            ["the refund to the card", "the refund is to my card www com"] * 3,
        ]
    )
    texts = [ticket_text(None, t) for t in texts]
    for description in describe(count_terms(texts, groups, 2)):
        words = {w for k in description.keywords for w in k.split()}
        assert words.isdisjoint({"the", "to", "is", "https", "www", "com"}), description
        label_words = set(description.label.lower().split())
        assert label_words.isdisjoint({"the", "to", "https", "www", "com"})


def test_point_2_english_stop_words_stay_out_of_other_languages_labels() -> None:
    texts, groups = _groups(
        [
            ["the issue with the dashboard", "dashboard the issue loading"] * 3,
            ["the invoice is wrong", "invoice wrong the issue"] * 3,
        ]
    )
    for description in describe(count_terms(texts, groups, 2, language="de")):
        assert "the" not in description.label.lower().split()


# -- point 3: distinct labels


def test_point_3_look_alike_themes_get_labels_that_say_the_difference() -> None:
    texts, groups = _groups(
        [
            ["exchange rate card payment abroad", "card payment abroad exchange rate"] * 4,
            ["exchange rate bank transfer", "exchange rate on my transfer"] * 4,
        ]
    )
    terms = count_terms(texts, groups, 2)
    labels = tell_apart(["Exchange rate", "exchange RATE"], terms)
    assert len({label_key(label) for label in labels}) == 2
    assert all(label.startswith(("Exchange rate: ", "exchange RATE: ")) for label in labels)
    assert "card" in labels[0] or "abroad" in labels[0]
    assert "transfer" in labels[1]
    assert all(len(label.replace(":", "").split()) <= 5 for label in labels)


def test_point_3_word_endings_and_order_do_not_make_labels_distinct() -> None:
    assert label_key("Medizinischer Daten", "de") == label_key("medizinische daten", "de")
    assert label_key("card payments", "en") == label_key("Payment card")


def test_point_3_a_draft_that_collides_with_a_persons_label_is_told_apart() -> None:
    texts, groups = _groups([["card not arrived yet", "card delivery late"] * 4])
    labels = tell_apart(["Card not arrived"], count_terms(texts, groups, 1), ["card NOT arrived"])
    assert label_key(labels[0]) != label_key("card not arrived")
    assert labels[0].startswith("Card not arrived")


def test_point_3_when_no_term_tells_them_apart_a_number_does() -> None:
    texts, groups = _groups([["card lost"] * 3, ["card lost"] * 3])
    labels = tell_apart(["Card lost", "Card lost"], count_terms(texts, groups, 2))
    assert labels == ["Card lost", "Card lost (2)"]


def test_point_3_discovery_never_gives_two_live_themes_one_label(discovered: Workspace) -> None:
    items = list_themes(discovered)["items"]
    keys = [label_key(t["label"]) for t in items]
    assert len(keys) == len(set(keys))


def test_point_3_a_persons_label_is_kept_and_drafts_are_told_apart(
    discovered: Workspace,
) -> None:
    ws = discovered
    ws.actor = "dana"
    first, second = (t for t in list_themes(ws)["items"][:2])
    # A person names the first theme with the second theme's draft label.
    rename(ws, first["id"], second["label"], reason="this is what we call it")
    run_discovery(ws)
    with ws.store.session() as session:
        labels = current_labels(session, [first["id"], second["id"]])
    assert labels[first["id"]] == second["label"]
    assert label_key(labels[second["id"]]) != label_key(second["label"])
    live = [label_key(t["label"]) for t in list_themes(ws)["items"]]
    assert len(live) == len(set(live))


def test_point_3_proposals_from_an_import_do_not_take_a_live_label(
    discovered_without_fees: Workspace, tmp_path: Path
) -> None:
    ws = discovered_without_fees
    fees, _others = fee_split()
    before = {t["id"] for t in list_themes(ws)["items"]}
    # A person gives a live theme the label one of the fee tickets' proposals drafts
    # (seen on this fixture without the rename).
    target = list_themes(ws)["items"][0]["id"]
    rename(ws, target, "Pound charge", reason="our name for it")
    pipeline.ingest(ws, [write(tmp_path / "fees.jsonl", fees)])
    items = list_themes(ws)["items"]
    new = [t["label"] for t in items if t["id"] not in before]
    assert new  # the import proposed themes
    assert any(label.startswith("Pound charge: ") for label in new), new
    assert {t["id"]: t["label"] for t in items}[target] == "Pound charge"
    keys = [label_key(t["label"]) for t in items]
    assert len(keys) == len(set(keys))


def test_point_2_a_source_tag_the_text_contradicts_gives_way_to_the_text() -> None:
    """One language per label: a ticket tagged "de" but written in English is English."""
    english = "The dashboard does not load after the latest update of the project tool"
    german = "Das Dashboard lädt nach dem letzten Update des Projektwerkzeugs nicht mehr"
    short = "ok danke"
    resolved = resolve_languages(
        [english, german, short, english],
        ["de", "de", "de", None],
        by_language=True,
        check=[True, True, True, False],
    )
    # Too short to tell: the tag stands. Not a tag (resolved before): it stands too.
    assert resolved == ["en", "de", "de", "en"]
    # Without a check the known language is kept as it is.
    assert resolve_languages([english], ["de"], by_language=True) == ["de"]


# -- point 2: the label is the typical phrase closest in meaning to the theme


def _topic_space(phrases: list[str]) -> np.ndarray:
    """A toy embedding: one axis for top-up failure words, one for the rest."""
    topic = {"top", "up", "failed"}
    rows = []
    for phrase in phrases:
        words = phrase.split()
        rows.append([sum(w in topic for w in words), sum(w not in topic for w in words), 0.1])
    vectors = np.array(rows, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _app_says_fixture() -> tuple[list[str], np.ndarray]:
    return _groups(
        [
            [
                "the app says top up failed",
                "app says my top up failed",
                "app says pending",
                "app says error",
                "app says try later",
            ]
            * 2,
            ["where is my refund", "refund not received", "refund still missing"] * 3,
        ]
    )


def test_point_2_the_label_is_the_phrase_closest_to_the_themes_meaning() -> None:
    texts, groups = _app_says_fixture()
    terms = count_terms(texts, groups, 2)
    assert describe(terms)[0].label == "App says"  # the most typical phrase names nothing
    centres = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    described = describe(terms, Meaning(_topic_space, centres))
    assert described[0].label == "Top up failed"
    assert described[0].keywords == describe(terms)[0].keywords  # keywords stay c-TF-IDF's


def test_point_2_a_group_without_a_centre_keeps_the_typical_phrase() -> None:
    texts, groups = _app_says_fixture()
    terms = count_terms(texts, groups, 2)
    no_centre = np.zeros((2, 3), dtype=np.float32)
    assert describe(terms, Meaning(_topic_space, no_centre))[0].label == "App says"


def test_point_2_each_phrase_is_embedded_once_for_themes_and_their_groups() -> None:
    texts, groups = _app_says_fixture()
    terms = count_terms(texts, groups, 2)
    embedded: list[str] = []

    def embed(phrases: list[str]) -> np.ndarray:
        embedded.extend(phrases)
        return _topic_space(phrases)

    meaning = Meaning(embed, np.eye(3, dtype=np.float32)[:2])
    describe(terms, meaning)
    first = len(embedded)
    parents = terms.merged(np.array([0, 0]), 1)
    describe(parents, meaning.with_centres(np.array([[1.0, 0.0, 0.0]], np.float32)))
    assert first > 0
    assert len(embedded) == len(set(embedded))


# -- point 4: representative tickets


def test_point_4_representatives_prefer_texts_that_say_something() -> None:
    texts = ["card?", "not working", "my card payment was declined at the shop", "card declined"]
    scores = np.array([0.99, 0.98, 0.70, 0.60])
    chosen = representatives(np.arange(4), scores, texts, count=3)
    assert chosen == [2, 0, 1]  # the readable one first, then the short ones by typicality
    assert representatives(np.arange(4), scores, texts, count=1) == [2]
