"""The projects a server offers: the bundled zero-shot UNBIS project plus trained ones in a directory.

Trained projects are found as sub-directories holding a ``current`` model link. Each request asks the
registry for its project; when ``current`` points at a new version (``unbis train`` or ``unbis learn``
finished), the new model is loaded under a per-project lock and swapped in. Requests already running keep
the object they hold, so a retrain never disturbs them.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from unbis import service
from unbis.errors import NotFoundError, UnbisError
from unbis.project import Project
from unbis.project.atomic import current_version

logger = logging.getLogger("unbis.api")

BUNDLED_ID = "unbis"
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class ProjectUnavailable(UnbisError):
    """A project that exists but cannot be loaded now (HTTP 503)."""


@dataclass(frozen=True)
class Loaded:
    """A project with the model version it was loaded from (recorded at load time)."""

    project: Project
    version: str


class ProjectRegistry:
    """Thread-safe lookup of projects by id, with hot reload of retrained ones."""

    def __init__(self, projects_dir: Path | None, bundled: Callable[[], Project] | None = None) -> None:
        self.projects_dir = projects_dir
        self._bundled = bundled or (lambda: service.open_project(None))
        self._entries: dict[str, Loaded] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, project_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(project_id, threading.Lock())

    def ids(self) -> list[str]:
        """The bundled project first, then every trained project directory, sorted."""
        found: list[str] = []
        if self.projects_dir is not None and self.projects_dir.is_dir():
            found = sorted(
                p.name for p in self.projects_dir.iterdir()
                if p.is_dir() and _ID_RE.match(p.name) and (p / "current").exists() and p.name != BUNDLED_ID
            )
        return [BUNDLED_ID, *found]

    def available(self) -> list[tuple[str, Loaded]]:
        """Every project that loads, with its id; broken ones are logged and left out of listings."""
        out = []
        for project_id in self.ids():
            try:
                out.append((project_id, self.get(project_id)))
            except UnbisError as exc:
                logger.warning("project %s is not available: %s", project_id, exc)
        return out

    def get(self, project_id: str) -> Loaded:
        """The loaded project, reloaded first if its ``current`` version changed on disk."""
        if project_id == BUNDLED_ID:
            return self._get_bundled()
        path = self._path(project_id)
        version_dir = current_version(path)
        if version_dir is None:
            raise NotFoundError(f"project {project_id!r} not found")
        entry = self._entries.get(project_id)
        if entry is not None and entry.version == version_dir.name:
            return entry
        with self._lock(project_id):
            entry = self._entries.get(project_id)
            # Read the version before loading: if a swap happens mid-load we record the older name and
            # simply reload once more on the next request.
            version_dir = current_version(path) or version_dir
            if entry is not None and entry.version == version_dir.name:
                return entry  # another request reloaded it while we waited
            try:
                project = Project.load(path)
            except UnbisError as exc:
                if entry is not None:  # keep serving the old model rather than failing
                    logger.warning("reload of %s failed, keeping version %s: %s", path, entry.version, exc)
                    return entry
                raise ProjectUnavailable(f"project {project_id!r} cannot be loaded: {exc}") from exc
            loaded = self._entries[project_id] = Loaded(project, version_dir.name)
            if entry is not None:
                logger.info("reloaded project %s: %s -> %s", project_id, entry.version, loaded.version)
            return loaded

    def _get_bundled(self) -> Loaded:
        entry = self._entries.get(BUNDLED_ID)
        if entry is not None:
            return entry
        with self._lock(BUNDLED_ID):
            if (entry := self._entries.get(BUNDLED_ID)) is None:
                try:
                    project = self._bundled()
                except UnbisError as exc:
                    raise ProjectUnavailable(f"the bundled UNBIS project cannot be loaded: {exc}") from exc
                entry = self._entries[BUNDLED_ID] = Loaded(project, project.version)
            return entry

    def _path(self, project_id: str) -> Path:
        if self.projects_dir is None or not _ID_RE.match(project_id):
            raise NotFoundError(f"project {project_id!r} not found")
        path = self.projects_dir / project_id
        if not path.is_dir():
            raise NotFoundError(f"project {project_id!r} not found")
        return path

    def path(self, project_id: str) -> Path | None:
        """The directory of a trained project (None for the bundled one)."""
        return None if project_id == BUNDLED_ID else self._path(project_id)
