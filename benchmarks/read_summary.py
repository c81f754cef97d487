"""The read/skip summary of every corpus in ../shared/data (labels kept raw: no vocabulary needed).

    python benchmarks/read_summary.py [DATA_DIR]
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from unbis.corpus import ReadReport, read_documents

CORPORA = [
    ("seed", True), ("eurlex-en/train", True), ("eurlex-en/validation", True), ("abo-en/train", True),
    ("csl-zh/dev", True), ("unga-sdg/train", True), ("unsc-en", False),
]


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data"
    for rel, labelled in CORPORA:
        report = ReadReport()
        started = time.perf_counter()
        labels = sum(len(d.labels) for d in read_documents([data / rel], None, report=report, labelled=labelled))
        seconds = time.perf_counter() - started
        print(f"{rel:<22} labelled={labelled!s:<5} {labels:>6} labels  {seconds:5.2f} s  {report.summary()}")


if __name__ == "__main__":
    main()
