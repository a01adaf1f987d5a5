"""The team's mission file: the user outcomes, the systems (with owners) and the journey.

It lives in the workspace as ``mission.yaml`` (or ``mission.toml``)::

    name: Harbor Bank
    mission: We want every customer to feel that their money simply works.
    outcomes:
      - id: pay-with-card
        name: Pay with my card wherever I am
        description: Card payments just work, at home and abroad.
        metric: {name: Authorisation approval rate, target: ">= 99.2%"}
        tags: [cards]         # optional: helpdesk tags / product areas that point here
    systems:
      - {id: card-processing, name: Card processing, owner: Dana, team: Cards, contact: "#cards"}
    journey:                  # in the order a customer goes through it
      - {id: pay, name: Pay and withdraw, description: Pay in shops and online.}

Errors name the file, the line and the field. The file is the team's own words, so
it is read, never executed (``yaml.safe_load``-level parsing, no tags).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ticketlens.errors import MissionError

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace

FILE_NAMES = ("mission.yaml", "mission.yml", "mission.toml")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class Metric:
    name: str
    target: str | None = None


@dataclass(frozen=True)
class Outcome:
    id: str
    name: str
    description: str
    metric: Metric | None = None
    #: helpdesk tags or field values (e.g. a product area) that point to it
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class System:
    id: str
    name: str
    owner: str
    team: str | None = None
    contact: str | None = None
    description: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class JourneyStep:
    id: str
    name: str
    description: str = ""
    position: int = 0  # order in the journey, from 0
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mission:
    name: str
    statement: str
    outcomes: tuple[Outcome, ...]
    systems: tuple[System, ...]
    journey: tuple[JourneyStep, ...]
    path: Path | None = field(default=None, compare=False)

    def outcome(self, outcome_id: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.id == outcome_id), None)

    def system(self, system_id: str) -> System | None:
        return next((s for s in self.systems if s.id == system_id), None)

    def step(self, step_id: str) -> JourneyStep | None:
        return next((s for s in self.journey if s.id == step_id), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mission": self.statement,
            "file": str(self.path) if self.path else None,
            "outcomes": [
                {
                    "id": o.id,
                    "name": o.name,
                    "description": o.description,
                    "metric": None
                    if o.metric is None
                    else {"name": o.metric.name, "target": o.metric.target},
                    "tags": list(o.tags),
                }
                for o in self.outcomes
            ],
            "systems": [
                {
                    "id": s.id,
                    "name": s.name,
                    "owner": s.owner,
                    "team": s.team,
                    "contact": s.contact,
                    "description": s.description,
                    "tags": list(s.tags),
                }
                for s in self.systems
            ],
            "journey": [
                {"id": j.id, "name": j.name, "description": j.description, "tags": list(j.tags)}
                for j in self.journey
            ],
        }


class _Lines:
    """Where each value sits in the file: dotted path -> line number (1-based)."""

    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        self.path, self.lines = path, lines

    def error(self, where: str, message: str, hint: str | None = None) -> MissionError:
        line = self.lines.get(where)
        while line is None and "." in where:  # the nearest enclosing value with a line
            where = where.rsplit(".", 1)[0]
            line = self.lines.get(where)
        at = f"line {line}: " if line else ""
        return MissionError(f"{self.path}: {at}{_field(where)}: {message}", hint=hint)


def _field(where: str) -> str:
    return f"field '{where}'" if where else "the file"


def find_mission_file(workspace: Workspace) -> Path | None:
    for name in FILE_NAMES:
        candidate = workspace.root / name
        if candidate.is_file():
            return candidate
    return None


def load_workspace_mission(workspace: Workspace) -> Mission:
    path = find_mission_file(workspace)
    if path is None:
        raise MissionError(
            f"no mission file in {workspace.root}",
            hint="write mission.yaml there (see `ticketlens mission check --help`)",
        )
    return load_mission(path)


def load_mission(path: Path) -> Mission:
    """Read and validate a mission file (YAML or TOML)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MissionError(f"{path}: cannot read the file ({exc})") from exc
    if path.suffix.lower() == ".toml":
        data, lines = _read_toml(path, text)
    else:
        data, lines = _read_yaml(path, text)
    return _validate(data, _Lines(path, lines), path)


def _read_yaml(path: Path, text: str) -> tuple[Any, dict[str, int]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}: " if mark is not None else ""
        raise MissionError(f"{path}: {at}not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    lines: dict[str, int] = {}
    return (_plain(node, "", lines) if node is not None else None), lines


def _plain(node: yaml.Node, where: str, lines: dict[str, int]) -> Any:
    """The node as plain data (strings kept as written), recording each value's line."""
    lines.setdefault(where, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            inner = f"{where}.{key}" if where else key
            lines[inner] = key_node.start_mark.line + 1
            out[key] = _plain(value_node, inner, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, f"{where}.{i}", lines) for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:str":
        return node.value
    return yaml.SafeLoader("").construct_object(node, deep=True)  # numbers, booleans, dates


def _read_toml(path: Path, text: str) -> tuple[Any, dict[str, int]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MissionError(f"{path}: not valid TOML ({exc})") from exc
    # TOML parsers keep no positions: find each item's line by its id.
    lines: dict[str, int] = {}
    for section in ("outcomes", "systems", "journey"):
        for i, item in enumerate(data.get(section) or []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                for number, line in enumerate(text.splitlines(), start=1):
                    if re.search(rf"""id\s*=\s*["']{re.escape(item["id"])}["']""", line):
                        lines[f"{section}.{i}"] = number
                        break
    return data, lines


def _validate(data: Any, at: _Lines, path: Path) -> Mission:
    if not isinstance(data, dict):
        raise at.error("", "expected name, mission, outcomes, systems and journey")
    known = {"name", "mission", "timezone", "outcomes", "systems", "journey"}
    for key in data:
        if key not in known:
            raise at.error(key, "unknown field", hint=f"known fields: {', '.join(sorted(known))}")
    outcomes = tuple(
        Outcome(
            id=_id(item, where, at),
            name=_text(item, "name", where, at),
            description=_text(item, "description", where, at),
            metric=_metric(item.get("metric"), f"{where}.metric", at),
            tags=_tags(item, where, at),
        )
        for where, item in _items(data, "outcomes", at)
    )
    systems = tuple(
        System(
            id=_id(item, where, at),
            name=_text(item, "name", where, at),
            owner=_text(item, "owner", where, at),
            team=_text(item, "team", where, at, required=False) or None,
            contact=_text(item, "contact", where, at, required=False) or None,
            description=_text(item, "description", where, at, required=False),
            tags=_tags(item, where, at),
        )
        for where, item in _items(data, "systems", at)
    )
    journey = tuple(
        JourneyStep(
            id=_id(item, where, at),
            name=_text(item, "name", where, at),
            description=_text(item, "description", where, at, required=False),
            position=position,
            tags=_tags(item, where, at),
        )
        for position, (where, item) in enumerate(_items(data, "journey", at, required=False))
    )
    sections: dict[str, list[str]] = {
        "outcomes": [o.id for o in outcomes],
        "systems": [s.id for s in systems],
        "journey": [j.id for j in journey],
    }
    for section, ids in sections.items():
        for i, entry_id in enumerate(ids):
            if entry_id in ids[:i]:
                raise at.error(f"{section}.{i}.id", f"{entry_id!r} is used twice")
    return Mission(
        name=_text(data, "name", "", at, required=False) or path.stem,
        statement=_text(data, "mission", "", at),
        outcomes=outcomes,
        systems=systems,
        journey=journey,
        path=path,
    )


def _items(
    data: dict[str, Any], section: str, at: _Lines, *, required: bool = True
) -> list[tuple[str, dict[str, Any]]]:
    items = data.get(section)
    if items is None and not required:
        return []
    if not isinstance(items, list) or (required and not items):
        raise at.error(section, "expected a list with at least one entry")
    out = []
    for i, item in enumerate(items):
        where = f"{section}.{i}"
        if not isinstance(item, dict):
            raise at.error(where, "expected an entry with id, name, ...")
        out.append((where, item))
    return out


def _id(item: dict[str, Any], where: str, at: _Lines) -> str:
    value = _text(item, "id", where, at)
    if not ID_PATTERN.match(value):
        raise at.error(
            f"{where}.id",
            f"{value!r} is not a usable id",
            hint="lower-case letters, digits, '-', '_' or '.', e.g. pay-with-card",
        )
    return value


def _text(item: dict[str, Any], key: str, where: str, at: _Lines, *, required: bool = True) -> str:
    inner = f"{where}.{key}" if where else key
    value = item.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise at.error(inner if key in item else where or key, f"'{key}' is missing")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise at.error(inner, "expected text")
    return " ".join(str(value).split())


def _tags(item: dict[str, Any], where: str, at: _Lines) -> tuple[str, ...]:
    value = item.get("tags")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise at.error(f"{where}.tags", "expected a list of tags")
    return tuple(str(v).strip().lower() for v in value if str(v).strip())


def _metric(value: Any, where: str, at: _Lines) -> Metric | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Metric(" ".join(value.split()))
    if not isinstance(value, dict):
        raise at.error(where, "expected a name and an optional target")
    target = _text(value, "target", where, at, required=False)
    return Metric(_text(value, "name", where, at), target or None)
