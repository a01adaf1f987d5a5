"""The bundled sample: a fictional bank's 16 weeks of support tickets (see sample/README.md)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SOURCE = "sample"


def sample_dir() -> Path:
    """The folder holding the sample's files inside the installed package."""
    return Path(str(resources.files("ticketlens") / "sample"))


def sample_file(name: str) -> Path:
    return sample_dir() / name
