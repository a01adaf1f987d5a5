"""Settings: defaults, precedence, validation and the rendered ticketlens.toml."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketlens.errors import SettingsError
from ticketlens.settings import (
    Settings,
    load_settings,
    read_config,
    render_config,
    setting_specs,
)
from ticketlens.workspace import Workspace


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "ticketlens.toml"
    path.write_text(body, encoding="utf-8")
    return path


def load_file(path: Path, **kwargs: Any) -> Settings:
    return load_settings(config=read_config(path), config_origin=str(path), **kwargs)


# --- defaults ----------------------------------------------------------------------------


def test_defaults() -> None:
    s = load_settings()
    assert s == Settings()
    assert s.database_url is None
    assert s.timezone == "UTC"
    assert s.tz.key == "UTC"
    assert s.sprint_length_days == 14
    assert s.sprint_start == dt.date(2026, 1, 5)
    assert s.sprint_start.isoweekday() == 1
    assert (s.business_day_start, s.business_day_end) == (dt.time(9), dt.time(17))
    assert s.csat_scale == 5
    assert s.dayfirst is False
    assert s.batch_size == 2000
    assert s.pseudonymize_requesters is True
    assert s.user is None


def test_every_setting_is_declared_with_a_dotted_key_and_help() -> None:
    specs = list(setting_specs())
    assert [s.attr for s in specs] == [f.name for f in dataclasses.fields(Settings)]
    assert len({s.key for s in specs}) == len(specs)
    for spec in specs:
        section, _, name = spec.key.partition(".")
        assert section, spec.key
        assert name, spec.key
        assert spec.help.strip(), spec.key
        assert spec.env is None or spec.env.startswith("TICKETLENS_")


def test_empty_config_and_environment_give_the_defaults(tmp_path: Path) -> None:
    assert load_file(write_config(tmp_path, ""), environ={}) == Settings()
    assert load_settings(config={}, environ={}, overrides={}) == Settings()


# --- precedence --------------------------------------------------------------------------

CONFIG = """
[workspace]
timezone = "Europe/London"
[database]
url = "sqlite:///from-config.db"
[identity]
user = "config-user"
"""
ENV = {
    "TICKETLENS_TIMEZONE": "Asia/Tokyo",
    "TICKETLENS_DB": "sqlite:///from-env.db",
    "TICKETLENS_USER": "env-user",
}
FLAGS = {
    "workspace.timezone": "America/New_York",
    "database.url": "sqlite:///from-flag.db",
    "identity.user": "flag-user",
}
EXPECTED = {
    "default": ("UTC", None, None),
    "config": ("Europe/London", "sqlite:///from-config.db", "config-user"),
    "env": ("Asia/Tokyo", "sqlite:///from-env.db", "env-user"),
    "flags": ("America/New_York", "sqlite:///from-flag.db", "flag-user"),
}
LAYERS = ["default", "config", "env", "flags"]


@pytest.mark.parametrize("top", LAYERS)
def test_each_layer_overrides_the_previous(tmp_path: Path, top: str) -> None:
    upto = LAYERS[: LAYERS.index(top) + 1]
    path = write_config(tmp_path, CONFIG if "config" in upto else "")
    s = load_file(
        path,
        environ=ENV if "env" in upto else {},
        overrides=FLAGS if "flags" in upto else None,
    )
    assert (s.timezone, s.database_url, s.user) == EXPECTED[top]


@pytest.mark.parametrize(
    ("config", "env", "flags", "expected"),
    [
        (False, True, False, "Asia/Tokyo"),  # env over default
        (False, False, True, "America/New_York"),  # flag over default
        (True, False, True, "America/New_York"),  # flag over config
        (False, True, True, "America/New_York"),  # flag over env
    ],
)
def test_precedence_without_the_middle_layers(
    tmp_path: Path, config: bool, env: bool, flags: bool, expected: str
) -> None:
    path = write_config(tmp_path, CONFIG if config else "")
    s = load_file(path, environ=ENV if env else {}, overrides=FLAGS if flags else None)
    assert s.timezone == expected


def test_flags_set_to_none_do_not_override() -> None:
    s = load_settings(
        config={"workspace": {"timezone": "Europe/Paris"}},
        environ={"TICKETLENS_USER": "env-user"},
        overrides={"workspace.timezone": None, "identity.user": None, "database.url": None},
    )
    assert (s.timezone, s.user, s.database_url) == ("Europe/Paris", "env-user", None)


def test_unrelated_environment_variables_are_ignored() -> None:
    s = load_settings(environ={"TZ": "Asia/Tokyo", "TICKETLENS_NOPE": "x", "USER": "root"})
    assert s == Settings()


def test_workspace_applies_the_same_precedence(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root, values={"workspace.timezone": "Europe/London"})
    assert Workspace.open(root, environ={}).settings.timezone == "Europe/London"
    env = {"TICKETLENS_TIMEZONE": "Asia/Tokyo"}
    assert Workspace.open(root, environ=env).settings.timezone == "Asia/Tokyo"
    flags = {"workspace.timezone": "America/New_York"}
    assert (
        Workspace.open(root, environ=env, overrides=flags).settings.timezone == "America/New_York"
    )


# --- unknown keys ------------------------------------------------------------------------


def test_unknown_key_names_the_file_and_suggests_the_close_match(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[workspace]\ntimezon = "UTC"\n')
    with pytest.raises(SettingsError) as info:
        load_file(path)
    assert str(path) in info.value.message
    assert "'workspace.timezon'" in info.value.message
    assert info.value.hint == "did you mean 'workspace.timezone'?"


def test_unknown_key_without_close_match_still_gives_a_hint(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[llm]\nprovider = 'x'\n")
    with pytest.raises(SettingsError, match=re.escape("unknown setting 'llm.provider'")) as info:
        load_file(path)
    assert str(path) in info.value.message
    assert info.value.hint
    assert "did you mean" not in info.value.hint


def test_top_level_key_outside_a_section_is_unknown(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'timezone = "UTC"\n')
    with pytest.raises(SettingsError, match="unknown setting 'timezone'") as info:
        load_file(path)
    assert str(path) in info.value.message
    assert info.value.hint == "did you mean 'workspace.timezone'?"


def test_unknown_flag_key_is_refused() -> None:
    with pytest.raises(
        SettingsError, match=re.escape("command line: unknown setting 'ingest.batchsize'")
    ) as i:
        load_settings(overrides={"ingest.batchsize": 10})
    assert i.value.hint == "did you mean 'ingest.batch_size'?"


# --- ill-typed values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "toml_value", "problem"),
    [
        ("workspace.timezone", '"Mars/Base"', "unknown time zone"),
        ("workspace.timezone", "3", "expected a string"),
        ("ingest.batch_size", '"lots"', "invalid literal"),
        ("ingest.batch_size", "0", "positive"),
        ("ingest.batch_size", "-5", "positive"),
        ("ingest.batch_size", "2.5", "whole number"),
        ("ingest.batch_size", "true", "whole number"),
        ("sprints.length_days", "0", "positive"),
        ("sprints.start", "2026-01-06", "must be a Monday"),
        ("sprints.start", '"2026-01-06"', "must be a Monday"),
        ("sprints.start", '"next monday"', "Invalid isoformat"),
        ("sprints.start", "2026-01-05T09:00:00", "date"),
        ("ingest.dayfirst", '"maybe"', "expected true or false"),
        ("ingest.dayfirst", "1", "expected true or false"),
        ("privacy.pseudonymize_requesters", '"maybe"', "expected true or false"),
        ("ingest.csat_scale", "11", "between 2 and 10"),
        ("ingest.csat_scale", "1", "between 2 and 10"),
        ("business_hours.start", '"9am"', "Invalid isoformat"),
        ("business_hours.end", "[17]", "Invalid isoformat"),
        ("themes.resolution", '"fine"', "could not convert"),
        ("themes.resolution", "0", "positive"),
        ("themes.resolution", "true", "expected a number"),
        ("themes.teacher_sample", "0", "positive"),
        ("themes.unclear_below", "[0.3]", "expected a number"),
    ],
)
def test_ill_typed_config_values_name_the_key_and_file(
    tmp_path: Path, key: str, toml_value: str, problem: str
) -> None:
    section, name = key.split(".")
    path = write_config(tmp_path, f"[{section}]\n{name} = {toml_value}\n")
    with pytest.raises(SettingsError) as info:
        load_file(path)
    assert f"{path}: {key} = " in info.value.message
    assert problem.lower() in info.value.message.lower()


@pytest.mark.parametrize(
    ("env", "value", "key"),
    [
        ("TICKETLENS_TIMEZONE", "Mars/Base", "workspace.timezone"),
        ("TICKETLENS_TIMEZONE", "", "workspace.timezone"),
    ],
)
def test_ill_typed_environment_values_name_the_variable_and_key(
    env: str, value: str, key: str
) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(environ={env: value})
    assert f"environment {env}: {key}" in info.value.message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ingest.batch_size", "lots"),
        ("ingest.dayfirst", "maybe"),
        ("sprints.start", "2026-01-07"),
        ("workspace.timezone", "Mars/Base"),
        ("themes.resolution", "high"),
    ],
)
def test_ill_typed_flags_name_the_key(key: str, value: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(f"command line: {key} = ")):
        load_settings(overrides={key: value})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("yes", True), ("ON", True), ("1", True), ("False", False), ("no", False), ("0", False)],
)
def test_boolean_strings_are_parsed(raw: str, expected: bool) -> None:
    assert load_settings(overrides={"ingest.dayfirst": raw}).dayfirst is expected


def test_string_values_are_parsed_to_their_types() -> None:
    s = load_settings(
        overrides={
            "ingest.batch_size": "500",
            "sprints.start": "2026-02-02",
            "business_hours.start": "08:30",
            "ingest.csat_scale": "10",
        }
    )
    assert s.batch_size == 500
    assert s.sprint_start == dt.date(2026, 2, 2)
    assert type(s.sprint_start) is dt.date
    assert s.business_day_start == dt.time(8, 30)
    assert s.csat_scale == 10


def test_empty_environment_value_clears_an_optional_setting() -> None:
    s = load_settings(config={"database": {"url": "sqlite:///x.db"}}, environ={"TICKETLENS_DB": ""})
    assert s.database_url is None


# --- the rendered config file ------------------------------------------------------------


def test_rendered_config_parses_and_loads_to_the_defaults(tmp_path: Path) -> None:
    rendered = render_config()
    data = tomllib.loads(rendered)
    assert load_settings(config=data, environ={}) == Settings()
    # Every setting is documented in the file, with its help text.
    for spec in setting_specs():
        section, name = spec.key.split(".")
        assert f"[{section}]" in rendered
        assert f"# {name} = " in rendered
        assert spec.help in rendered
        if spec.env:
            assert f"(env: {spec.env})" in rendered
    path = write_config(tmp_path, rendered)
    assert load_file(path, environ={}) == Settings()


NON_DEFAULTS: dict[str, Any] = {
    "database.url": 'sqlite:///C:\\data\\"team".db',
    "workspace.timezone": "Europe/London",
    "sprints.length_days": 7,
    "sprints.start": dt.date(2026, 3, 2),
    "business_hours.start": dt.time(8, 30),
    "business_hours.end": dt.time(18, 0),
    "ingest.csat_scale": 10,
    "ingest.dayfirst": True,
    "ingest.batch_size": 50,
    "privacy.pseudonymize_requesters": False,
    "privacy.redact": False,
    "ingest.parallel_from_mb": 0,
    "privacy.phone_regions": "DE,FR",
    "privacy.keep_columns": "Customer Age",
    "identity.user": "Zoë O'Neil",
    "themes.model": "st:all-MiniLM-L6-v2",
    "themes.teacher": "static-minilm-256",
    "themes.resolution": 1.5,
    "themes.teacher_sample": 800,
    "themes.discovery_sample": 5000,
    "themes.min_size": 8,
    "themes.unclear_below": 0.2,
    "themes.stickiness": 0.1,
    "themes.by_language": False,
    "themes.language_min": 50,
    "themes.auto_assign": False,
}


def test_rendered_config_with_values_round_trips() -> None:
    assert set(NON_DEFAULTS) == {spec.key for spec in setting_specs()}
    loaded = load_settings(config=tomllib.loads(render_config(NON_DEFAULTS)), environ={})
    for spec in setting_specs():
        assert getattr(loaded, spec.attr) == NON_DEFAULTS[spec.key], spec.key
        assert getattr(loaded, spec.attr) != spec.default, spec.key


@given(st.text(min_size=1, max_size=40))
def test_any_user_name_round_trips_through_the_rendered_file(name: str) -> None:
    data = tomllib.loads(render_config({"identity.user": name}))
    assert load_settings(config=data, environ={}).user == name


# --- the file itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ['[workspace\ntimezone = "UTC"\n', "[workspace]\ntimezone = UTC\n", "[a]\nx = 1\nx = 2\n"],
)
def test_toml_syntax_errors_name_the_file(tmp_path: Path, body: str) -> None:
    path = write_config(tmp_path, body)
    with pytest.raises(SettingsError) as info:
        read_config(path)
    assert info.value.message.startswith(f"{path}: ")
    assert "line" in info.value.message
    assert info.value.hint


def test_toml_syntax_error_stops_the_workspace_with_the_file_named(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root)
    (root / "ticketlens.toml").write_text("[workspace\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=re.escape(str(root / "ticketlens.toml"))):
        Workspace.open(root, environ={})


def test_unreadable_config_is_a_settings_error(tmp_path: Path) -> None:
    folder = tmp_path / "ticketlens.toml"
    folder.mkdir()
    with pytest.raises(SettingsError, match="cannot read") as info:
        read_config(folder)
    assert str(folder) in info.value.message
