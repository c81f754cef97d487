"""Throughput of the bundled default over unsc-en, for paired whole-process timing (reads ../shared).

Usage: python benchmarks/bundled_speed.py [DIR]   -- loads the bundled project, suggests the top 10 for
every document in batches of 32, prints the number of suggestions. Time it as a whole process, paired
against another checkout (e.g. ``/usr/bin/time -v`` in turn, A B A B ...), and quote the ratio.
"""

from __future__ import annotations

import sys
from pathlib import Path

from unbis.corpus.readers import read_documents
from unbis.project import default_project

DATA = Path("/work/shared/data")


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA / "unsc-en"
    docs = [d.text for d in read_documents([folder], None, labelled=False)]
    project = default_project()
    n = 0
    for i in range(0, len(docs), 32):
        n += sum(len(row) for row in project.suggest(docs[i:i + 32], limit=10))
    print(n)


if __name__ == "__main__":
    main()
