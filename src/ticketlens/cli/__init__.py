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
from ticketlens.cli._app import cli, quiet_stdout


def main() -> None:
    try:
        cli(prog_name="ticketlens")
    except BrokenPipeError:  # the pipe closed while click flushed its last output
        quiet_stdout()
        raise SystemExit(0) from None
    except KeyboardInterrupt:  # Ctrl-C outside a command (while it loads)
        raise SystemExit(130) from None


__all__ = ["cli", "main"]
