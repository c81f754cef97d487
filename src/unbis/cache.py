"""A start-up cache of derived arrays: built once, then memory-mapped by every later process.

Some state the CLI needs on every run is cheap to keep but slow to derive (the language identifier's
model is LZMA-compressed; the bundled thesaurus's label automaton is compiled from 50,000 labels). It is
written here on first use as plain ``.npy`` files (never pickle) in a directory named by a hash of its
inputs, so a changed input gives a new entry and a stale one is never read. Writes are atomic (a staging
directory, then a rename); a cache that cannot be written or read is skipped, never an error: the
caller builds the state as it would without a cache.

The directory is ``$UNBIS_CACHE_DIR``, else ``$XDG_CACHE_HOME/unbis``, else ``~/.cache/unbis``;
``UNBIS_CACHE_DIR=off`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger("unbis.cache")

ENV_CACHE = "UNBIS_CACHE_DIR"
#: Bump when the layout of any cached entry changes (old entries are then simply not found).
CACHE_FORMAT = 1
META = "meta.json"


def cache_dir() -> Path | None:
    """The cache root, or None when the cache is turned off."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return None if env.strip().lower() in {"off", "0", "none"} else Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "unbis"


def content_key(*parts: str | bytes) -> str:
    """A short hash of the inputs an entry is derived from."""
    h = hashlib.sha256(f"format {CACHE_FORMAT}".encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:20]


def file_key(path: Path) -> str:
    """The content hash of one file (its bytes, so a reinstall with the same model keeps the entry)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cached_arrays(
    name: str, key: str, build: Callable[[], tuple[Mapping[str, np.ndarray], dict[str, Any]]],
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and JSON metadata of entry ``name``/``key``: memory-mapped from the cache when there,
    else ``build()`` (then stored for the next process). Arrays read from the cache are read-only."""
    root = cache_dir()
    entry = None if root is None else root / f"{name}-{key}"
    if entry is not None and (entry / META).is_file():
        try:
            return _read(entry)
        except (OSError, ValueError, KeyError) as exc:  # damaged entry: rebuild it
            logger.warning("cache entry %s unreadable (%s); rebuilding", entry, exc)
            shutil.rmtree(entry, ignore_errors=True)
    arrays, meta = build()
    if entry is not None:
        try:
            _write(entry, arrays, meta)
        except OSError as exc:
            logger.info("cache %s not written: %s", entry, exc)
    return dict(arrays), meta


def _read(entry: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    meta = json.loads((entry / META).read_text("utf-8"))
    if meta.get("cache_format") != CACHE_FORMAT:
        raise ValueError(f"cache format {meta.get('cache_format')}")
    arrays = {n: np.load(entry / f"{n}.npy", mmap_mode="r", allow_pickle=False) for n in meta["arrays"]}
    return arrays, meta["meta"]


def _write(entry: Path, arrays: Mapping[str, np.ndarray], meta: dict[str, Any]) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = entry.parent / f".{entry.name}.{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for n, arr in arrays.items():
            np.save(staging / f"{n}.npy", np.ascontiguousarray(arr), allow_pickle=False)
        (staging / META).write_text(json.dumps({"cache_format": CACHE_FORMAT, "arrays": list(arrays),
                                                "meta": meta}), "utf-8")
        try:
            os.rename(staging, entry)
        except OSError:
            if not (entry / META).is_file():  # another process may have won the race: theirs is as good
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
