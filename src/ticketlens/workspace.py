"""A workspace: a folder with ``ticketlens.toml`` and a data folder, found like git's.

It is the entry point of the Python API: it resolves settings, opens the store and
knows who is acting. Surfaces (CLI, web) create one and call its methods.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from ticketlens.errors import WorkspaceError, WorkspaceNotFound
from ticketlens.identity import resolve_actor
from ticketlens.ingest import ImportResult, IngestOptions, ingest_files
from ticketlens.ingest._run import BatchHook, FileProgress
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

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        source: str = "default",
        format: str | None = None,
        mapping: Mapping[str, str] | None = None,
        progress: FileProgress | None = None,
        on_batch: BatchHook | None = None,
    ) -> ImportResult:
        """Import ticket files (see :func:`ticketlens.ingest.ingest_files`)."""
        from ticketlens import pipeline

        options = IngestOptions(
            source=source,
            format=format,
            mapping=dict(mapping or {}),
            tz=self.settings.tz,
            csat_scale=self.settings.csat_scale,
            dayfirst=self.settings.dayfirst,
            batch_size=self.settings.batch_size,
            redactor=self.redactor,
            parallel_min_bytes=None
            if self.settings.parallel_from_mb < 0
            else self.settings.parallel_from_mb * 1024 * 1024,
        )
        result = ingest_files(
            self.store,
            paths,
            options=options,
            actor=self.actor,
            requester_key=self.pseudonymizer,
            progress=progress,
            on_batch=on_batch,
        )
        return dataclasses.replace(result, followups=pipeline.after_ingest(self, result))

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
