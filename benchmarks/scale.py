"""Cost at scale: train the default pipeline on 10k/50k/200k-document corpora, measure seconds and peak
RSS, then indexing throughput; print the figures, save them as JSON and draw the cost curve as a PNG.

    python benchmarks/scale.py --data ../shared/data --sizes 10000 50000 200000
    python benchmarks/scale.py --data ../shared/data --sizes 200000 --index-only   # indexing again only

TIMING-ONLY CORPORA. The corpora are built from the real English texts in the development data
(EUR-Lex acts, Security Council resolutions, theses, UNGA paragraphs), cut into ~5 KB documents; each
takes the label set of a real EUR-Lex act, with each EuroVoc label resampled onto one of three UNBIS
descriptors, so label counts per document and label frequencies follow the real distributions while
reaching ~7,000 distinct labels. The labels mean nothing: never use these corpora to measure quality.

Each training and indexing run is a child process: its wall time and peak RSS (VmHWM) are its own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TARGET_BYTES = 5000
SPLITS_PER_LABEL = 3  # each real label spreads over 3 UNBIS descriptors: ~2,300 x 3 = ~7,000 labels
MARKER = "TIMING-ONLY"


# -- building the timing corpora ---------------------------------------------------------------
def _body(path: Path) -> tuple[list[str], str]:
    """(labels, text) of one input-format file; unlabelled files give no labels."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.startswith("%%%"):
        header, _, text = text.partition("\n")
        return [p.strip() for p in header[3:].split("|") if p.strip()], text
    return [], text


def load_sources(data: Path) -> tuple[list[tuple[list[str], str]], list[str]]:
    """Labelled bases (EUR-Lex) and a pool of real English paragraphs (all English corpora)."""
    bases: list[tuple[list[str], str]] = []
    pool: list[str] = []
    for sub in ("eurlex-en/train", "eurlex-en/validation", "unsc-en", "abo-en/train", "unga-sdg/train"):
        for path in sorted((data / sub).glob("*.txt")):
            labels, text = _body(path)
            if labels and sub.startswith("eurlex"):
                bases.append((labels, text))
            pool.extend(p.strip() for p in text.split("\n\n") if len(p.strip()) > 80)
    if not bases or not pool:
        raise SystemExit(f"{data}: no EUR-Lex documents found; pass --data pointing at the development data")
    return bases, pool


def synthetic_documents(data: Path, n: int, seed: int) -> Iterator[tuple[str, list[str]]]:
    """``n`` (text, UNBIS URIs) pairs: a ~5 KB window of a real act, topped up with real paragraphs."""
    from unbis.vocab.loaders import load_unbis

    rng = random.Random(seed)
    bases, pool = load_sources(data)
    vocab = load_unbis()
    uris = [vocab.uri(i) for i in range(len(vocab))]
    labels = sorted({label for base_labels, _ in bases for label in base_labels})
    shuffled = rng.sample(uris, len(uris))
    # A fixed mapping: real label i -> 3 UNBIS descriptors (wrapping if the thesaurus is smaller).
    mapping = {lab: [shuffled[(SPLITS_PER_LABEL * i + k) % len(shuffled)] for k in range(SPLITS_PER_LABEL)]
               for i, lab in enumerate(labels)}
    for _ in range(n):
        base_labels, text = bases[rng.randrange(len(bases))]
        start = rng.randrange(max(1, len(text) - TARGET_BYTES))
        parts = [text[start:start + TARGET_BYTES]]
        size = len(parts[0])
        while size < TARGET_BYTES:
            para = pool[rng.randrange(len(pool))]
            parts.append(para)
            size += len(para)
        subjects = sorted({rng.choice(mapping[lab]) for lab in base_labels})
        yield "\n\n".join(parts)[: TARGET_BYTES + 500], subjects


def build_corpus(data: Path, work: Path, n: int) -> Path:
    """A JSON Lines training corpus of ``n`` documents (cached by size)."""
    path = work / f"{MARKER}-train-{n}.jsonl"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for text, subjects in synthetic_documents(data, n, seed=n):
            fh.write(json.dumps({"text": text, "subjects": [{"uri": u} for u in subjects]}) + "\n")
    tmp.rename(path)
    return path


def build_index_docs(data: Path, work: Path, n: int) -> Path:
    """``n`` unlabelled ~5 KB documents, one .txt file each, for indexing throughput."""
    folder = work / f"{MARKER}-index-{n}"
    if folder.is_dir() and len(list(folder.glob("*.txt"))) == n:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for i, (text, _) in enumerate(synthetic_documents(data, n, seed=10**9 + n)):
        (folder / f"doc{i:06d}.txt").write_text(text, encoding="utf-8")
    return folder


def write_readme(work: Path) -> None:
    (work / "README-TIMING-ONLY.txt").write_text(
        "Corpora made by benchmarks/scale.py from real texts with resampled labels.\n"
        "They are for timing only: the labels mean nothing; never use them to measure quality.\n",
        encoding="utf-8")


# -- measuring in child processes --------------------------------------------------------------
# Peak RSS is read by the child itself (VmHWM): on Linux a child's ru_maxrss also counts the memory its
# parent had when it forked, which here is the corpus builder's.
PEAK = "int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]) / 1024"

TRAIN_CHILD = """
import json, sys, time
from pathlib import Path
from unbis import service
started = time.perf_counter()
backend = sys.argv[3] or None
result = service.train(Path(sys.argv[1]), [Path(sys.argv[2])], vocab_spec="unbis", language="en", backend=backend)
print(json.dumps({"seconds": time.perf_counter() - started, "backend": result.project.config.backend,
                  "read": result.report.read, "peak_rss_mib": PEAK}))
""".replace("PEAK", PEAK)

INDEX_CHILD = """
import json, sys
from pathlib import Path
from unbis import service
from unbis.batch import run_index
project = service.open_project(Path(sys.argv[1]))
summary = run_index(project, [Path(sys.argv[2])], Path(sys.argv[3]), jobs=int(sys.argv[4]), force=True)
print(json.dumps({"seconds": summary.seconds, "docs": summary.written, "docs_per_s": summary.rate,
                  "peak_rss_mib": PEAK}))  # the main process; each worker holds its own copy of the model
""".replace("PEAK", PEAK)


def run_child(code: str, args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; its JSON result plus its wall seconds."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    deadline = started + timeout
    while True:
        pid, status = os.waitpid(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            child.wait()
            return {"error": f"timeout after {timeout:.0f} s"}
        time.sleep(0.2)
    wall = time.perf_counter() - started
    out = child.stdout.read() if child.stdout else ""
    code_ = os.waitstatus_to_exitcode(status)
    result: dict[str, Any] = {"wall_seconds": wall}
    if code_ != 0:
        result["error"] = f"exit code {code_}"
        return result
    result.update(json.loads(out.strip().splitlines()[-1]))
    return result


# -- the curve ---------------------------------------------------------------------------------
def draw(results: list[dict[str, Any]], png: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing (pip install 'unbis-indexer[bench]'): no PNG drawn", file=sys.stderr)
        return
    ok = [r for r in results if "error" not in r["train"]]
    if not ok:
        return
    docs = [r["docs"] for r in ok]
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4))
    ax1.plot(docs, [r["train"]["wall_seconds"] / 60 for r in ok], "o-", label="training (min)")
    ax1.plot(docs, [docs[i] * ok[0]["train"]["wall_seconds"] / docs[0] / 60 for i in range(len(ok))], ":",
             color="grey", label="linear from the smallest")
    ax1.axhline(30, color="red", linestyle="--", label="target 30 min @ 200k")
    ax1.set_xlabel("training documents (~5 KB)")
    ax1.set_ylabel("minutes")
    ax1.legend()
    ax2.plot(docs, [r["train"]["peak_rss_mib"] / 1024 for r in ok], "o-", color="C1", label="peak RSS (GiB)")
    ax2.axhline(8, color="red", linestyle="--", label="target 8 GiB")
    ax2.set_xlabel("training documents (~5 KB)")
    ax2.set_ylabel("GiB")
    ax2.legend()
    for jobs in sorted({j for r in ok for j in r["index"]}, key=int):
        pts = [(r["docs"], r["index"][jobs]["docs_per_s"]) for r in ok if "docs_per_s" in r["index"].get(jobs, {})]
        if pts:
            ax3.plot(*zip(*pts, strict=True), "o-", label=f"indexing, --jobs {jobs}")
    ax3.axhline(100, color="red", linestyle="--", label="target 100 docs/s")
    ax3.set_xlabel("training documents of the model (~5 KB)")
    ax3.set_ylabel("documents / s (~5 KB)")
    ax3.legend()
    backend = ok[0]["train"].get("backend", "?")
    fig.suptitle(f"unbis default pipeline ({backend}) cost, ~7k labels, 2 cores (timing-only corpora)")
    fig.tight_layout()
    fig.savefig(png, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 200_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/unbis-scale"), help="corpora and projects")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results", help="JSON + PNG here")
    parser.add_argument("--backend", default="", help="a backend instead of the default pipeline")
    parser.add_argument("--index-docs", type=int, default=2000, help="documents for indexing throughput")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts for indexing")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per training run")
    parser.add_argument("--index-only", action="store_true",
                        help="re-measure indexing with the projects an earlier run trained (keeps its train figures)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    write_readme(args.work)
    index_dir = build_index_docs(args.data, args.work, args.index_docs)
    saved = args.out / "scale.json"
    # Rows of sizes measured by earlier invocations are kept, so big sizes can be run on their own later.
    earlier = json.loads(saved.read_text(encoding="utf-8")) if saved.exists() else []
    results: list[dict[str, Any]] = [r for r in earlier if r["docs"] not in args.sizes]
    for n in sorted(args.sizes):
        t0 = time.perf_counter()
        corpus = build_corpus(args.data, args.work, n)
        print(f"[{n}] corpus {corpus} ({corpus.stat().st_size / 2**20:.0f} MiB, built/cached in "
              f"{time.perf_counter() - t0:.0f} s)", flush=True)
        project = args.work / f"project-{n}"
        if args.index_only:
            before = [r["train"] for r in earlier if r["docs"] == n]
            if not before or not project.is_dir():
                sys.exit(f"--index-only: no earlier training of {n} documents in {saved} and {project}")
            train = before[0]
        else:
            train = run_child(TRAIN_CHILD, [str(project), str(corpus), args.backend], args.timeout)
        print(f"[{n}] train: {json.dumps(train)}", flush=True)
        row: dict[str, Any] = {"docs": n, "train": train, "index": {}}
        if "error" not in train:
            for jobs in args.jobs:
                out = args.work / f"index-{n}-j{jobs}.jsonl"
                row["index"][str(jobs)] = res = run_child(INDEX_CHILD, [str(project), str(index_dir), str(out),
                                                                        str(jobs)], args.timeout)
                print(f"[{n}] index --jobs {jobs}: {json.dumps(res)}", flush=True)
        results = sorted([*results, row], key=lambda r: r["docs"])
        saved.write_text(json.dumps(results, indent=1), encoding="utf-8")
        draw(results, args.out / "scale.png")
    print(f"results: {args.out / 'scale.json'}, curve: {args.out / 'scale.png'}")


if __name__ == "__main__":
    main()
