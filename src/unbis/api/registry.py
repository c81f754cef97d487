"""The projects a server offers: the bundled zero-shot UNBIS project plus trained ones in a directory.

Trained projects are found as sub-directories holding a ``current`` model link. Each request asks the
registry for its project; when ``current`` points at a new version (``unbis train``, ``unbis learn`` or
``unbis optimize`` finished), the new model is loaded in a background thread while the old one keeps
answering, and swapped in once whole: no request ever waits for a reload. A version that fails to load is
remembered (logged once) and not retried until ``current`` moves on. Only the very first load of a project
is waited for, since there is nothing older to answer with.
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

    def __init__(
        self,
        projects_dir: Path | None,
        bundled: Callable[[], Project] | None = None,
        loader: Callable[[Path], Project] = Project.load,
    ) -> None:
        self.projects_dir = projects_dir
        self._bundled = bundled or (lambda: service.open_project(None))
        self._loader = loader
        self._entries: dict[str, Loaded] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._loading: dict[str, str] = {}  # project id -> version being loaded in the background
        self._failed: dict[str, tuple[str, str]] = {}  # project id -> (version, error) that failed to load
        self._threads: list[threading.Thread] = []

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
        """The loaded project. When its ``current`` version changed on disk, the new one is loaded in the
        background and the old one answers meanwhile."""
        if project_id == BUNDLED_ID:
            return self._get_bundled()
        path = self._path(project_id)
        version_dir = current_version(path)
        if version_dir is None:
            raise NotFoundError(f"project {project_id!r} not found")
        version = version_dir.name
        entry = self._entries.get(project_id)
        if entry is not None:
            if entry.version != version:
                self._reload_in_background(project_id, path, version)
            return entry
        with self._lock(project_id):  # first load: concurrent first requests wait for one load
            if (entry := self._entries.get(project_id)) is not None:
                return entry
            failed = self._failed.get(project_id)
            if failed is not None and failed[0] == version:
                raise ProjectUnavailable(f"project {project_id!r} cannot be loaded: {failed[1]}")
            try:
                project = self._loader(path)
            except UnbisError as exc:
                self._remember_failure(project_id, version, exc)
                raise ProjectUnavailable(f"project {project_id!r} cannot be loaded: {exc}") from exc
            self._failed.pop(project_id, None)
            loaded = self._entries[project_id] = Loaded(project, version)
            return loaded

    def _reload_in_background(self, project_id: str, path: Path, version: str) -> None:
        with self._guard:
            if self._loading.get(project_id) == version:
                return  # already loading this version
            failed = self._failed.get(project_id)
            if failed is not None and failed[0] == version:
                return  # this version failed once: wait until `current` moves on
            self._loading[project_id] = version
            thread = threading.Thread(target=self._reload, args=(project_id, path, version), daemon=True,
                                      name=f"reload-{project_id}")
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _reload(self, project_id: str, path: Path, version: str) -> None:
        # Read the version before loading: if a swap happens mid-load we record the older name and simply
        # reload once more on the next request.
        try:
            project = self._loader(path)
        except Exception as exc:  # noqa: BLE001 - a thread has no caller: every failure is remembered and logged
            with self._guard:
                self._loading.pop(project_id, None)
                self._remember_failure(project_id, version, exc)
            return
        with self._guard:
            self._loading.pop(project_id, None)
            self._failed.pop(project_id, None)
            old = self._entries.get(project_id)
            self._entries[project_id] = Loaded(project, version)
        logger.info("reloaded project %s: %s -> %s", project_id, old.version if old else "-", version)

    def _remember_failure(self, project_id: str, version: str, exc: BaseException) -> None:
        if self._failed.get(project_id, ("", ""))[0] != version:  # log each failed version once
            old = self._entries.get(project_id)
            keeping = f", keeping version {old.version}" if old else ""
            logger.warning("project %s: version %s cannot be loaded%s: %s", project_id, version, keeping, exc)
        self._failed[project_id] = (version, str(exc))

    def wait_for_reloads(self, timeout: float = 60.0) -> None:
        """Block until background reloads started so far are done (tests, an orderly shutdown)."""
        with self._guard:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

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
