"""Re-create the samples in this folder from /work/shared/data (run by hand; tests never run it).

    python tests/data/corpus/export_samples.py /work/shared/data
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent


def smallest(folder: Path, n: int) -> list[Path]:
    """The ``n`` smallest files (ties by name), so the samples stay small but real."""
    return sorted(folder.glob("*.txt"), key=lambda p: (p.stat().st_size, p.name))[:n]


def labels_of(files: list[Path]) -> set[str]:
    out: set[str] = set()
    for f in files:
        header = f.read_text(encoding="utf-8-sig").split("\n", 1)[0]
        out.update(p.strip() for p in header[3:].split("|") if p.strip())
    return out


def subset_vocab(source: Path, labels: set[str], target: Path) -> None:
    """Keep the ``<uri>\\tlabel`` lines whose label a sample document uses."""
    lines = [line for line in source.read_text(encoding="utf-8").splitlines()
             if line.partition("\t")[2].strip() in labels]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def copy(files: list[Path], target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copyfile(f, target / f.name)


def main(data: Path) -> None:
    copy(sorted((data / "seed").glob("*.txt")), HERE / "seed")
    train = smallest(data / "eurlex-en/train", 30)
    validation = smallest(data / "eurlex-en/validation", 10)
    copy(train, HERE / "eurlex-en/train")
    copy(validation, HERE / "eurlex-en/validation")
    subset_vocab(data / "eurlex-en/eurovoc-vocab.tsv", labels_of(train + validation),
                 HERE / "eurlex-en/eurovoc-vocab.tsv")
    csl = sorted((data / "csl-zh/dev").glob("*.txt"))[:40]
    copy(csl, HERE / "csl-zh/dev")
    subset_vocab(data / "csl-zh/csl-vocab.tsv", labels_of(csl), HERE / "csl-zh/csl-vocab.tsv")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
