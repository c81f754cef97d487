"""Giving freed memory back to the operating system.

CPython frees small and medium objects (strings of a few KB to ~100 KB, such as document texts) into
the C library's heap, which keeps their pages: the process's resident size, which is what machine
limits and our benchmarks see, stays at its high-water mark while later large arrays are mapped
anew. glibc's ``malloc_trim`` returns the free pages (Dask's workers do the same)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_freed_memory() -> bool:
    """Collect garbage and return the heap's free pages to the system; False where the C library
    has no ``malloc_trim`` (not glibc), where this does nothing."""
    gc.collect()
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
