"""Shipping a project: one version as a self-contained ``.tar.gz``, and importing it safely.

Layout of an archive (members in this order)::

    unbis-archive.json          what it holds: project, version, format, and every file's size and SHA-256
    version/manifest.json       the model's own manifest (format version, backend, vocabulary hash, ...)
    version/project.json, version/vocab.json.gz, version/model/..., version/label_counts.npz, ...

The archive's manifest comes first so an importer can refuse an incompatible or oversized archive
before reading anything else. Import never trusts the tar headers: only regular files listed in the
manifest, under ``version/``, with plain relative names, are accepted (no links, devices, absolute
paths or ``..``); each is streamed into a staging directory while its bytes are counted and hashed,
and must match the manifest's size and SHA-256; the total is capped (archive bombs). The staged
project is then loaded as a real project would be (manifest and vocabulary checks) and only then
moved into place with one rename and published with the atomic ``current`` swap. Anything wrong
leaves ``PROJECTS_DIR`` as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from unbis.cache import file_key
from unbis.errors import IncompatibleModelError, InputError, NotFittedError, NotFoundError
from unbis.project.atomic import VERSIONS, current_version, publish
from unbis.project.manifest import FORMAT_VERSION, MANIFEST, Manifest

ARCHIVE_MANIFEST = "unbis-archive.json"
ARCHIVE_FORMAT = 1
PREFIX = "version"
#: the most bytes an archive may unpack to (its manifest says how many before anything is read)
MAX_UNPACKED = 8 * 1024**3
MAX_FILES = 10_000
#: room for tar headers beyond the files' own bytes
HEADER_SLACK = 64 * 1024 * 1024
_MAX_MANIFEST = 4 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}$")


@dataclass(frozen=True)
class Imported:
    """Where an archive went: the project directory and the version it now serves."""

    project_dir: Path
    name: str
    version: str
    files: int
    bytes: int




def export_project(project_dir: Path, out: Path) -> dict[str, Any]:
    """Write the current version of ``project_dir`` to ``out`` (a ``.tar.gz``, written atomically);
    returns the archive manifest."""
    if not project_dir.is_dir():
        raise NotFoundError(f"no project at {project_dir}")
    version = current_version(project_dir)
    if version is None:
        raise NotFittedError(f"{project_dir}: the project has no trained model; run `unbis train` first")
    manifest = Manifest.load(version)  # refuses a model this unbis cannot read: never ship one
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(version.rglob("*")):
        if path.is_symlink():
            raise InputError(f"{path}: a symbolic link inside a model version; cannot export it")
        if path.is_file():
            rel = path.relative_to(version).as_posix()
            files[rel] = {"size": path.stat().st_size, "sha256": file_key(path)}
    from unbis import __version__

    meta = {
        "archive_format": ARCHIVE_FORMAT, "project": project_dir.resolve().name, "version": version.name,
        "format_version": manifest.format_version, "package_version": __version__, "backend": manifest.backend,
        "language": manifest.language, "vocab_hash": manifest.vocab_hash, "created": manifest.created,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "files": files,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with tarfile.open(tmp, "w:gz") as tar:
            data = json.dumps(meta, indent=1, ensure_ascii=False).encode("utf-8")
            info = tarfile.TarInfo(ARCHIVE_MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
            tar.addfile(info, io.BytesIO(data))
            # the model's manifest next, then the rest in a stable order
            for rel in sorted(files, key=lambda r: (r != MANIFEST, r)):
                src = version / rel
                info = tarfile.TarInfo(f"{PREFIX}/{rel}")
                info.size, info.mtime, info.mode = files[rel]["size"], int(src.stat().st_mtime), 0o644
                with open(src, "rb") as fh:
                    tar.addfile(info, fh)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return meta


def _refuse(archive: Path, why: str) -> InputError:
    return InputError(f"{archive}: refused: {why}; nothing was imported")


def _check_meta(archive: Path, meta: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(meta, dict) or meta.get("archive_format") != ARCHIVE_FORMAT:
        got = meta.get("archive_format") if isinstance(meta, dict) else None
        raise _refuse(archive, f"archive format {got!r}, this unbis reads format {ARCHIVE_FORMAT}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise IncompatibleModelError(
            f"{archive}: refused: the model is of format {meta.get('format_version')} (written by unbis "
            f"{meta.get('package_version')}), this unbis reads format {FORMAT_VERSION}; retrain the project "
            "or import it with a matching unbis; nothing was imported")
    files = meta.get("files")
    if not isinstance(files, dict) or MANIFEST not in files:
        raise _refuse(archive, "its manifest lists no model manifest")
    if len(files) > MAX_FILES:
        raise _refuse(archive, f"{len(files)} files (at most {MAX_FILES})")
    total = 0
    for rel, entry in files.items():
        parts = PurePosixPath(rel).parts
        if not parts or rel != PurePosixPath(*parts).as_posix() or not all(_PART.match(p) for p in parts):
            raise _refuse(archive, f"unsafe file name {rel!r} in its manifest")
        if not (isinstance(entry, dict) and isinstance(entry.get("size"), int) and entry["size"] >= 0
                and isinstance(entry.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])):
            raise _refuse(archive, f"malformed manifest entry for {rel!r}")
        total += entry["size"]
    if total > MAX_UNPACKED:
        raise _refuse(archive, f"it unpacks to {total} bytes (at most {MAX_UNPACKED})")
    return files


def import_project(archive: Path, projects_dir: Path, name: str | None = None) -> Imported:
    """Import ``archive`` (from :func:`export_project`) as project ``name`` (default: its own) under
    ``projects_dir``; an existing project of that name gains the version and serves it. Refuses
    (``InputError`` / ``IncompatibleModelError``) an altered, incompatible or unsafe archive, leaving
    ``projects_dir`` unchanged."""
    from unbis.project.project import Project

    if not archive.is_file():
        raise NotFoundError(f"{archive}: no such archive")
    projects_dir.mkdir(parents=True, exist_ok=True)
    staging_root = Path(tempfile.mkdtemp(prefix=".import-", dir=projects_dir))
    try:
        try:
            # Stream mode over a bounded, decompressing reader: tar headers (pax records included) and
            # contents together can never make us decompress more than the cap.
            bounded = _Bounded(gzip.open(archive, "rb"), MAX_UNPACKED + HEADER_SLACK, archive)  # noqa: SIM115
        except OSError as exc:
            raise _refuse(archive, f"not readable ({exc})") from exc
        try:
            tar = tarfile.open(fileobj=bounded, mode="r|")  # noqa: SIM115 - closed by the `with` below
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            bounded.close()
            raise _refuse(archive, f"not a gzipped tar archive ({exc})") from exc
        with bounded, tar:
            meta, files, seen = None, {}, set()
            try:
                for member in _members(tar, archive):
                    if meta is None:
                        if member.name != ARCHIVE_MANIFEST or not member.isfile() or member.size > _MAX_MANIFEST:
                            raise _refuse(archive, f"its first member must be {ARCHIVE_MANIFEST}")
                        raw = tar.extractfile(member)
                        try:
                            meta = json.loads(raw.read() if raw else b"")
                        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                            raise _refuse(archive, f"unreadable {ARCHIVE_MANIFEST} ({exc})") from exc
                        files = _check_meta(archive, meta)
                        pname = name or meta.get("project", "")
                        if not isinstance(pname, str) or not _NAME.match(pname):
                            raise _refuse(archive, f"project name {pname!r} is not a plain directory name")
                        vname = meta.get("version", "")
                        if not isinstance(vname, str) or not _NAME.match(vname):
                            raise _refuse(archive, f"version {vname!r} is not a plain directory name")
                        target = staging_root / pname / VERSIONS / vname
                        target.mkdir(parents=True)
                        continue
                    rel = _relative(member, archive)
                    if rel not in files or rel in seen:
                        raise _refuse(archive, f"{member.name!r} is not listed in its manifest (or repeated)")
                    if not member.isfile() or member.issparse():
                        raise _refuse(archive, f"{member.name!r} is not a regular file (links are not accepted)")
                    if member.size != files[rel]["size"]:
                        raise _refuse(archive, f"{rel}: {member.size} bytes, its manifest says {files[rel]['size']}")
                    seen.add(rel)
                    _copy_checked(tar, member, target / rel, files[rel], archive, rel)
            except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
                raise _refuse(archive, f"damaged archive ({exc})") from exc
        if meta is None:
            raise _refuse(archive, f"empty archive (no {ARCHIVE_MANIFEST})")
        missing = sorted(set(files) - seen)
        if missing:
            raise _refuse(archive, f"files listed in its manifest are missing: {', '.join(missing[:5])}")
        staged = staging_root / pname
        publish(staged, target)
        try:
            Project.load(staged)  # the checks a server makes: manifest, vocabulary hash, backend state
        except (IncompatibleModelError, NotFittedError) as exc:
            raise _refuse(archive, f"the model does not load ({exc})") from exc
        final = projects_dir / pname
        if final.exists():
            if current_version(final) is None and not (final / VERSIONS).is_dir():
                raise _refuse(archive, f"{final} exists and is not a project")
            if (final / VERSIONS / vname).exists():
                raise _refuse(archive, f"{final} already has version {vname}")
            (final / VERSIONS).mkdir(exist_ok=True)
            os.rename(target, final / VERSIONS / vname)
            publish(final, final / VERSIONS / vname)
        else:
            os.rename(staged, final)  # its relative `current` link moves with it: visible at once, whole
        size = sum(int(e["size"]) for e in files.values())
        return Imported(final, pname, vname, len(files), size)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)


class _Bounded(io.RawIOBase):
    """A read-only stream that refuses to deliver more than ``limit`` bytes."""

    def __init__(self, raw: Any, limit: int, archive: Path) -> None:
        self.raw, self.limit, self.archive, self.seen = raw, limit, archive, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or self.seen + size > self.limit:
            size = self.limit - self.seen + 1  # one byte over tells a real overflow from an exact fit
        data: bytes = self.raw.read(size)
        self.seen += len(data)
        if self.seen > self.limit:
            raise _refuse(self.archive, f"it unpacks to more than {self.limit} bytes")
        return data

    def close(self) -> None:
        self.raw.close()
        super().close()


def _members(tar: tarfile.TarFile, archive: Path) -> Any:
    """The members one at a time (``tar.next``), so a huge or endless member list is never loaded whole."""
    count = 0
    while (member := tar.next()) is not None:
        count += 1
        if count > MAX_FILES + 1:
            raise _refuse(archive, f"more than {MAX_FILES} members")
        if member.isdir():
            continue
        yield member


def _relative(member: tarfile.TarInfo, archive: Path) -> str:
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 or path.parts[0] != PREFIX:
        raise _refuse(archive, f"unsafe member name {member.name!r}")
    return PurePosixPath(*path.parts[1:]).as_posix()


def _copy_checked(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path, entry: dict[str, Any],
                  archive: Path, rel: str) -> None:
    src = tar.extractfile(member)
    if src is None:
        raise _refuse(archive, f"{rel}: unreadable member")
    dest.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    written = 0
    with open(dest, "xb") as out:
        while block := src.read(1 << 20):
            written += len(block)
            if written > entry["size"]:
                raise _refuse(archive, f"{rel}: more bytes than its manifest says")
            h.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    if written != entry["size"] or h.hexdigest() != entry["sha256"]:
        raise _refuse(archive, f"{rel}: checksum mismatch (the archive was altered or damaged)")
