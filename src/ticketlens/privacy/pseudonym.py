"""Keyed pseudonyms: the same requester always maps to the same key, which cannot be
reversed without the workspace secret (kept in a file, never in the database)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from ticketlens.errors import WorkspaceError


def load_or_create_secret(path: Path) -> bytes:
    """Read the workspace secret, creating it (owner-only permissions) on first use."""
    if path.exists():
        try:
            key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (ValueError, UnicodeDecodeError):
            key = b""
        if len(key) < 16:
            raise WorkspaceError(
                f"{path}: the workspace secret is damaged",
                hint="restore it from a backup; a new secret would change every pseudonym",
            )
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


#: What a pseudonym looks like: a quarantine export or a stored thread hands them back.
PSEUDONYM = re.compile(r"r_[0-9a-f]{32}")


class Pseudonymizer:
    """Map raw requester identifiers to stable pseudonyms.

    Identifiers are normalised first (trimmed, case-folded) so ``Ann@x.com`` and
    ``ann@x.com `` count as the same person. A value that is already a pseudonym (from
    ``quarantine export``, or a stored thread being rebuilt) is kept as it is, so the
    person it stands for is still the same requester.
    """

    def __init__(self, secret: bytes | None) -> None:
        self._secret = secret
        # Requesters repeat across rows; an HMAC per row showed in the ingest profile.
        self._key = functools.lru_cache(maxsize=200_000)(self._compute)

    def __call__(self, raw: str) -> str:
        return self._key(raw)

    @property
    def signature(self) -> str:
        """Identifies the mapping (off, or which secret) without revealing the secret."""
        if self._secret is None:
            return "plain"
        return "hmac:" + hashlib.sha256(b"signature" + self._secret).hexdigest()[:12]

    def _compute(self, raw: str) -> str:
        normal = raw.strip().casefold()
        if self._secret is None or PSEUDONYM.fullmatch(normal):  # off, or one already
            return normal
        digest = hmac.new(self._secret, normal.encode("utf-8"), hashlib.sha256).hexdigest()
        return "r_" + digest[:32]
