"""Passage embeddings of documents, computed once per process for a given text.

The ensemble scores the same training texts with several members and, for members it refits per fold,
several times; embedding is the expensive step (tens of passages per second per core), so each
document's passage embeddings are kept in a bounded least-recently-used cache keyed by the text's hash
and everything that shapes the passages.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from unbis.embedding.base import Embedder
from unbis.embedding.passages import split_passages

#: passage rows kept (512-dimensional float32: 32,768 rows are 64 MiB)
MAX_ROWS = 32_768

_cache: OrderedDict[tuple[str, str, int, int], np.ndarray] = OrderedDict()
_rows = 0
_lock = threading.Lock()


def passage_embeddings(
    embedder: Embedder, texts: Sequence[str], chars: int, max_passages: int,
) -> list[np.ndarray]:
    """For each text, its passages' embeddings as a (passages, dim) float32 array (0 rows for an empty
    text). Texts already embedded with the same settings are not embedded again."""
    keys = [(embedder.version, hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest(), chars, max_passages)
            for t in texts]
    found: dict[int, np.ndarray] = {}
    with _lock:
        for i, key in enumerate(keys):
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
                found[i] = hit
    todo: dict[tuple[str, str, int, int], int] = {}
    for i, key in enumerate(keys):
        if i not in found:
            todo.setdefault(key, i)
    if todo:
        passages = {key: split_passages(texts[i], chars, max_passages) for key, i in todo.items()}
        flat = [p for ps in passages.values() for p in ps]
        vectors = embedder.embed(flat)
        lo = 0
        new: dict[tuple[str, str, int, int], np.ndarray] = {}
        for key, ps in passages.items():
            new[key] = vectors[lo : lo + len(ps)].copy()  # a view would keep the whole batch alive
            lo += len(ps)
        _store(new)
        for i, key in enumerate(keys):
            if i not in found:
                found[i] = new[key]
    return [found[i] for i in range(len(texts))]


def _store(new: dict[tuple[str, str, int, int], np.ndarray]) -> None:
    global _rows
    with _lock:
        for key, rows in new.items():
            if key in _cache or rows.shape[0] > MAX_ROWS:
                continue
            _cache[key] = rows
            _rows += rows.shape[0]
        while _rows > MAX_ROWS and _cache:
            _, old = _cache.popitem(last=False)
            _rows -= old.shape[0]


def clear() -> None:
    """Forget every cached embedding."""
    global _rows
    with _lock:
        _cache.clear()
        _rows = 0
