"""Privacy: keyed pseudonyms for requesters (redaction of text joins here)."""

from ticketlens.privacy.pseudonym import Pseudonymizer, load_or_create_secret

__all__ = ["Pseudonymizer", "load_or_create_secret"]
