"""Deterministic k-fold splits of an input-format corpus directory, as folders of symlinks.

    python benchmarks/folds.py ../shared/data/csl-zh/dev runs/csl-folds --k 2
    -> runs/csl-folds/fold0/{train,test}/..., runs/csl-folds/fold1/...

Assignment is by a hash of the file name, so it is stable whatever the machine or file order.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path


def fold_of(name: str, k: int) -> int:
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % k


def make_folds(source: Path, out: Path, k: int) -> list[Path]:
    files = sorted(p for p in source.rglob("*.txt") if p.is_file())
    folds = []
    for i in range(k):
        fold = out / f"fold{i}"
        for part in ("train", "test"):
            (fold / part).mkdir(parents=True, exist_ok=True)
        for f in files:
            part = "test" if fold_of(f.name, k) == i else "train"
            link = fold / part / f.name
            if not link.exists():
                os.symlink(f.resolve(), link)
        folds.append(fold)
    return folds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    for fold in make_folds(args.source, args.out, args.k):
        print(fold, len(list((fold / "train").iterdir())), len(list((fold / "test").iterdir())))


if __name__ == "__main__":
    main()
