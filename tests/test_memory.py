"""Freed heap memory goes back to the operating system (glibc), so peak RSS is not held by texts
that training no longer reads."""

from __future__ import annotations

import pytest

from unbis.memory import _libc, release_freed_memory


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(_libc() is None, reason="the C library has no malloc_trim (not glibc)")
def test_freed_texts_leave_the_resident_set() -> None:
    # 3,000 texts of 80 KB (UCS-2), each below glibc's mmap threshold, so they live in the heap, with
    # objects that stay between them as in a real run: the heap cannot simply shrink from its top.
    texts, kept = [], []
    for i in range(3_000):
        texts.append(f"{i:06d} " + "résolution " * 3_600)
        kept.append(f"{i:06d} " * 100)
    held = _rss_mib()
    del texts
    assert release_freed_memory()
    released = held - _rss_mib()
    assert released > 100, f"only {released:.0f} MiB of ~230 MiB of freed texts left the resident set"
    assert len(kept) == 3_000
