"""A workspace: a folder with ``ticketlens.toml`` and a data folder, found like git's.

It is the context every stage works in: the resolved settings, the store, who is
acting, and what redacts and pseudonymises personal data. It runs nothing; stages
take it as their first argument and :mod:`ticketlens.pipeline` runs them in order.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from ticketlens.errors import WorkspaceError, WorkspaceNotFound
from ticketlens.identity import resolve_actor
from ticketlens.privacy import (
    NO_REDACTION,
    Pseudonymizer,
    Redactor,
    TextRedactor,
    load_or_create_secret,
)
from ticketlens.settings import Settings, load_settings, read_config, render_config
from ticketlens.store import Store

CONFIG_NAME = "ticketlens.toml"
DATA_DIR = ".ticketlens"
DB_NAME = "ticketlens.db"
SECRET_NAME = "secret.key"
ENV_WORKSPACE = "TICKETLENS_WORKSPACE"


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding a ``ticketlens.toml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceNotFound(f"no {CONFIG_NAME} in {start} or any folder above it")


class Workspace:
    """One team's ticketlens workspace."""

    def __init__(
        self,
        root: Path,
        *,
        environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
        actor: str | None = None,
    ) -> None:
        self.root = root.resolve()
        config_path = self.root / CONFIG_NAME
        if not config_path.is_file():
            raise WorkspaceNotFound(f"{self.root} is not a workspace (no {CONFIG_NAME})")
        self.settings: Settings = load_settings(
            config=read_config(config_path),
            config_origin=str(config_path),
            environ=os.environ if environ is None else environ,
            overrides=overrides,
        )
        self.actor = resolve_actor(actor, self.settings.user)

    @classmethod
    def init(cls, root: Path, *, values: Mapping[str, Any] | None = None) -> Workspace:
        """Create a workspace in ``root`` (created if needed) and return it opened.

        Raises:
            WorkspaceError: ``root`` already holds a workspace.
            SettingsError: A value is unknown or ill-typed (nothing is written then).
        """
        values = {key: value for key, value in (values or {}).items() if value is not None}
        load_settings(environ={}, overrides=values)  # validate before writing anything
        root.mkdir(parents=True, exist_ok=True)
        config = root / CONFIG_NAME
        if config.exists():
            raise WorkspaceError(
                f"{root.resolve()} already holds a workspace", hint=f"edit {config} instead"
            )
        config.write_text(render_config(values), encoding="utf-8")
        data = root / DATA_DIR
        data.mkdir(exist_ok=True)
        (data / ".gitignore").write_text("*\n", encoding="utf-8")
        load_or_create_secret(data / SECRET_NAME)
        return cls(root, environ={})

    @classmethod
    def open(
        cls,
        root: Path | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
        actor: str | None = None,
    ) -> Workspace:
        """Open ``root``, else $TICKETLENS_WORKSPACE, else the nearest workspace above cwd."""
        env = os.environ if environ is None else environ
        if root is None and env.get(ENV_WORKSPACE):
            root = Path(env[ENV_WORKSPACE])
        if root is None:
            root = find_root(Path.cwd())
        return cls(root, environ=env, overrides=overrides, actor=actor)

    @property
    def data_dir(self) -> Path:
        return self.root / DATA_DIR

    @property
    def database_url(self) -> str:
        return self.settings.database_url or f"sqlite:///{self.data_dir / DB_NAME}"

    @cached_property
    def store(self) -> Store:
        self.data_dir.mkdir(exist_ok=True)
        return Store(self.database_url)

    @cached_property
    def redactor(self) -> TextRedactor:
        """What removes personal data from text before it is stored or shown."""
        if not self.settings.redact:
            return NO_REDACTION
        return Redactor(phone_regions=self.settings.phone_region_list)

    @cached_property
    def pseudonymizer(self) -> Pseudonymizer:
        if not self.settings.pseudonymize_requesters:
            return Pseudonymizer(None)
        return Pseudonymizer(load_or_create_secret(self.data_dir / SECRET_NAME))

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
