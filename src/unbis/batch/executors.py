"""Where batches run: in this process, in a pool of local worker processes, or on a Dask cluster.

All three hand back futures with ``result()`` so the runner keeps one loop: submit in order, keep a
bounded window in flight (memory stays flat on any number of documents), write the oldest when done.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

from unbis.batch.results import DocResult, Item
from unbis.batch.workers import (
    ProjectRef,
    forget_project,
    init_process,
    process_batch,
    remember_project,
    suggest_items,
)
from unbis.errors import InputError
from unbis.parallel import available_cores
from unbis.project import Project


class ResultFuture(Protocol):
    def result(self) -> list[DocResult]: ...


class Executor(Protocol):
    #: How many batches may be in flight at once.
    window: int

    def submit(self, items: list[Item]) -> ResultFuture: ...

    def close(self, cancel: bool = False) -> None: ...


class InlineExecutor:
    """Runs each batch at once in this process, with the already loaded project (``--jobs 1``)."""

    window = 1

    def __init__(self, project: Project, limit: int, threshold: float | None) -> None:
        self.project, self.limit, self.threshold = project, limit, threshold

    def submit(self, items: list[Item]) -> ResultFuture:
        future: Future[list[DocResult]] = Future()
        future.set_result(suggest_items(self.project, items, self.limit, self.threshold))
        return future

    def close(self, cancel: bool = False) -> None:
        pass


class PoolExecutor:
    """``jobs`` worker processes, each holding the project.

    On Linux the workers are forked from this process with the project already loaded: they start at
    once and share the model's arrays copy-on-write instead of each loading its own copy. (Forking a
    process that runs threads, such as the progress bar's, is safe here because a worker only suggests
    and never takes the locks those threads use.) Elsewhere they are spawned and load the project.
    """

    def __init__(self, project: Project, jobs: int, limit: int, threshold: float | None) -> None:
        self.ref, self.limit, self.threshold = ProjectRef.of(project), limit, threshold
        self.window = 2 * jobs  # one batch running and one queued per worker
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        if method == "fork":
            remember_project(self.ref, project)
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method),
                                        initializer=init_process, initargs=(self.ref,))

    def submit(self, items: list[Item]) -> ResultFuture:
        return self.pool.submit(process_batch, self.ref, items, self.limit, self.threshold)

    def close(self, cancel: bool = False) -> None:
        if cancel:
            # Interrupted: the batches in flight are dropped anyway, so don't wait for them.
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=cancel)
        forget_project(self.ref)


class DaskExecutor:
    """Batches as tasks on a Dask distributed cluster: ``address`` of a scheduler, or ``local``.

    Workers must see the project directory at the same path (a shared file system); each loads it once.
    """

    def __init__(self, address: str, ref: ProjectRef, limit: int, threshold: float | None, jobs: int = 0,
                 cluster_options: dict[str, Any] | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise InputError("--dask needs the dask extra: pip install 'unbis-indexer[dask]'") from exc
        self.ref, self.limit, self.threshold = ref, limit, threshold
        self.cluster: Any = None
        if address == "local":
            options = {"n_workers": jobs or available_cores(), "threads_per_worker": 1,
                       "dashboard_address": None, **(cluster_options or {})}
            self.cluster = LocalCluster(**options)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, timeout=30)
            except OSError as exc:
                raise InputError(f"--dask {address}: cannot reach the scheduler: {exc}") from exc
        threads = sum(self.client.nthreads().values()) or 1
        self.window = 2 * threads

    def submit(self, items: list[Item]) -> ResultFuture:
        future: ResultFuture = self.client.submit(process_batch, self.ref, items, self.limit, self.threshold,
                                                  pure=False)
        return future

    def close(self, cancel: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
