"""Atomic, versioned project saves: write a new version directory, then swap a symlink.

Durable as well as atomic: every file of a version is fsynced before the staging directory is renamed,
and each directory an entry is created or renamed in (``versions/``, the project directory holding
``current``) is fsynced after the rename, so after a crash or power loss ``current`` names either the
previous version or a whole new one, never a version whose files or directory entry were still in the
page cache. (A rename alone is atomic for running processes, not for the disk.)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

CURRENT = "current"
VERSIONS = "versions"


@contextlib.contextmanager
def new_version(project_dir: Path) -> Iterator[Path]:
    """Yield a fresh directory to write a model into; publish it only if the block succeeds.

    A crash or Ctrl-C inside the block leaves the previous version in place (the staging
    directory is removed, or at worst left behind under ``versions/`` unreferenced).
    """
    versions = project_dir / VERSIONS
    if not versions.is_dir():
        versions.mkdir(parents=True, exist_ok=True)
        _fsync_dir(project_dir)
    version_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    staging = versions / f".staging-{version_id}"
    staging.mkdir()
    try:
        yield staging
        _fsync_tree(staging)
        final = versions / version_id
        os.rename(staging, final)
        _fsync_dir(versions)  # the rename itself reaches the disk before `current` points at it
        publish(project_dir, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune_old(project_dir, keep=2)


def derive_version(project_dir: Path, replace: dict[str, str]) -> Path:
    """Publish a new version that is the current one with the files in ``replace`` (name -> text) changed.

    Published versions are never written into: a server that loaded one keeps a consistent model, and
    notices the change because ``current`` moves. Unchanged files are hard links (a model may be hundreds
    of MB), which is safe because nothing rewrites a file of a published version in place; replaced files
    are new files. Returns the new version directory.
    """
    source = current_version(project_dir)
    if source is None:
        raise FileNotFoundError(f"{project_dir}: no current version to derive from")
    with new_version(project_dir) as staging:
        for path in sorted(source.rglob("*")):
            target = staging / path.relative_to(source)
            if path.is_dir():
                target.mkdir(exist_ok=True)
            elif str(path.relative_to(source)) not in replace:
                try:
                    os.link(path, target)
                except OSError:  # another file system, or no hard links: copy
                    shutil.copy2(path, target)
        for name, text in replace.items():
            (staging / name).write_text(text, encoding="utf-8")
    return current_version(project_dir)  # type: ignore[return-value]


def publish(project_dir: Path, version_dir: Path) -> None:
    """Point ``current`` at ``version_dir`` atomically (rename of a symlink over another)."""
    link = project_dir / CURRENT
    tmp_link = project_dir / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(version_dir, project_dir), tmp_link)
    os.replace(tmp_link, link)
    _fsync_dir(project_dir)


def current_version(project_dir: Path) -> Path | None:
    link = project_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def _prune_old(project_dir: Path, keep: int) -> None:
    """Keep the newest ``keep`` versions (the current one always) so a rollback stays possible."""
    current = current_version(project_dir)
    versions = sorted(
        (p for p in (project_dir / VERSIONS).iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    for old in versions[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    # Unreferenced staging directories of runs that were killed (SIGKILL leaves them behind).
    for stale in (project_dir / VERSIONS).glob(".staging-*"):
        if stale.is_dir() and time.time() - stale.stat().st_mtime > 24 * 3600:
            shutil.rmtree(stale, ignore_errors=True)


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(root)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text_atomic(path: Path, text: str) -> None:
    """Replace a small file atomically (write beside it, then rename)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
