"""Per-ticket language detection and normalising the codes that sources provide."""

from __future__ import annotations

import csv
import re

import pytest

from ticketlens.language import _identifier, detect_languages, normalise_language
from ticketlens.themes.corpus import ticket_text

from .conftest import SHARED_DATA

ENGLISH = [
    "I can't log in to my account, the password reset link has expired.",
    "The app crashes every time I open the settings page on my phone.",
    "I was charged twice for my subscription this month, please refund one payment.",
    "My order arrived damaged and I would like to return it for a replacement.",
    "How do I change the email address linked to my profile?",
    "The invoice shows the wrong VAT number for our company.",
    "Sync between the desktop client and the web version stopped working yesterday.",
    "Where is my card? I ordered it two weeks ago and it still has not arrived.",
    "Please cancel my plan at the end of the current billing period.",
    "Exporting the report to PDF takes forever and then fails with an error.",
]
GERMAN = [
    "Ich kann mich nicht anmelden, das Passwort wird nicht akzeptiert.",
    "Die App stürzt jedes Mal ab, wenn ich die Einstellungen öffne.",
    "Mir wurde das Abonnement diesen Monat doppelt berechnet, bitte erstatten Sie eine Zahlung.",
    "Meine Bestellung kam beschädigt an und ich möchte sie zurückschicken.",
    "Wie kann ich die E-Mail-Adresse in meinem Profil ändern?",
    "Auf der Rechnung steht die falsche Umsatzsteuer-Identifikationsnummer.",
    "Die Synchronisierung zwischen Desktop und Web funktioniert seit gestern nicht mehr.",
    "Wo bleibt meine Karte? Ich habe sie vor zwei Wochen bestellt.",
    "Bitte kündigen Sie meinen Vertrag zum Ende des Abrechnungszeitraums.",
    "Der Export als PDF dauert ewig und bricht dann mit einem Fehler ab.",
]
FRENCH = [
    "Je n'arrive pas à me connecter à mon compte depuis la mise à jour.",
    "Ma commande n'est toujours pas arrivée, pouvez-vous vérifier la livraison ?",
]
SPANISH = [
    "No puedo iniciar sesión en mi cuenta, la contraseña no funciona.",
    "Mi pedido llegó dañado y quiero solicitar un reembolso.",
]


def test_english_and_german_tickets() -> None:
    assert detect_languages(ENGLISH) == ["en"] * len(ENGLISH)
    # The fallback is not what makes them German: a German corpus is not needed.
    assert detect_languages(GERMAN, fallback="en") == ["de"] * len(GERMAN)


def test_french_and_spanish_tickets() -> None:
    assert detect_languages(FRENCH + SPANISH) == ["fr"] * len(FRENCH) + ["es"] * len(SPANISH)


def test_mixed_corpus_keeps_each_ticket_s_language() -> None:
    texts = [t for pair in zip(ENGLISH, GERMAN, strict=True) for t in pair]
    assert detect_languages(texts) == ["en", "de"] * len(ENGLISH)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "ok thanks", "Danke schön", "#12345", "?!", "Hi", "[EMAIL]", "<name>", "---- ----"],
)
@pytest.mark.parametrize("fallback", ["en", "de", "fr"])
def test_short_or_empty_texts_get_the_fallback(text: str, fallback: str) -> None:
    assert detect_languages([text], fallback=fallback) == [fallback]


def test_fallback_is_normalised_and_checked() -> None:
    assert detect_languages([""], fallback="de-DE") == ["de"]
    with pytest.raises(ValueError, match="fallback"):
        detect_languages(["text"], fallback="klingon")


def test_placeholders_are_ignored() -> None:
    # Placeholders alone are English-looking words; they must not decide the language.
    noisy_german = (
        "Hallo <name>, ich habe am <date> meine Bestellung <order_id> aufgegeben, "
        "aber nichts erhalten. [EMAIL] {{customer_name}} https://example.com/track?id=123"
    )
    assert detect_languages([noisy_german], fallback="en") == ["de"]
    only_placeholders = "<name> <tel_num> [redacted-email] [PHONE] {{agent}} @support 0800 123 456"
    assert detect_languages([only_placeholders], fallback="de") == ["de"]


def test_long_text_and_codes_are_iso_639_1() -> None:
    long_german = " ".join(GERMAN) * 10  # well past the cut
    out = detect_languages([long_german, *ENGLISH, *FRENCH])
    assert out[0] == "de"
    assert all(re.fullmatch(r"[a-z]{2}", code) for code in out)


def test_deterministic() -> None:
    texts = ENGLISH + GERMAN + FRENCH + SPANISH + ["ok thanks", "Konto gesperrt"]
    first = detect_languages(texts, fallback="de")
    assert detect_languages(texts, fallback="de") == first
    assert detect_languages(texts[::-1], fallback="de") == first[::-1]
    # A freshly loaded model (another process) decides the same.
    _identifier.cache_clear()
    assert detect_languages(texts, fallback="de") == first
    # Duplicates get one answer each.
    assert detect_languages(texts * 2, fallback="de") == first * 2


def test_empty_input() -> None:
    assert detect_languages([]) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("de_DE", "de"),
        ("de-DE.UTF-8", "de"),
        (" de ", "de"),
        ("zh-Hant-TW", "zh"),
        ("pt-BR", "pt"),
        ("eng", "en"),
        ("deu", "de"),
        ("ger", "de"),
        ("German", "de"),
        ("Deutsch", "de"),
        ("English (US)", "en"),
        ("français", "fr"),
        ("iw", "he"),
        (None, None),
        ("", None),
        ("   ", None),
        ("und", None),
        ("xx", None),
        ("x-private", None),
        ("*", None),
        ("Klingon", None),
    ],
)
def test_normalise_language(code: str | None, expected: str | None) -> None:
    assert normalise_language(code) == expected


# The multilingual ticket set labels some plainly English tickets "de" (~194 of 786, even
# their answers are English); a "de" label counts as "en" where the text has common
# English words and no common German ones.
_GERMAN_WORDS = re.compile(
    r"\b(und|die|der|das|ich|nicht|ist|mit|wir|sie|bitte|für|unser|unsere|eine|ein|den|dem"
    r"|von|zu|auf|wurde|haben|können)\b",
    re.IGNORECASE,
)
_ENGLISH_WORDS = re.compile(
    r"\b(the|and|is|to|of|with|please|we|our|you|not|for|have|this)\b", re.IGNORECASE
)


@pytest.mark.shared_data
def test_accuracy_on_multilingual_tickets() -> None:
    path = (
        SHARED_DATA / "support_tickets_multilang" / "dataset-tickets-multi-lang-4-20k_first2181.csv"
    )
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [ticket_text(row["subject"], row["body"]) for row in rows]
    labels = [row["language"].strip().lower() for row in rows]
    corrected = [
        "en"
        if label == "de" and _ENGLISH_WORDS.search(text) and not _GERMAN_WORDS.search(text)
        else label
        for label, text in zip(labels, texts, strict=True)
    ]
    found = detect_languages(texts, fallback="en")
    accuracy = sum(map(str.__eq__, found, labels)) / len(rows)
    corrected_accuracy = sum(map(str.__eq__, found, corrected)) / len(rows)
    print(f"multilang: accuracy {accuracy:.4f}, on corrected labels {corrected_accuracy:.4f}")
    # Measured 2026-11-26: 0.9097 against the labels, 0.9986 against corrected labels
    # (3 misses: a French ticket labelled "de", a German one labelled "en", and a
    # six-word English ticket labelled "de").
    assert accuracy >= 0.90
    assert corrected_accuracy >= 0.99


@pytest.mark.shared_data
def test_short_english_banking_questions() -> None:
    with (SHARED_DATA / "banking77" / "test.csv").open(encoding="utf-8", newline="") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    # With a German fallback, only confident detections say "en".
    found = detect_languages(texts, fallback="de")
    english = found.count("en") / len(texts)
    print(f"banking77: {english:.4f} detected English, the rest fell back")
    # Measured 2026-11-26: 0.9851 English, 0.0149 fallback, no other language.
    assert english >= 0.97
    assert set(found) <= {"en", "de"}


# Issue 14.3: real short English queries (CLINC150-style) that a flat 0.5 bar sent to
# Danish, Polish, Tagalog, Catalan and French.
SHORT_ENGLISH = [
    "how do i fry pork chops",
    "set reminder for 2 pm",
    "is kaya very busy at 5 pm",
    "are barcelona plugs compatible",
    "add 45 to 87 plus 54 plus 43 plus 22",
]


def test_point_3_short_english_texts_keep_the_main_language() -> None:
    assert detect_languages(SHORT_ENGLISH) == ["en"] * len(SHORT_ENGLISH)


def test_point_3_numbers_and_symbols_take_the_main_language() -> None:
    codes = ["ERR-4471 / 0x80070005 #1234 ###", "12.03.2026 14:55 -> 15:10 = 15 min (!!)"]
    assert detect_languages(codes, fallback="de") == ["de", "de"]


def test_point_3_short_texts_in_another_language_are_still_found() -> None:
    texts = [
        "Meine Rechnung ist falsch und ich brauche Hilfe",
        "La facture est fausse, pouvez-vous la corriger?",
        "¿Dónde está mi tarjeta nueva?",
    ]
    assert detect_languages(texts) == ["de", "fr", "es"]


def test_point_3_the_bar_rises_as_texts_get_shorter() -> None:
    from ticketlens.language import min_confidence

    bars = [min_confidence(n) for n in (20, 39, 40, 69, 70, 300)]
    assert bars == sorted(bars, reverse=True)
    assert bars[0] > bars[-1]
