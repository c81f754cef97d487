"""``unbis index`` at scale: stream documents, suggest in parallel, append resumably, count everything."""

from __future__ import annotations

import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from unbis.batch.executors import DaskExecutor, Executor, InlineExecutor, PoolExecutor, available_cores
from unbis.batch.journal import Journal
from unbis.batch.outputs import ENCODERS, OUTPUT_FORMATS, OutputFormat, encode_errors, source_code_for
from unbis.batch.results import DocResult, ErrorRecord, Item
from unbis.batch.workers import ProjectRef
from unbis.corpus.formats import DOC_SUFFIXES
from unbis.corpus.readers import detect_format, read_documents
from unbis.corpus.report import ReadReport
from unbis.errors import InputError
from unbis.project import Project

DEFAULT_BATCH_SIZE = 64
ERRORS_SUFFIX = ".errors"
SUGGEST_FAILED = "suggest failed"
Progress = Callable[[int], None]


@dataclass
class IndexSummary:
    """How a run ended; ``line()`` is what the CLI prints last."""

    out: Path
    errors: Path
    written: int = 0  # documents indexed in this run
    failed: int = 0  # documents that could not be indexed in this run (in the errors file)
    already_done: int = 0  # documents skipped because an earlier run committed them
    seconds: float = 0.0
    resumed: bool = False
    report: ReadReport = field(default_factory=ReadReport)

    @property
    def rate(self) -> float:
        return self.written / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        text = f"indexed {self.written}, failed {self.failed}"
        if self.resumed:
            text += f", already done {self.already_done} (resumed)"
        text += f" in {self.seconds:.1f} s ({self.rate:.1f} docs/s) -> {self.out}"
        if self.failed:
            text += f"; errors in {self.errors}"
        return text


class _RecordingReport(ReadReport):
    """A read report that also keeps every skipped document, for the errors file."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[ErrorRecord] = []

    def skip(self, reason: str, location: str, message: str) -> None:
        super().skip(reason, location, message)
        name = location.rsplit("/", 1)[-1].split(":", 1)[0]
        self.pending.append(ErrorRecord(name, location, reason, message))

    def take(self) -> list[ErrorRecord]:
        taken, self.pending = self.pending, []
        return taken


class _CtrlC:
    """Turns the first Ctrl-C into a request checked between batches, so the interruption never lands
    inside the worker pool's own bookkeeping (which can then hang); a second Ctrl-C interrupts at once."""

    def __init__(self) -> None:
        self.requested = False
        self.previous: object = None

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt

    def __enter__(self) -> _CtrlC:
        # Only Python's own handler is replaced: an ignored SIGINT or an application's handler stays.
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)  # type: ignore[arg-type]


def errors_path_for(out: Path) -> Path:
    return out.with_name(out.name + ERRORS_SUFFIX)


def count_documents(inputs: Sequence[Path]) -> int | None:
    """The number of documents to expect (for the ETA), cheaply: files in directories, lines in
    uncompressed TSV/JSONL files; None when it cannot be told without reading compressed data."""
    total = 0
    for path in inputs:
        if path.is_dir():
            total += sum(
                1 for p in path.rglob("*")
                if p.name.endswith(DOC_SUFFIXES) and not any(s.startswith(".") for s in p.relative_to(path).parts)
                and p.is_file()
            )
        elif detect_format(path) in ("tsv", "jsonl"):
            if path.name.endswith(".gz"):
                return None
            with path.open("rb") as fh:
                total += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
        else:
            total += 1
    return total


def make_executor(
    project: Project, jobs: int, limit: int, threshold: float | None, dask: str | None
) -> Executor:
    if dask:
        return DaskExecutor(dask, ProjectRef.of(project), limit, threshold, jobs=jobs)
    if jobs <= 1:
        return InlineExecutor(project, limit, threshold)
    return PoolExecutor(project, jobs, limit, threshold)


def _items(docs: Iterator, done: set[str], summary: IndexSummary) -> Iterator[Item]:
    for doc in docs:
        if doc.source in done:
            summary.already_done += 1
            continue
        yield Item(doc.source, doc.name, doc.text)


def run_index(
    project: Project,
    inputs: Sequence[Path],
    out: Path,
    *,
    fmt: OutputFormat = "jsonl",
    limit: int | None = None,
    threshold: float | None = None,
    jobs: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    force: bool = False,
    errors: Path | None = None,
    dask: str | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    total: int | None = None,
) -> IndexSummary:
    """Index every document under ``inputs`` into ``out`` (resumably: rerun the same call to continue).

    ``jobs``: worker processes (default: all cores; 1 runs in this process). ``dask``: a scheduler
    address or ``"local"``. ``executor`` overrides both (tests, a custom cluster). Failed documents go to
    ``errors`` (default ``out + ".errors"``) as JSON lines. ``total`` (from ``count_documents``): a
    job of at most one batch runs in this process, as starting workers would cost more than it saves.
    Ctrl-C drops the batches in flight; everything committed stays, and the same call continues.
    """
    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"unknown output format {fmt!r}; choose one of {', '.join(OUTPUT_FORMATS)}")
    # The project's stored settings (``unbis optimize``) when the caller gives none; recorded resolved in
    # the journal, so a resumed run never mixes two limits.
    limit = project.config.limit if limit is None else limit
    threshold = project.config.threshold if threshold is None else threshold
    if batch_size < 1 or limit < 1:
        raise InputError(f"batch size and limit must be >= 1 (got {batch_size}, {limit})")
    errors = errors or errors_path_for(out)
    report = _RecordingReport()
    docs = read_documents(inputs, None, labelled=False, report=report)  # checks the paths now
    settings = {"format": fmt, "limit": limit, "threshold": threshold,
                "project": ProjectRef.of(project).path, "version": project.version}
    summary = IndexSummary(out, errors, report=report)
    started = time.perf_counter()
    with Journal(out, errors, settings, force=force) as journal, _CtrlC() as ctrl_c:
        summary.resumed = journal.resumed
        n_jobs = 1 if total is not None and total <= batch_size and not dask else jobs or available_cores()
        ex = executor or make_executor(project, n_jobs, limit, threshold, dask)
        encode = ENCODERS[fmt]
        source_code = source_code_for(project.vocab.name)

        def commit(results: list[DocResult], skipped: list[ErrorRecord]) -> None:
            good = [r for r in results if r.error is None]
            failures = [ErrorRecord(r.name, r.source, SUGGEST_FAILED, r.error or "") for r in results if r.error]
            failures += [s for s in skipped if s.source not in journal.done]
            journal.commit(encode(good, source_code), encode_errors(failures),
                           [r.source for r in results] + [s.source for s in skipped])
            summary.written += len(good)
            summary.failed += len(failures)
            if progress:
                progress(len(results))

        in_flight: deque[tuple[object, list[ErrorRecord]]] = deque()
        cancelled = True
        try:
            batch: list[Item] = []
            for item in _items(docs, journal.done, summary):
                batch.append(item)
                if len(batch) == batch_size:
                    ctrl_c.check()
                    in_flight.append((ex.submit(batch), report.take()))
                    batch = []
                    while len(in_flight) > ex.window:
                        future, skipped = in_flight.popleft()
                        commit(future.result(), skipped)  # type: ignore[attr-defined]
                        ctrl_c.check()
            if batch:
                in_flight.append((ex.submit(batch), report.take()))
            while in_flight:
                future, skipped = in_flight.popleft()
                commit(future.result(), skipped)  # type: ignore[attr-defined]
                ctrl_c.check()
            if report.pending:  # skipped files after the last document
                commit([], report.take())
            cancelled = False
        finally:
            summary.seconds = time.perf_counter() - started
            ex.close(cancel=cancelled)
    return summary
