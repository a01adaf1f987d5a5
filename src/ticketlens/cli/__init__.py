"""The command-line interface: parses options, calls the Python API, renders."""

from __future__ import annotations

from ticketlens.cli import (  # noqa: F401  (registers the commands)
    _commands,
    _curation,
    _demo,
    _links,
    _mission,
    _outcomes,
    _review,
    _servicemap,
    _themes,
)
from ticketlens.cli._app import cli


def main() -> None:
    cli(prog_name="ticketlens")


__all__ = ["cli", "main"]
