"""Ours vs Annif, side by side on this machine: quality, train seconds, suggestions/s, peak RSS.

    python benchmarks/annif_compare.py [--datasets eurlex-en,csl-zh,abo-en,unga-sdg] [--out benchmarks/results]
        [--data /work/shared/data] [--jobs 2] [--skip-annif]

Annif is installed from PyPI into its own venv by ``benchmarks/setup_annif.sh`` (reused when present).
Offline, Annif's NLTK tokenizer lacks its ``punkt_tab`` data: setup_annif.sh creates four EMPTY files
(collocations.tab sent_starters.txt abbrev_types.txt ortho_context.tab) in
``~/nltk_data/tokenizers/punkt_tab/english/``, which is enough for word tokenisation.

Annif projects (``snowball(english)``; Chinese text is given to Annif as is, ``simple`` analyzer):
tfidf, omikuji Bonsai, mllm and an ensemble of the three. eurlex-en trains on ``train`` and evaluates
on ``validation``; the others use 5-fold cross-validation (same folds for both systems). Each train
and eval runs under ``/usr/bin/time -v`` for its peak RSS. Writes ``results.md``, ``results.json`` and
``results.png`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
ANNIF_VENV = Path(os.environ.get("ANNIF_VENV", REPO / ".venv-annif"))
DATASETS: dict[str, dict[str, Any]] = {
    "eurlex-en": {"vocab": "eurlex-en/eurovoc-vocab.tsv", "train": "eurlex-en/train",
                  "test": "eurlex-en/validation", "lang": "en"},
    "csl-zh": {"vocab": "csl-zh/csl-vocab.tsv", "train": "csl-zh/dev", "lang": "zh", "folds": 5},
    "abo-en": {"vocab": "abo-en/yso-en.tsv", "train": "abo-en/train", "lang": "en", "folds": 5},
    "unga-sdg": {"vocab": None, "train": "unga-sdg/train", "lang": "en", "folds": 5},
}
ANNIF_PROJECTS = """
[tfidf]
name=tfidf
language={lang}
backend=tfidf
analyzer={analyzer}
vocab=v
limit=100

[bonsai]
name=bonsai
language={lang}
backend=omikuji
analyzer={analyzer}
vocab=v
cluster_balanced=False
cluster_k=100
max_depth=3
limit=100

[mllm]
name=mllm
language={lang}
backend=mllm
analyzer={analyzer}
vocab=v
limit=100

[ensemble]
name=ensemble
language={lang}
backend=ensemble
sources=tfidf,bonsai,mllm
vocab=v
limit=100
"""


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[str, float, float]:
    """Run ``cmd`` under /usr/bin/time -v: (stdout, wall seconds, peak RSS MiB)."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env, cwd=cwd)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return proc.stdout, seconds, (int(rss.group(1)) / 1024 if rss else float("nan"))


def read_corpus(directory: Path) -> list[tuple[str, list[str], str]]:
    """(name, labels, text) of each document in the project's input format."""
    out = []
    for path in sorted(directory.glob("*.txt")):
        raw = path.read_bytes().replace(b"\x00", b"").decode("utf-8", "replace")
        first, _, text = raw.partition("\n")
        labels = [x.strip() for x in first.removeprefix("%%%").split("|") if x.strip()]
        if labels:
            out.append((path.stem, labels, text.strip()))
    return out


def write_split(docs: list[tuple[str, list[str], str]], directory: Path, uris: dict[str, str]) -> None:
    """Our input format (one .txt per document) and Annif's full-text format (.txt + .key) side by side."""
    (directory / "ours").mkdir(parents=True)
    (directory / "annif").mkdir(parents=True)
    for name, labels, text in docs:
        known = [lab for lab in labels if lab in uris]
        (directory / "ours" / f"{name}.txt").write_text("%%%" + "|".join(known) + "|\n\n" + text, "utf-8")
        (directory / "annif" / f"{name}.txt").write_text(text, "utf-8")
        (directory / "annif" / f"{name}.key").write_text(
            "".join(f"<{uris[lab]}>\t{lab}\n" for lab in known), "utf-8")


def vocab_for(spec: dict[str, Any], data: Path, docs: list[tuple[str, list[str], str]], work: Path) -> Path:
    if spec["vocab"]:
        return data / spec["vocab"]
    labels = sorted({lab for _, labs, _ in docs for lab in labs})
    path = work / "vocab.tsv"
    path.write_text("".join(f"<http://example.org/label/{i}>\t{lab}\n" for i, lab in enumerate(labels)), "utf-8")
    return path


def load_uris(vocab: Path) -> dict[str, str]:
    uris = {}
    for line in vocab.read_text("utf-8").splitlines():
        if "\t" in line:
            uri, label = line.split("\t")[:2]
            uris[label.strip()] = uri.strip().strip("<>")
    return uris


def run_annif(split: Path, vocab: Path, lang: str, jobs: int) -> dict[str, Any]:
    analyzer = "snowball(english)" if lang == "en" else "simple"
    home = split / "annif-home"
    home.mkdir()
    (home / "projects.cfg").write_text(ANNIF_PROJECTS.format(lang=lang, analyzer=analyzer), "utf-8")
    env = {**os.environ, "ANNIF_PROJECTS": str(home / "projects.cfg")}
    annif = str(ANNIF_VENV / "bin" / "annif")
    timed([annif, "load-vocab", "--language", lang, "v", str(vocab)], env, home)
    train_s = 0.0
    rss = 0.0
    for project in ("tfidf", "bonsai", "mllm"):
        _, s, r = timed([annif, "train", "-j", str(jobs), project, str(split / "train" / "annif")], env, home)
        train_s += s
        rss = max(rss, r)
    out, eval_s, r = timed([annif, "eval", "-j", str(jobs), "--metric", "F1@5", "--metric", "NDCG",
                            "--metric", "Precision@1", "ensemble", str(split / "test" / "annif")], env, home)
    rss = max(rss, r)
    metrics = {m.group(1).strip(): float(m.group(2)) for m in re.finditer(r"^([^:\n]+):\s+([0-9.]+)\s*$", out, re.M)}
    n_test = len(list((split / "test" / "annif").glob("*.txt")))
    return {"f1@5": metrics.get("F1@5"), "ndcg": metrics.get("NDCG"), "p@1": metrics.get("Precision@1"),
            "train_seconds": train_s, "docs_per_second": n_test / eval_s, "peak_rss_mib": rss}


def run_ours(split: Path, vocab: Path, lang: str) -> dict[str, Any]:
    out, _, rss = timed([sys.executable, str(REPO / "benchmarks" / "ours_eval.py"), "--vocab", str(vocab),
                         "--train", str(split / "train" / "ours"), "--test", str(split / "test" / "ours"),
                         "--language", lang, "--backend", "ensemble"])
    res = json.loads(out.strip().splitlines()[-1])
    return {"f1@5": res["f1@5"], "ndcg": res["ndcg"], "p@1": res["p@1"], "train_seconds": res["train_seconds"],
            "docs_per_second": res["docs_per_second"], "peak_rss_mib": rss}


def mean_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out = {k: float(np.mean([r[k] for r in runs if r[k] is not None])) for k in runs[0]}
    out["train_seconds"] = float(np.mean([r["train_seconds"] for r in runs]))
    out["peak_rss_mib"] = float(max(r["peak_rss_mib"] for r in runs))
    return out


def run_dataset(name: str, data: Path, work: Path, jobs: int, skip_annif: bool) -> dict[str, Any]:
    spec = DATASETS[name]
    docs = read_corpus(data / spec["train"])
    vocab = vocab_for(spec, data, docs, work)
    uris = load_uris(vocab)
    if "test" in spec:
        splits = [(docs, read_corpus(data / spec["test"]))]
    else:
        fold_of = np.random.default_rng(42).permutation(len(docs)) % spec["folds"]
        splits = [([d for d, f in zip(docs, fold_of, strict=True) if f != k],
                   [d for d, f in zip(docs, fold_of, strict=True) if f == k]) for k in range(spec["folds"])]
    ours, annif = [], []
    for k, (train, test) in enumerate(splits):
        split = work / f"split{k}"
        write_split(train, split / "train", uris)
        write_split(test, split / "test", uris)
        ours.append(run_ours(split, vocab, spec["lang"]))
        if not skip_annif:
            annif.append(run_annif(split, vocab, spec["lang"], jobs))
        shutil.rmtree(split)
    return {"ours": mean_runs(ours), "annif": mean_runs(annif) if annif else None, "splits": len(splits)}


def markdown(results: dict[str, Any]) -> str:
    lines = ["| dataset | system | F1@5 | nDCG | P@1 | train s | suggestions/s | peak RSS MiB |",
             "|---|---|---|---|---|---|---|---|"]
    for name, res in results.items():
        for system in ("ours", "annif"):
            r = res[system]
            if r is None:
                continue
            label = "unbis ensemble" if system == "ours" else "Annif ensemble (tfidf+bonsai+mllm)"
            lines.append(f"| {name} | {label} | {r['f1@5']:.3f} | {r['ndcg']:.3f} | {r['p@1']:.3f} | "
                         f"{r['train_seconds']:.1f} | {r['docs_per_second']:.1f} | {r['peak_rss_mib']:.0f} |")
    return "\n".join(lines) + "\n"


def chart(results: dict[str, Any], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no chart", file=sys.stderr)
        return
    names = list(results)
    fig, axes = plt.subplots(1, 4, figsize=(16, 4))
    for ax, key, title in zip(axes, ("f1@5", "ndcg", "train_seconds", "docs_per_second"),
                              ("F1@5", "nDCG", "train seconds", "suggestions / s"), strict=True):
        xs = np.arange(len(names))
        for off, system in ((-0.2, "ours"), (0.2, "annif")):
            vals = [(results[n][system] or {}).get(key, 0) or 0 for n in names]
            ax.bar(xs + off, vals, width=0.4, label="unbis" if system == "ours" else "Annif")
        ax.set_xticks(xs, names, rotation=20)
        ax.set_title(title)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-annif", action="store_true")
    args = ap.parse_args()
    if not args.skip_annif:
        subprocess.run(["bash", str(REPO / "benchmarks" / "setup_annif.sh")], check=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in args.datasets.split(","):
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            results[name] = run_dataset(name, Path(args.data), Path(tmp), args.jobs, args.skip_annif)
        print(name, json.dumps(results[name]), flush=True)
    (out / "results.json").write_text(json.dumps(results, indent=1), "utf-8")
    (out / "results.md").write_text(markdown(results), "utf-8")
    chart(results, out / "results.png")
    print(markdown(results))


if __name__ == "__main__":
    main()
