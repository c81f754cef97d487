"""How often ``foreign_language`` calls a document foreign, per corpus (prints figures; reads ../shared).

Usage: python benchmarks/foreign_language.py [--data DIR]

Every document of the UN-language corpora (unsc-en, eurlex-en, abo-en, unga-sdg, csl-zh, the seed,
parallel-un in six languages) should be called a UN-language document, and every version of the
multieurlex-smoke acts in a language other than English, French and Spanish should be called foreign.
Prints, per corpus: documents, called foreign, wrong, and the mean time per document (detection only).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from pathlib import Path

from unbis.analysis.factory import UN_LANGUAGES
from unbis.analysis.langdetect import foreign_language

UN_CORPORA = ("unsc-en", "eurlex-en/train", "eurlex-en/validation", "abo-en/train", "unga-sdg/train",
              "csl-zh/dev", "seed", "parallel-un")


def documents(data: Path) -> Iterator[tuple[str, str, bool]]:
    """(corpus, text, truly foreign) for every document."""
    for corpus in UN_CORPORA:
        for path in sorted((data / corpus).rglob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            yield corpus, text.split("\n", 1)[-1] if text.startswith("%%%") else text, False
    for split in ("train", "dev", "test"):
        with open(data / "multieurlex-smoke" / f"{split}.jsonl", encoding="utf-8") as f:
            for line in f:
                for lang, text in json.loads(line)["text"].items():
                    if text:
                        yield "multieurlex-smoke", text, lang not in UN_LANGUAGES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = ap.parse_args()
    foreign_language("warm up " * 100)  # the model's loading is not detection
    table: dict[str, list[float]] = {}
    for corpus, text, truth in documents(args.data):
        start = time.perf_counter()
        found = foreign_language(text)
        row = table.setdefault(corpus, [0, 0, 0, 0.0, 0])
        row[0] += 1
        row[1] += found is not None
        row[2] += (found is not None) != truth
        row[3] += time.perf_counter() - start
        row[4] += truth
    print(f"{'corpus':<22} {'docs':>6} {'foreign':>8} {'truly':>6} {'wrong':>6} {'ms/doc':>7}")
    for corpus, (n, flagged, wrong, seconds, truly) in table.items():
        print(f"{corpus:<22} {n:>6} {flagged:>8} {truly:>6} {wrong:>6} {seconds / n * 1000:>7.2f}")


if __name__ == "__main__":
    main()
