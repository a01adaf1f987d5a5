"""Privacy: personal data in text redacted before storage; requesters as keyed pseudonyms;
erasure of a requester on request."""

from ticketlens.privacy.erasure import Erasure, ErasureContext, forget_requester
from ticketlens.privacy.pseudonym import Pseudonymizer, load_or_create_secret
from ticketlens.privacy.redact import (
    DEFAULT_PHONE_REGIONS,
    NO_REDACTION,
    Finding,
    Kind,
    Redactor,
    TextRedactor,
    placeholder,
)

__all__ = [
    "DEFAULT_PHONE_REGIONS",
    "NO_REDACTION",
    "Erasure",
    "ErasureContext",
    "Finding",
    "Kind",
    "Pseudonymizer",
    "Redactor",
    "TextRedactor",
    "forget_requester",
    "load_or_create_secret",
    "placeholder",
]
