"""The command-line interface: parses options, calls the Python API, renders."""

from __future__ import annotations

from ticketlens.cli import _commands, _curation, _demo, _mission, _themes  # noqa: F401  (registers the commands)
from ticketlens.cli._app import cli


def main() -> None:
    cli(prog_name="ticketlens")


__all__ = ["cli", "main"]
