"""The work done on a worker (a local process, a Dask worker, or the main process itself).

A worker loads the project once and keeps it: batches only carry texts. A batch that fails as a whole
is retried document by document, so one bad document costs only itself.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path

from unbis.batch.results import DocResult, Item
from unbis.parallel import one_blas_thread
from unbis.project import Project

_PROJECTS: dict[ProjectRef, Project] = {}


@dataclass(frozen=True, slots=True)
class ProjectRef:
    """How a worker finds the project: its directory (None: the bundled zero-shot project) and version."""

    path: str | None
    version: str

    @classmethod
    def of(cls, project: Project) -> ProjectRef:
        return cls(None if project.path is None else str(Path(project.path).resolve()), project.version)

    def load(self) -> Project:
        from unbis import service

        return service.open_project(None if self.path is None else Path(self.path))


def get_project(ref: ProjectRef) -> Project:
    """The project for ``ref``, loaded at most once per worker process."""
    project = _PROJECTS.get(ref)
    if project is None:
        project = _PROJECTS[ref] = ref.load()
    return project


def remember_project(ref: ProjectRef, project: Project) -> None:
    """Make ``project`` the one for ``ref`` in this process (forked workers inherit it loaded)."""
    _PROJECTS[ref] = project


def forget_project(ref: ProjectRef) -> None:
    _PROJECTS.pop(ref, None)


def init_process(ref: ProjectRef) -> None:
    """Pool initializer: Ctrl-C is the main process's to handle; one BLAS thread, as the pool has a
    process per core; load the project up front."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    one_blas_thread()
    get_project(ref)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def suggest_items(project: Project, items: list[Item], limit: int, threshold: float | None) -> list[DocResult]:
    """Suggestions for every item; a failing document becomes a result with ``error`` set."""
    try:
        rows = project.suggest([it.text for it in items], limit=limit, threshold=threshold)
    except Exception as exc:
        if len(items) == 1:
            return [DocResult(items[0].source, items[0].name, error=_describe(exc))]
        # Find the culprit(s): the others still get their suggestions.
        return [_suggest_one(project, it, limit, threshold) for it in items]
    return [DocResult(it.source, it.name, tuple(s.as_json() for s in row))
            for it, row in zip(items, rows, strict=True)]


def _suggest_one(project: Project, item: Item, limit: int, threshold: float | None) -> DocResult:
    try:
        [row] = project.suggest([item.text], limit=limit, threshold=threshold)
    except Exception as exc:
        return DocResult(item.source, item.name, error=_describe(exc))
    return DocResult(item.source, item.name, tuple(s.as_json() for s in row))


def process_batch(ref: ProjectRef, items: list[Item], limit: int, threshold: float | None) -> list[DocResult]:
    """The task a pool or Dask worker runs: load (once) and suggest, never raising for one document."""
    return suggest_items(get_project(ref), items, limit, threshold)
