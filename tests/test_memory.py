"""Freed heap memory can be given back to the operating system (glibc's ``malloc_trim``). How many MiB
leave the resident set is a figure, measured by benchmarks/memory_release.py, not asserted here."""

from __future__ import annotations

import pytest

from unbis.memory import _libc, release_freed_memory


@pytest.mark.skipif(_libc() is None, reason="the C library has no malloc_trim (not glibc)")
def test_release_freed_memory_trims_on_glibc() -> None:
    assert _libc() is not None and hasattr(_libc(), "malloc_trim")
    assert release_freed_memory() is True


@pytest.mark.skipif(_libc() is not None, reason="only where the C library has no malloc_trim")
def test_release_freed_memory_says_when_it_cannot() -> None:
    assert release_freed_memory() is False
