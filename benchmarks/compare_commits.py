"""Do two commits suggest the same? Trains and indexes the same data with each and counts differing documents.

    python benchmarks/compare_commits.py BASE HEAD [--data ../shared/data] [--work runs/compare]
        [--cases eurlex,csl,samples,unsc]

For each commit a detached worktree is checked out under ``--work`` and run with this venv's Python and
``PYTHONPATH`` pointing at the worktree's ``src`` (so both sides use the same libraries). The cases:

* ``eurlex``: the default pipeline trained on eurlex-en/train (EuroVoc, English), applied to validation;
* ``csl``: the default pipeline trained on fold 0 of a 5-fold split of csl-zh/dev, applied to its test part;
* ``samples``: the bundled zero-shot default on samples/;
* ``unsc``: the bundled zero-shot default on the 902 Security Council resolutions of unsc-en.

Each document's suggestions are written at full float precision (the top ``--top`` of
``Project.suggest_matrix``, in batches of 32 as the service uses). Two documents are the same when they have
the same subjects in the same order and every score agrees to ``--tolerance`` (1e-6). Prints, per case, the
documents compared and the number that differ (with the first few differences).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Writes ``{"document": name, "ids": [...], "scores": [...]}`` per line for a project (or the bundled one).
DRIVER = r"""
import json, sys
from pathlib import Path
import numpy as np
from unbis.corpus.readers import read_documents
from unbis.project import Project, default_project

project_dir, out, top, *inputs = sys.argv[1:]
project = default_project() if project_dir == "-" else Project.load(Path(project_dir))
docs = list(read_documents([Path(p) for p in inputs], None, labelled=False))
with open(out, "w", encoding="utf-8") as fh:
    for start in range(0, len(docs), 32):
        batch = docs[start:start + 32]
        m = project.suggest_matrix([d.text for d in batch]).tocsr()
        for i, doc in enumerate(batch):
            lo, hi = m.indptr[i], m.indptr[i + 1]
            ids, scores = m.indices[lo:hi], m.data[lo:hi]
            order = np.lexsort((ids, -scores))[: int(top)]
            fh.write(json.dumps({"document": doc.name, "ids": ids[order].tolist(),
                                 "scores": [float(s) for s in scores[order]]}) + "\n")
"""


def _run(cmd: list[str], src: Path, log: Path, made: Path | None = None) -> None:
    """Run ``cmd`` against the worktree ``src``, unless it already made ``made`` (a commit's outputs do
    not change, so a rerun compares against the ones written before)."""
    if made is not None and made.exists():
        return
    env = {**os.environ, "PYTHONPATH": str(src)}
    with log.open("a", encoding="utf-8") as fh:
        fh.write("$ " + " ".join(cmd) + "\n")
        fh.flush()
        subprocess.run(cmd, env=env, check=True, stdout=fh, stderr=subprocess.STDOUT)


def _unbis(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from unbis.cli.main import run; sys.argv[0] = 'unbis'; run()", *args]


def _folds(source: Path, out: Path) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from folds import make_folds

    return make_folds(source, out, 5)[0]


def run_commit(commit: str, data: Path, work: Path, cases: list[str], top: int) -> Path:
    """Check ``commit`` out under ``work`` and write each case's suggestions to ``work/<commit>/<case>.jsonl``."""
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", commit], check=True, capture_output=True,
                         text=True).stdout.strip()
    tree = work / f"tree-{sha[:10]}"
    out = work / sha[:10]
    out.mkdir(parents=True, exist_ok=True)
    if not tree.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), sha], check=True,
                       capture_output=True)
    src, log = tree / "src", out / "log.txt"
    driver = [sys.executable, "-c", DRIVER]
    if "eurlex" in cases:
        project = out / "eurlex"
        _run(_unbis("train", str(project), str(data / "eurlex-en/train"), "--vocab",
                    str(data / "eurlex-en/eurovoc-vocab.tsv"), "--language", "en"), src, log, out / "eurlex.jsonl")
        _run(driver + [str(project), str(out / "eurlex.jsonl"), str(top), str(data / "eurlex-en/validation")],
             src, log, out / "eurlex.jsonl")
    if "csl" in cases:
        fold = _folds(data / "csl-zh/dev", work / "csl-folds")
        project = out / "csl"
        _run(_unbis("train", str(project), str(fold / "train"), "--vocab", str(data / "csl-zh/csl-vocab.tsv"),
                    "--language", "zh"), src, log, out / "csl.jsonl")
        _run(driver + [str(project), str(out / "csl.jsonl"), str(top), str(fold / "test")], src, log, out / "csl.jsonl")
    if "samples" in cases:
        _run(driver + ["-", str(out / "samples.jsonl"), str(top), str(REPO / "samples")], src, log,
             out / "samples.jsonl")
    if "unsc" in cases:
        _run(driver + ["-", str(out / "unsc.jsonl"), str(top), str(data / "unsc-en")], src, log, out / "unsc.jsonl")
    return out


def _read(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {r["document"]: r for r in rows}


def differing(a: Path, b: Path, tolerance: float) -> tuple[int, list[str]]:
    """Documents compared and the names of those whose suggestions differ (missing on one side counts)."""
    left, right = _read(a), _read(b)
    names = sorted(set(left) | set(right))
    diff = []
    for name in names:
        x, y = left.get(name), right.get(name)
        if x is None or y is None or x["ids"] != y["ids"] or any(
                abs(s - t) > tolerance for s, t in zip(x["scores"], y["scores"], strict=True)):
            diff.append(name)
    return len(names), diff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base")
    parser.add_argument("head")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--work", type=Path, default=REPO / "runs" / "compare")
    parser.add_argument("--cases", default="eurlex,csl,samples,unsc")
    parser.add_argument("--top", type=int, default=100, help="suggestions compared per document")
    parser.add_argument("--tolerance", type=float, default=1e-6)
    args = parser.parse_args()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    work = args.work.resolve()
    outs = [run_commit(c, args.data.resolve(), work, cases, args.top) for c in (args.base, args.head)]
    total = 0
    for case in cases:
        n, diff = differing(outs[0] / f"{case}.jsonl", outs[1] / f"{case}.jsonl", args.tolerance)
        total += len(diff)
        more = f" (e.g. {', '.join(diff[:3])})" if diff else ""
        print(f"{case}: {n} documents, {len(diff)} differ{more}")
    print(f"documents that differ: {total}")


if __name__ == "__main__":
    main()
