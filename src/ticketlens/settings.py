"""Every ticketlens setting, declared once: name, default, help, environment variable.

Precedence, highest first: command-line flags, environment variables, the workspace's
``ticketlens.toml``, the defaults below. Values are validated when they are loaded, so
a bad setting stops ticketlens at start-up with a hint instead of failing later.

A setting is a field of :class:`Settings` whose metadata (built by :func:`_setting`)
carries its dotted name in ``ticketlens.toml`` (``section.key``), its environment
variable and its help text. The field's type annotation says how the value is parsed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ticketlens.errors import SettingsError

# Defaults that are calls, kept out of the dataclass field declarations.
_FIRST_SPRINT = dt.date(2026, 1, 5)
_DAY_START = dt.time(9, 0)
_DAY_END = dt.time(17, 0)


def _setting(
    key: str,
    default: Any,
    help: str,
    *,
    env: str | None = None,
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    """Declare a setting: its TOML key, default, help, env variable and extra check."""
    return field(default=default, metadata={"key": key, "help": help, "env": env, "check": check})


def _check_timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "unknown time zone (use an IANA name such as UTC or Europe/London)"
    return None


def _check_positive(value: int) -> str | None:
    return None if value > 0 else "must be a positive whole number"


def _check_positive_number(value: float) -> str | None:
    return None if value > 0 else "must be a positive number"


def _check_phone_regions(value: str) -> str | None:
    import phonenumbers

    unknown = [r for r in _regions(value) if r not in phonenumbers.SUPPORTED_REGIONS]
    return (
        f"unknown region(s) {', '.join(unknown)} (use ISO codes like GB, US, DE)"
        if unknown
        else None
    )


def _regions(value: str) -> list[str]:
    return [r.strip().upper() for r in value.split(",") if r.strip()]


def _check_parallel(value: int) -> str | None:
    return None if value >= -1 else "must be -1 (never), 0 (always) or a size in MB"


def _check_csat_scale(value: int) -> str | None:
    return None if 2 <= value <= 10 else "must be between 2 and 10"


def _check_monday(value: dt.date) -> str | None:
    return None if value.isoweekday() == 1 else "must be a Monday (sprints start on a week start)"


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one workspace (see module docstring for precedence)."""

    database_url: str | None = _setting(
        "database.url",
        None,
        "Database URL; empty means the SQLite file in the workspace's data folder. "
        "Example: postgresql://user:pass@host/ticketlens",
        env="TICKETLENS_DB",
    )
    timezone: str = _setting(
        "workspace.timezone",
        "UTC",
        "Time zone of the team: naive timestamps are read in it, days and ISO weeks "
        "(Monday start) are cut in it.",
        env="TICKETLENS_TIMEZONE",
        check=_check_timezone,
    )
    sprint_length_days: int = _setting(
        "sprints.length_days", 14, "Length of a sprint in days.", check=_check_positive
    )
    sprint_start: dt.date = _setting(
        "sprints.start",
        _FIRST_SPRINT,
        "First day of any one sprint (a Monday); the others follow every length_days.",
        check=_check_monday,
    )
    business_day_start: dt.time = _setting(
        "business_hours.start", _DAY_START, "Start of the business day (local time)."
    )
    business_day_end: dt.time = _setting(
        "business_hours.end", _DAY_END, "End of the business day (local time)."
    )
    csat_scale: int = _setting(
        "ingest.csat_scale",
        5,
        "Highest CSAT score; imported scores must lie in 1..csat_scale.",
        check=_check_csat_scale,
    )
    dayfirst: bool = _setting(
        "ingest.dayfirst",
        False,
        "Read ambiguous dates like 03/04/2026 as day first (3 April), as UK/EU exports write them.",
    )
    batch_size: int = _setting(
        "ingest.batch_size",
        2000,
        "Rows written per batch during an import (one transaction covers all batches).",
        check=_check_positive,
    )
    parallel_from_mb: int = _setting(
        "ingest.parallel_from_mb",
        8,
        "Inputs of at least this many MB are read and prepared in a second process while "
        "the first writes to the database; 0 means always, -1 never.",
        check=_check_parallel,
    )
    pseudonymize_requesters: bool = _setting(
        "privacy.pseudonymize_requesters",
        True,
        "Store requesters as keyed pseudonyms (HMAC with the workspace secret) so that "
        "repeat contacts still count without keeping who the customer is.",
    )
    redact: bool = _setting(
        "privacy.redact",
        True,
        "Redact personal data (emails, phones, payment cards, IBANs, IP addresses) in ticket "
        "text before it is stored, replacing each with [EMAIL], [PHONE]...",
    )
    phone_regions: str = _setting(
        "privacy.phone_regions",
        "US,GB",
        "Countries whose national phone formats are recognised (ISO codes, comma separated); "
        "numbers written with + are found whatever this says.",
        check=_check_phone_regions,
    )
    keep_columns: str = _setting(
        "privacy.keep_columns",
        "",
        "Columns to keep although their names say they hold personal data (comma separated, "
        "as in the file); the others are dropped at import, or become the requester key.",
    )
    theme_model: str = _setting(
        "themes.model",
        "static-minilm-256",
        "Embedding model for theme discovery: the shipped static-minilm-256, the shipped "
        "transformer minilm-l6-int8 (slower), st:<name> for a sentence-transformers model, or "
        "hashing (no model: groups by shared words only).",
    )
    theme_teacher: str = _setting(
        "themes.teacher",
        "minilm-l6-int8",
        "Model the embedding model is fitted to on a sample of each corpus (same names as "
        "themes.model; naming the same model as themes.model embeds everything with it).",
    )
    theme_resolution: float | None = _setting(
        "themes.resolution",
        None,
        "How finely discovery splits tickets: higher finds more, narrower themes. Empty or "
        "auto (the default): chosen for each corpus from the data (the coarsest cut whose "
        "themes are as well separated as the best one's).",
        check=_check_positive_number,
    )
    theme_teacher_sample: int = _setting(
        "themes.teacher_sample",
        1500,
        "Tickets embedded with the transformer to fit the fast model to this corpus; more is "
        "slower and a little better.",
        check=_check_positive,
    )
    theme_discovery_sample: int = _setting(
        "themes.discovery_sample",
        20000,
        "Tickets clustered directly; the others are assigned to the themes found.",
        check=_check_positive,
    )
    theme_min_size: int = _setting(
        "themes.min_size",
        5,
        "Smallest group of tickets kept as a theme.",
        check=_check_positive,
    )
    theme_unclear_below: float = _setting(
        "themes.unclear_below",
        0.25,
        "A ticket less similar than this (cosine) to every theme goes to the unclear bucket.",
    )
    theme_stickiness: float = _setting(
        "themes.stickiness",
        0.05,
        "A re-run moves a ticket to another theme only if it fits that one better by this "
        "much (cosine); higher keeps themes steadier from week to week.",
    )
    theme_by_language: bool = _setting(
        "themes.by_language",
        True,
        "Group each language's tickets into its own themes (the shipped model reads English "
        "best); false groups all languages together (use with a multilingual st: model).",
    )
    theme_language_min: int = _setting(
        "themes.language_min",
        20,
        "Distinct texts a language needs before it gets themes of its own; fewer stay unclear.",
        check=_check_positive,
    )
    theme_auto_assign: bool = _setting(
        "themes.auto_assign",
        True,
        "After each import, place the new tickets in the existing themes and propose new ones.",
    )
    user: str | None = _setting(
        "identity.user",
        None,
        "Who is acting, recorded in the audit log; empty means the OS user. "
        "The --as flag overrides it.",
        env="TICKETLENS_USER",
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def phone_region_list(self) -> list[str]:
        return _regions(self.phone_regions)

    @property
    def keep_column_list(self) -> list[str]:
        return [c.strip() for c in self.keep_columns.split(",") if c.strip()]


@dataclass(frozen=True)
class SettingSpec:
    """What the declaration of one setting says, for help texts and validation."""

    attr: str
    key: str
    type: Any
    default: Any
    help: str
    env: str | None
    check: Callable[[Any], str | None] | None


def setting_specs() -> Iterator[SettingSpec]:
    """Yield every declared setting in declaration order."""
    hints = typing.get_type_hints(Settings)
    for f in dataclasses.fields(Settings):
        yield SettingSpec(
            attr=f.name,
            key=f.metadata["key"],
            type=hints[f.name],
            default=f.default,
            help=f.metadata["help"],
            env=f.metadata["env"],
            check=f.metadata["check"],
        )


_SPECS_BY_KEY = {spec.key: spec for spec in setting_specs()}


def _base_type(tp: Any) -> tuple[type, bool]:
    """Return (type, optional) for ``X`` or ``X | None``."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse(spec: SettingSpec, value: Any, origin: str) -> Any:
    """Turn a raw value (TOML value or env string) into the setting's type."""
    tp, optional = _base_type(spec.type)
    where = f"{origin}: {spec.key}"
    # An optional number left empty or "auto" is for ticketlens to choose.
    automatic = optional and tp in (int, float) and isinstance(value, str) and value == "auto"
    if value is None or (optional and value == "") or automatic:
        if optional:
            return None
        raise SettingsError(f"{where} must have a value")
    try:
        parsed: Any
        if tp is bool:
            if isinstance(value, bool):
                parsed = value
            elif isinstance(value, str) and value.lower() in _TRUE | _FALSE:
                parsed = value.lower() in _TRUE
            else:
                raise ValueError("expected true or false")
        elif tp is int:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError("expected a whole number")
            parsed = int(value)
        elif tp is float:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValueError("expected a number")
            parsed = float(value)
        elif tp is str:
            if not isinstance(value, str):
                raise ValueError("expected a string")
            parsed = value
        elif tp is dt.date:
            if isinstance(value, dt.datetime):  # a TOML date-time is a date subclass
                raise ValueError("expected a date without a time of day")
            parsed = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        elif tp is dt.time:
            parsed = value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
        else:  # pragma: no cover - a declaration with an unsupported type is a bug
            raise TypeError(f"unsupported setting type {tp!r}")
    except ValueError as exc:
        example = spec.default if spec.default is not None else ("auto" if optional else "")
        raise SettingsError(
            f"{where} = {value!r}: {exc}",
            hint=f"expected a {tp.__name__}, like the default {example!r}",
        ) from None
    if spec.check is not None and (problem := spec.check(parsed)) is not None:
        raise SettingsError(f"{where} = {value!r}: {problem}")
    return parsed


def _unknown_key(key: str, origin: str) -> SettingsError:
    close = difflib.get_close_matches(key, list(_SPECS_BY_KEY), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "run 'ticketlens settings' to list them"
    return SettingsError(f"{origin}: unknown setting {key!r}", hint=hint)


def flatten_config(data: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """Flatten ``{"section": {"key": v}}`` from TOML into ``{"section.key": v}``."""
    flat: dict[str, Any] = {}
    for section, body in data.items():
        if not isinstance(body, Mapping):
            raise _unknown_key(section, origin)
        for key, value in body.items():
            flat[f"{section}.{key}"] = value
    return flat


def load_settings(
    *,
    config: Mapping[str, Any] | None = None,
    config_origin: str = "ticketlens.toml",
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve settings from defaults < config file < environment < overrides.

    Args:
        config: The parsed TOML document (nested tables).
        config_origin: How to name the config in error messages (its path).
        environ: Environment variables (usually ``os.environ``).
        overrides: Dotted keys set by command-line flags; ``None`` values are ignored.

    Raises:
        SettingsError: For an unknown key or a value of the wrong type.
    """
    values: dict[str, Any] = {}
    for key, value in flatten_config(config or {}, config_origin).items():
        spec = _SPECS_BY_KEY.get(key)
        if spec is None:
            raise _unknown_key(key, config_origin)
        values[spec.attr] = _parse(spec, value, config_origin)
    for spec in _SPECS_BY_KEY.values():
        if spec.env and environ and spec.env in environ:
            values[spec.attr] = _parse(spec, environ[spec.env], f"environment {spec.env}")
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        spec = _SPECS_BY_KEY.get(key)
        if spec is None:
            raise _unknown_key(key, "command line")
        values[spec.attr] = _parse(spec, value, "command line")
    return Settings(**values)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.time):
        return f'"{value.strftime("%H:%M")}"'
    if isinstance(value, dt.date):
        return value.isoformat()
    # A TOML basic string: escape quotes, backslashes and the control characters TOML forbids.
    escaped = "".join(
        f"\\u{ord(c):04x}" if c < " " or c == "\x7f" else "\\" + c if c in '"\\' else c
        for c in str(value)
    )
    return f'"{escaped}"'


def render_config(values: Mapping[str, Any] | None = None) -> str:
    """Render a ``ticketlens.toml`` listing every setting with its help as a comment.

    Settings given in ``values`` (dotted keys) are written active; the others are
    written commented out with their default, so the file documents itself.
    """
    values = dict(values or {})
    lines = [
        "# ticketlens workspace settings. Precedence: flags > environment > this file.",
        "# Every setting is listed; uncomment one to change it.",
    ]
    section = None
    for spec in setting_specs():
        sec, name = spec.key.split(".", 1)
        if sec != section:
            lines += ["", f"[{sec}]"]
            section = sec
        lines.append(f"# {spec.help}" + (f" (env: {spec.env})" if spec.env else ""))
        if spec.key in values:
            lines.append(f"{name} = {_toml_value(values[spec.key])}")
        elif spec.default is None:
            lines.append(f'# {name} = ""')
        else:
            lines.append(f"# {name} = {_toml_value(spec.default)}")
    return "\n".join(lines) + "\n"


def read_config(path: Path) -> dict[str, Any]:
    """Parse a ``ticketlens.toml``; a syntax error names the file and line."""
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}", hint="fix the TOML syntax at that line") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read ({exc.strerror})") from None


__all__ = [
    "SettingSpec",
    "Settings",
    "load_settings",
    "read_config",
    "render_config",
    "setting_specs",
]
