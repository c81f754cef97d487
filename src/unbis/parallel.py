"""Spreading per-document work over the machine's cores during training.

Workers are forked: they inherit the function and everything it holds (a thesaurus matcher, an
analyzer) instead of receiving it by pickle, and only the items and results cross the process
boundary. Where fork is unavailable, or the work is too small to pay for the processes, the items are
processed here in order. Results always come back in the order of the items.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items per worker, starting processes costs more than it saves.
MIN_ITEMS_PER_JOB = 64

_TASK: Callable[[Any], Any] | None = None  # set before forking; the workers inherit it


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count, where known)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def one_blas_thread() -> None:
    """Make this worker process's BLAS run on one thread. Every worker's BLAS otherwise starts a thread
    per core, so N workers on N cores run N x N busy threads (what that cost indexing:
    benchmarks/results/crosslingual.md). Dask workers get the same from Dask's own worker environment."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # stays set: the limiter is never exited


def _run_one(item: Any) -> Any:
    assert _TASK is not None, "parallel_imap worker started without a task"
    return _TASK(item)


def parallel_map(func: Callable[[T], R], items: Sequence[T], jobs: int = 0, chunk: int = 32) -> list[R]:
    """``[func(item) for item in items]`` on ``jobs`` forked processes (0: every available core)."""
    jobs = min(jobs or available_cores(), len(items) // MIN_ITEMS_PER_JOB)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [func(item) for item in items]
    # Only index ranges cross to the workers, which read the items from their forked copy: pickling
    # a str also caches its UTF-8 form inside the parent's object, for as long as the text lives
    # (every text kept for the ranker would be held twice).
    bounds = [(lo, min(lo + chunk, len(items))) for lo in range(0, len(items), chunk)]
    return [result for part in parallel_imap(_range_task(func, items), bounds, jobs) for result in part]


def _range_task(func: Callable[[T], R], items: Sequence[T]) -> Callable[[tuple[int, int]], list[R]]:
    return lambda bounds: [func(item) for item in items[bounds[0] : bounds[1]]]


def parallel_imap(func: Callable[[T], R], items: Iterable[T], jobs: int = 0) -> Iterator[R]:
    """``func(item)`` for each item, in order, on ``jobs`` forked processes (0: every core), reading
    ``items`` lazily: at most two items per worker are in flight, so a stream of large items (groups
    of texts) is never held whole. With one job, or without fork, everything runs here."""
    global _TASK
    jobs = jobs or available_cores()
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(func, items)
        return
    _TASK = func
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=one_blas_thread) as pool:
            pending: deque[Future[R]] = deque()
            for item in items:
                pending.append(pool.submit(_run_one, item))
                if len(pending) >= 2 * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        _TASK = None
