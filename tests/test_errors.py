"""The one exception hierarchy: the tree drawn in ``errors.py`` is the tree in the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import ticketlens
from ticketlens import errors

PACKAGE = Path(ticketlens.__file__).parent


def drawn_tree() -> dict[str, str | None]:
    """Each class of the docstring's drawing with its parent (indentation decides)."""
    doc = errors.__doc__ or ""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in doc.splitlines():
        match = re.match(r"^(\s*)(?:[│ ]*[├└]── )?([A-Z]\w+)", line)
        if not match or not line.strip().startswith(("TicketlensError", "├", "└", "│")):
            continue
        name = match.group(2)
        depth = len(line) - len(line.lstrip(" │├└─"))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return parents


def test_the_drawing_is_the_code() -> None:
    drawn = drawn_tree()
    assert drawn["TicketlensError"] is None
    coded = {
        name: (obj.__bases__[0].__name__ if obj is not errors.TicketlensError else None)
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, errors.TicketlensError)
    }
    assert drawn == coded
    assert sorted(coded) == sorted(errors.__all__)


def test_every_exception_class_lives_in_errors() -> None:
    """No module but ``errors`` declares an exception (the CLI's click translation aside)."""
    strays = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
            if bases & {"Exception", "ValueError", "RuntimeError"} or any(
                b.endswith(("Error", "Exception", "Problem", "NotFound")) for b in bases
            ):
                strays.append(f"{path.relative_to(PACKAGE)} {node.name}")
    assert strays == ["cli/_app.py UserError"]


def test_a_row_problem_survives_the_trip_between_processes() -> None:
    import pickle

    problem = errors.RowProblem("created_at", "unparseable date 'soon'", line=7)
    back = pickle.loads(pickle.dumps(problem))
    assert (back.field, back.reason, back.line) == ("created_at", "unparseable date 'soon'", 7)
    assert isinstance(back, errors.IngestError)
