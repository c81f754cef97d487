"""Speed of the thesaurus matcher (prints figures; reads /work/shared/data).

Usage: python benchmarks/matcher_speed.py [--annif] [--docs N]

- load: bundled UNBIS vocabulary + zero-shot matcher, and the first suggestion (compiles one language)
- throughput: eurlex-en validation documents per second, 1 process and 2 processes (spawned workers), trained matcher
- --annif: Annif's MLLM trained on eurlex-en train in the same run (needs benchmarks/setup_annif.sh), its
  training time and suggest throughput on validation, and our/Annif ratios
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import scipy.sparse as sp

from unbis.backends.base import Context
from unbis.backends.matcher.backend import MatcherBackend
from unbis.corpus.readers import read_documents
from unbis.vocab.loaders import load_vocabulary
from unbis.vocab.unbis import load_unbis

DATA = Path("/work/shared/data")
ANNIF = Path(__file__).resolve().parent.parent / ".venv-annif" / "bin" / "annif"
_WORKER: MatcherBackend | None = None


def load_time() -> dict[str, float]:
    started = time.perf_counter()
    vocab = load_unbis(fresh=True)
    vocab_s = time.perf_counter() - started
    matcher = MatcherBackend(Context(vocab, "auto")).fit([])
    ready_s = time.perf_counter() - started
    matcher.suggest_batch(["The General Assembly reaffirms the importance of sustainable development."])
    first_en = time.perf_counter() - started
    matcher.suggest_batch(["大会 重申 可持续发展 的 重要性"])
    first_zh = time.perf_counter() - started - first_en
    return {"vocab_s": round(vocab_s, 2), "matcher_ready_s": round(ready_s, 2),
            "first_suggest_en_total_s": round(first_en, 2), "compile_zh_s": round(first_zh, 2)}


def _load_worker(model_dir: str, vocab_file: str, params: dict[str, object]) -> None:
    global _WORKER
    vocab = load_vocabulary(Path(vocab_file), language="en")
    _WORKER = MatcherBackend.load(Path(model_dir), Context(vocab, "en"), params)
    _WORKER.suggest_batch(["warm up: compile the labels"])


def _suggest_chunk(texts: list[str]) -> sp.csr_matrix:
    assert _WORKER is not None
    return _WORKER.suggest_batch(texts)


def throughput(model: MatcherBackend, texts: list[str], processes: int, vocab_file: Path) -> float:
    """Documents per second. Workers are spawned (LightGBM's OpenMP is not fork-safe) and load the
    saved model before the clock starts, as a server's workers would."""
    if processes == 1:
        model.suggest_batch(texts[:1])  # compile labels first
        started = time.perf_counter()
        model.suggest_batch(texts)
        return len(texts) / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as model_dir:
        model.save(Path(model_dir))
        ctx = mp.get_context("spawn")
        with ctx.Pool(processes, _load_worker, (model_dir, str(vocab_file), model.params_dict())) as pool:
            pool.map(_suggest_chunk, [[t] for t in texts[:processes]])  # wait until workers are ready
            chunks = [texts[i :: processes * 4] for i in range(processes * 4)]
            started = time.perf_counter()
            pool.map(_suggest_chunk, chunks)
            return len(texts) / (time.perf_counter() - started)


def annif_mllm(train_dir: Path, valid_dir: Path, vocab_file: Path) -> dict[str, float]:
    """Train Annif's MLLM on eurlex-en train and time its suggestions for the validation texts."""
    work = Path(tempfile.mkdtemp(prefix="annif-mllm-"))
    try:
        for split, src in (("train", train_dir), ("valid", valid_dir)):
            out = work / split
            out.mkdir()
            for path in sorted(src.glob("*.txt")):
                first, _blank, text = path.read_text("utf-8", errors="replace").split("\n", 2)
                (out / path.name).write_text(text, "utf-8")
                labels = [label for label in first[3:].split("|") if label]
                (out / (path.stem + ".key")).write_text("\n".join(labels) + "\n", "utf-8")
        (work / "projects.cfg").write_text(
            "[mllm-en]\nname=MLLM\nlanguage=en\nbackend=mllm\nanalyzer=snowball(english)\nvocab=eurovoc\n"
            "limit=100\n", "utf-8")
        env = {**os.environ, "ANNIF_PROJECTS": str(work / "projects.cfg")}
        run = lambda *args: subprocess.run([str(ANNIF), *args], cwd=work, env=env, check=True,  # noqa: E731
                                           capture_output=True, text=True)
        run("load-vocab", "--language", "en", "eurovoc", str(vocab_file))
        started = time.perf_counter()
        run("train", "mllm-en", str(work / "train"))
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        result = run("eval", "mllm-en", str(work / "valid"))
        eval_s = time.perf_counter() - started
        n_valid = len(list((work / "valid").glob("*.txt")))
        metrics = {line.split(":")[0].strip(): line.split(":")[-1].strip()
                   for line in result.stdout.splitlines() if ":" in line}
        return {"train_s": round(train_s, 1), "eval_docs_per_s": round(n_valid / eval_s, 1),
                "F1@5": float(metrics.get("F1@5", "nan")), "NDCG": float(metrics.get("NDCG", "nan")),
                "Precision@1": float(metrics.get("Precision@1", "nan"))}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--annif", action="store_true")
    parser.add_argument("--docs", type=int, default=0, help="validation documents to time (0: all)")
    args = parser.parse_args()
    print(json.dumps({"load": load_time()}))

    vocab_file = DATA / "eurlex-en/eurovoc-vocab.tsv"
    vocab = load_vocabulary(vocab_file, language="en")
    train = list(read_documents(DATA / "eurlex-en/train", vocab, on_unknown="skip", language="en"))
    texts = [d.text for d in read_documents(DATA / "eurlex-en/validation", vocab, on_unknown="skip", language="en")]
    texts = texts[: args.docs] if args.docs else texts
    started = time.perf_counter()
    model = MatcherBackend(Context(vocab, "en")).fit(train)
    train_s = time.perf_counter() - started
    ours = {"train_s": round(train_s, 1), "docs": len(texts),
            "mean_kb": round(sum(map(len, texts)) / len(texts) / 1000, 1),
            "docs_per_s_1proc": round(throughput(model, texts, 1, vocab_file), 1),
            "docs_per_s_2proc": round(throughput(model, texts, 2, vocab_file), 1)}
    print(json.dumps({"matcher": ours}))
    if args.annif:
        if not ANNIF.exists():
            print(json.dumps({"annif": "not installed: run bash benchmarks/setup_annif.sh"}))
            return
        mllm = annif_mllm(DATA / "eurlex-en/train", DATA / "eurlex-en/validation", vocab_file)
        ratio = {"speed_ratio_2proc": round(ours["docs_per_s_2proc"] / mllm["eval_docs_per_s"], 2),
                 "train_ratio": round(mllm["train_s"] / max(ours["train_s"], 1e-9), 2)}
        print(json.dumps({"annif_mllm": mllm, "ours_vs_annif": ratio}))


if __name__ == "__main__":
    main()
