"""Build the bundled UNBIS vocabulary ``src/unbis/data/unbis.json.gz`` from the scraped sources.

Usage: python scripts/build_unbis_vocab.py [SOURCE_DIR] [--out PATH]

SOURCE_DIR (default /work/shared/data/unbis) holds ``unbis-topics.json`` and ``categories/``. The GPL
alternative-label list is deliberately not used: load it at run time with ``add_alt_labels``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from unbis.vocab.subject_index import Vocabulary
from unbis.vocab.unbis import UNBIS_LANGUAGES, build_unbis

DEFAULT_SOURCE = Path("/work/shared/data/unbis")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "unbis" / "data" / "unbis.json.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    vocab, report = build_unbis(args.source)
    tmp = args.out.with_name(args.out.name + ".tmp")
    vocab.save(tmp)
    os.replace(tmp, args.out)  # atomic: a reader never sees half a file

    start = time.perf_counter()
    reloaded = Vocabulary.load(args.out)
    load_s = time.perf_counter() - start
    assert reloaded.content_hash() == vocab.content_hash()

    per_lang = {lang: sum(1 for c in vocab.concepts if lang in c.labels) for lang in UNBIS_LANGUAGES}
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB), load {load_s * 1000:.0f} ms")
    print(f"descriptors {report.descriptors}, domains {report.domains}, "
          f"micro-thesauri {report.micro_thesauri}, related links {report.related_links}")
    print("labels per language: " + ", ".join(f"{k} {v}" for k, v in per_lang.items()))
    print(f"content hash {vocab.content_hash()}")
    print(f"without micro-thesaurus ({len(report.without_group)}): {' '.join(report.without_group)}")
    for ident, missing in report.incomplete_languages.items():
        print(f"{ident} lacks labels in {', '.join(missing)}")
    for note in report.notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
