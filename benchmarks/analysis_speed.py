"""Analysis speed: our English analyzer vs Annif's ``snowball(english)`` on the same texts, one run.

Needs Annif in its own venv (``bash benchmarks/setup_annif.sh``). Annif runs as a subprocess in that venv;
each side times only the analysis (no interpreter start, imports or file reading), on a fresh analyzer
(cold caches) and then a second pass over the same texts (warm caches).

    python benchmarks/analysis_speed.py [--corpus DIR] [--limit N] [--annif-python PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "eurlex-en" / "train"
DEFAULT_ANNIF_PYTHON = REPO / ".venv-annif" / "bin" / "python"

# Runs inside Annif's venv: reads the texts (JSON list) from argv[1], prints timings and token counts.
ANNIF_SCRIPT = r"""
import json, sys, time
import annif.analyzer
texts = json.load(open(sys.argv[1], encoding="utf-8"))
analyzer = annif.analyzer.get_analyzer("snowball(english)")
out = {}
for run in ("cold", "warm"):
    t0 = time.perf_counter()
    n = 0
    for text in texts:
        n += len(analyzer.tokenize_words(text))
    out[run] = {"seconds": time.perf_counter() - t0, "tokens": n}
print(json.dumps(out))
"""


def read_texts(corpus: Path, limit: int | None) -> list[str]:
    """Document texts of a corpus in the project's input format, without the ``%%%`` label line."""
    paths = sorted(corpus.glob("*.txt"))[:limit]
    if not paths:
        sys.exit(f"analysis_speed: no *.txt files in {corpus}")
    texts = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if text.startswith("%%%"):
            text = text.split("\n", 1)[1] if "\n" in text else ""
        texts.append(text.lstrip("\n"))
    return texts


def time_ours(texts: list[str], method: str) -> dict[str, dict[str, float]]:
    """Cold (fresh analyzer) and warm passes of ``SnowballAnalyzer("en").<method>`` over ``texts``."""
    from unbis.analysis.snowball import SnowballAnalyzer

    analyzer = SnowballAnalyzer("en")  # not get_analyzer(): a fresh instance, so the first pass is cold
    fn = getattr(analyzer, method)
    out = {}
    for run in ("cold", "warm"):
        t0 = time.perf_counter()
        n = 0
        for text in texts:
            n += len(fn(text))
        out[run] = {"seconds": time.perf_counter() - t0, "tokens": n}
    return out


def time_annif(texts: list[str], annif_python: Path) -> dict[str, dict[str, float]]:
    """Run Annif's analyzer over ``texts`` in its own venv and return its timings."""
    if not annif_python.exists():
        sys.exit(f"analysis_speed: {annif_python} not found; run: bash benchmarks/setup_annif.sh")
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as tmp:
        json.dump(texts, tmp)
    try:
        proc = subprocess.run(
            [str(annif_python), "-c", ANNIF_SCRIPT, tmp.name], capture_output=True, text=True, check=False
        )
    finally:
        Path(tmp.name).unlink()
    if proc.returncode != 0:
        sys.exit(f"analysis_speed: Annif subprocess failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
    parser.add_argument("--annif-python", type=Path, default=DEFAULT_ANNIF_PYTHON)
    args = parser.parse_args()

    texts = read_texts(args.corpus, args.limit)
    n_docs = len(texts)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {args.corpus} ({n_docs} docs, {megabytes:.1f} MB of text)")

    results = {
        "unbis terms()": time_ours(texts, "terms"),
        "unbis tokens()": time_ours(texts, "tokens"),
        "annif snowball(english)": time_annif(texts, args.annif_python),
    }
    annif = results["annif snowball(english)"]
    print(f"{'analyzer':<26}{'pass':<6}{'seconds':>9}{'docs/s':>10}{'MB/s':>8}{'tokens':>12}{'x annif':>9}")
    for name, runs in results.items():
        for run, r in runs.items():
            secs = r["seconds"]
            ratio = annif[run]["seconds"] / secs
            print(
                f"{name:<26}{run:<6}{secs:>9.2f}{n_docs / secs:>10.1f}{megabytes / secs:>8.2f}"
                f"{int(r['tokens']):>12}{ratio:>9.1f}"
            )
    print(
        "note: token counts differ because we drop stop words and keep 2-letter words and letter-digit "
        "words, while Annif keeps stop words and drops words shorter than 3 characters."
    )


if __name__ == "__main__":
    main()
