"""Crash-safe, resumable appends: the output, the errors file and a progress journal beside them.

Each batch is committed in three steps: its output bytes are appended with one ``os.write`` and
fsynced, then its error lines, then one journal line ``{"out": size, "err": size, "done": [sources]}``.
The journal line is the commit point. On restart the journal's last complete line says how long the
output and errors files must be: anything after that (a batch written but not committed, or a partial
write after a power loss) is cut off, and the documents it lists are skipped. So an interrupted run
(Ctrl-C, kill -9) loses at most the batches in flight and never leaves a half line or half record.

The journal's first line records the run's settings; resuming with other settings is refused
(``--force`` starts over), so one output never mixes two models or two limits.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from unbis.errors import InputError

JOURNAL_SUFFIX = ".progress"
JOURNAL_VERSION = 1


def journal_path(out: Path) -> Path:
    return out.with_name(out.name + JOURNAL_SUFFIX)


def _append(fd: int, data: bytes) -> None:
    """Write all of ``data`` at the end of the file and make it durable before returning."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
    os.fsync(fd)


def _open_append(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


def _truncate(path: Path, size: int) -> None:
    with path.open("r+b") as fh:
        fh.truncate(size)
        fh.flush()
        os.fsync(fh.fileno())


class Journal:
    """The three append-only files of one indexing run; ``done`` holds every committed source."""

    def __init__(self, out: Path, errors: Path, settings: dict[str, Any], force: bool = False) -> None:
        self.out = out
        self.errors = errors
        self.path = journal_path(out)
        self.settings = {"unbis_index": JOURNAL_VERSION, **settings}
        self.done: set[str] = set()
        self.resumed = False
        if force:
            for path in (out, errors, self.path):
                path.unlink(missing_ok=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        errors.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._recover()
        else:
            self._start()
        self._out_fd = _open_append(out)
        self._err_fd = _open_append(errors)
        self._journal_fd = _open_append(self.path)

    # -- starting and resuming -----------------------------------------------------------------
    def _start(self) -> None:
        for path in (self.out, self.errors):
            if path.exists() and path.stat().st_size > 0:
                raise InputError(
                    f"{path} exists and has no progress journal {self.path.name} (not written by an "
                    "interrupted `unbis index` run); use --force to overwrite it"
                )
        self.out.write_bytes(b"")
        self.errors.write_bytes(b"")
        with self.path.open("wb") as fh:
            fh.write(json.dumps(self.settings, sort_keys=True).encode("utf-8") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _recover(self) -> None:
        """Read the committed state, check the settings, and cut every file back to its last commit."""
        data = self.path.read_bytes()
        good = 0  # bytes of the journal made of complete, valid lines
        lines = data.split(b"\n")[:-1]  # the piece after the last newline is partial by definition
        out_size = err_size = 0
        for lineno, raw in enumerate(lines, start=1):
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError:
                break  # a torn line: everything after it is uncommitted
            if lineno == 1:
                self._check_settings(entry)
            else:
                out_size, err_size = int(entry["out"]), int(entry["err"])
                self.done.update(entry["done"])
            good += len(raw) + 1
        if good == 0:
            raise InputError(f"{self.path}: not a progress journal of `unbis index`; use --force to start over")
        for path, size in ((self.out, out_size), (self.errors, err_size)):
            actual = path.stat().st_size if path.exists() else -1
            if actual < size:
                raise InputError(
                    f"{path}: shorter ({max(actual, 0)} bytes) than the journal {self.path.name} records "
                    f"({size} bytes): it was changed or replaced; use --force to redo the run"
                )
            if actual > size:
                _truncate(path, size)
        if good < len(data):
            _truncate(self.path, good)
        self.resumed = True

    def _check_settings(self, recorded: dict[str, Any]) -> None:
        if recorded.get("unbis_index") != JOURNAL_VERSION:
            raise InputError(f"{self.path}: not a progress journal of this `unbis index`; use --force")
        changed = [k for k in self.settings if recorded.get(k) != self.settings[k]]
        if changed:
            detail = ", ".join(f"{k}: {recorded.get(k)!r} -> {self.settings[k]!r}" for k in changed)
            raise InputError(
                f"{self.out}: an earlier run with other settings ({detail}) wrote it; rerun with the same "
                "settings to continue, or use --force to redo it"
            )

    # -- committing ----------------------------------------------------------------------------
    def commit(self, output: bytes, errors: bytes, sources: Iterable[str]) -> None:
        """Append one batch durably; after this returns, a crash cannot lose or repeat it."""
        keys = list(sources)
        if output:
            _append(self._out_fd, output)
        if errors:
            _append(self._err_fd, errors)
        entry = {"out": os.fstat(self._out_fd).st_size, "err": os.fstat(self._err_fd).st_size, "done": keys}
        _append(self._journal_fd, json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
        self.done.update(keys)

    def close(self) -> None:
        for fd in (self._out_fd, self._err_fd, self._journal_fd):
            os.close(fd)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
