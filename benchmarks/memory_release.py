"""How much of the memory of freed document texts leaves the resident set after ``release_freed_memory``.

3,000 texts of 80 KB (UCS-2), each below glibc's mmap threshold so they live in the heap, interleaved with
objects that stay, as in a real training run: the heap cannot simply shrink from its top. Prints the
resident set before and after freeing them, with and without the trim.

    python benchmarks/memory_release.py
"""

from __future__ import annotations

import gc

from unbis.memory import _libc, release_freed_memory


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc/self/status")


def main() -> None:
    if _libc() is None:
        raise SystemExit("the C library has no malloc_trim (not glibc): nothing to measure")
    texts, kept = [], []
    for i in range(3_000):
        texts.append(f"{i:06d} " + "r\u00e9solution " * 3_600)
        kept.append(f"{i:06d} " * 100)
    held = rss_mib()
    del texts
    gc.collect()
    freed_only = rss_mib()
    release_freed_memory()
    trimmed = rss_mib()
    print(f"resident with the texts: {held:.0f} MiB")
    print(f"after del + gc:          {freed_only:.0f} MiB (-{held - freed_only:.0f})")
    print(f"after malloc_trim:       {trimmed:.0f} MiB (-{held - trimmed:.0f} in all; {len(kept)} objects kept)")


if __name__ == "__main__":
    main()
