"""The command group, its global options and the translation of errors to messages."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from ticketlens.errors import TicketlensError
from ticketlens.workspace import Workspace


class UserError(click.ClickException):
    """A ticketlens error shown as one line, exit code 2."""

    exit_code = 2

    def __init__(self, error: TicketlensError) -> None:
        text = error.message + (f" (hint: {error.hint})" if error.hint else "")
        super().__init__(" ".join(text.split()))


#: Global options that take a value, and flags; given after the subcommand they are moved
#: before it (``ticketlens themes list -w DIR`` works like ``ticketlens -w DIR themes list``).
GLOBAL_WITH_VALUE = frozenset({"-w", "--workspace", "--db", "--as"})
GLOBAL_FLAGS = frozenset({"-v", "-vv", "-vvv", "--verbose"})


def hoist_global_options(args: list[str]) -> list[str]:
    """``args`` with the global options that follow the subcommand moved in front of it.

    Nothing after ``--`` moves; a subcommand's own ``--as`` means the same as the global
    one, so moving it changes nothing.
    """
    # The subcommand: the first word that is not an option or a global option's value.
    first, i = None, 0
    while i < len(args) and first is None:
        if args[i] in GLOBAL_WITH_VALUE:
            i += 2
        elif args[i].startswith("-"):
            i += 1
        else:
            first = i
    if first is None:
        return args
    front, rest, moved = list(args[:first]), [], []
    j = first
    while j < len(args):
        arg = args[j]
        if arg == "--":
            rest += args[j:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_WITH_VALUE and "=" in arg:
            moved.append(arg)
        elif arg in GLOBAL_WITH_VALUE and j + 1 < len(args):
            moved += [arg, args[j + 1]]
            j += 1
        elif arg in GLOBAL_FLAGS:
            moved.append(arg)
        else:
            rest.append(arg)
        j += 1
    return front + moved + rest


def quiet_stdout() -> None:
    """Point standard output at the null device, so that Python's own flush at exit
    does not fail on a closed pipe again (as the Python documentation advises)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test's captured stdout)
        pass


class Group(click.Group):
    """Turn ticketlens errors raised by any command into one-line user errors."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:  # the root group: global options may come anywhere
            args = hoist_global_options(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `ticketlens ... | head` closed the pipe: that is fine
            quiet_stdout()
            raise SystemExit(0) from None
        except KeyboardInterrupt:  # Ctrl-C: what a shell expects (128 + SIGINT)
            click.echo("Interrupted.", err=True)
            raise SystemExit(130) from None
        except TicketlensError as exc:
            raise UserError(exc) from None
        except OSError as exc:  # unwritable output path, full disk...: the user can fix these
            where = f"{exc.filename}: " if exc.filename else ""
            raise UserError(TicketlensError(f"{where}{exc.strerror or exc}")) from None


class Context:
    """What the global options say; opens the workspace on first use."""

    def __init__(self, workspace: Path | None, db: str | None, actor: str | None) -> None:
        self.workspace_path = workspace
        self.db = db
        self.actor = actor
        self._workspace: Workspace | None = None

    @property
    def overrides(self) -> dict[str, Any]:
        """Settings the global options set (they win over environment and file)."""
        return {"database.url": self.db} if self.db else {}

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = Workspace.open(
                self.workspace_path, overrides=self.overrides, actor=self.actor
            )
        return self._workspace

    def use(self, workspace: Workspace) -> None:
        """Make ``workspace`` (opened by a command, like the demo's) the one to use next."""
        if self._workspace is not None and self._workspace is not workspace:
            self._workspace.close()
        self.workspace_path, self._workspace = workspace.root, workspace

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()


pass_context = click.make_pass_decorator(Context)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder (default: $TICKETLENS_WORKSPACE, else the nearest one above here).",
)
@click.option("--db", metavar="URL", help="Database URL (overrides TICKETLENS_DB and the config).")
@click.option(
    "--as",
    "actor",
    metavar="NAME",
    help="Who is acting (default: $TICKETLENS_USER or the OS user).",
)
@click.option(
    "-v", "--verbose", count=True, help="Log progress (-v) or everything (-vv) to stderr."
)
@click.version_option(package_name="ticketlens")
@click.pass_context
def cli(
    ctx: click.Context, workspace: Path | None, db: str | None, actor: str | None, verbose: int
) -> None:
    """ticketlens: turn support tickets into product insight tied to your mission.

    \b
    Example:
      ticketlens init my-team && cd my-team
      ticketlens ingest export.csv
      ticketlens status
    """
    if verbose:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
        logger = logging.getLogger("ticketlens" if verbose == 1 else "")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)
    state = Context(workspace, db, actor)
    ctx.obj = state
    ctx.call_on_close(state.close)
