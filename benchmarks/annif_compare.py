"""Ours vs Annif, side by side on this machine: quality, train seconds, suggestions/s, peak RSS.

    nice -n 5 python benchmarks/annif_compare.py [--datasets eurlex-en,csl-zh,abo-en,unga-sdg]
        [--out benchmarks/results] [--data /work/shared/data] [--jobs 2] [--folds N]
        [--skip-annif] [--skip-ours]          (both: only re-render the table and chart from the caches)

Annif 1.4 is installed from PyPI into its own venv by ``benchmarks/setup_annif.sh`` (reused when present);
this script adds Annif's ``omikuji`` extra. Offline, Annif's NLTK tokenizer lacks its ``punkt_tab`` data:
setup_annif.sh creates four EMPTY files in ``~/nltk_data/tokenizers/punkt_tab/english/``, which is enough for
word tokenisation.

Per dataset, one Annif home (projects.cfg + data/) holds the vocabulary ``v`` (``annif load-vocab`` from the
dataset's TSV) and four projects: ``tfidf``, ``bonsai`` (omikuji with the Bonsai settings cluster_balanced=False,
cluster_k=100, max_depth=3), ``mllm`` and ``ensemble`` (plain average of the three). English uses the
``snowball(english)`` analyzer. Annif cannot segment Chinese, so for csl-zh it gets a jieba-segmented copy of
the texts AND of the vocabulary labels (same URIs), with ``simple(token_min_length=1)`` (the default minimum of
3 characters would drop most Chinese words); ours reads the raw text.

Splits (identical for both systems): eurlex-en trains on ``train`` and evaluates on ``validation``; csl-zh,
abo-en and unga-sdg use k-fold cross-validation over the documents that carry at least one vocabulary label
(fold of document i = permutation(seed 42)[i] % k). unga-sdg's vocabulary is the 17 goals ``SDG 1``..``SDG 17``
(``benchmarks/annif/unga-sdg-vocab.tsv``, written by this script).

Each ``annif train -j JOBS`` and ``annif eval -j 1 --limit 10`` runs under ``/usr/bin/time -v`` for its wall time
and peak RSS; metrics come from ``annif eval --metrics-file`` JSON. Suggestions/s = test docs / (eval seconds -
fixed overhead), where the overhead (interpreter start, model load, one document) is the time of
``annif eval --docs-limit 1`` on the first split. Train seconds are those of the ``annif train`` command
(including ~3 s of Annif start-up); the ensemble's are the sum of its three sources and its peak RSS the
maximum over their training and its own evaluation. Ours is measured the same way, through its CLI:
``unbis train`` and ``unbis eval --limit 10`` (its default) each under ``/usr/bin/time -v``, the overhead being
``unbis eval`` of the split's first test document alone, and peak RSS the larger of the two processes.

Annif's figures are cached in ``OUT/annif.json`` (ours in ``OUT/ours.json``): ``--skip-annif`` re-runs only ours
and ``--skip-ours`` only Annif; the other side comes from its cache. Writes ``results.md``, ``results.json`` and
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
UNBIS = Path(sys.executable).with_name("unbis")  # our CLI, from the environment running this script
SDG_VOCAB = REPO / "benchmarks" / "annif" / "unga-sdg-vocab.tsv"
DATASETS: dict[str, dict[str, Any]] = {
    "eurlex-en": {"vocab": "eurlex-en/eurovoc-vocab.tsv", "train": "eurlex-en/train",
                  "test": "eurlex-en/validation", "lang": "en"},
    "csl-zh": {"vocab": "csl-zh/csl-vocab.tsv", "train": "csl-zh/dev", "lang": "zh", "folds": 5},
    "abo-en": {"vocab": "abo-en/yso-en.tsv", "train": "abo-en/train", "lang": "en", "folds": 5},
    "unga-sdg": {"vocab": None, "train": "unga-sdg/train", "lang": "en", "folds": 5},
}
ANNIF_BACKENDS = ("tfidf", "bonsai", "mllm")
ANNIF_SYSTEMS = (*ANNIF_BACKENDS, "ensemble")
ANALYZERS = {"en": "snowball(english)", "zh": "simple(token_min_length=1)"}
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
Doc = tuple[str, list[str], str]  # (file stem, labels, text)


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[str, float, float]:
    """Run ``cmd`` under /usr/bin/time -v: (stdout, wall seconds, peak RSS MiB of its largest process)."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env, cwd=cwd)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return proc.stdout, seconds, (int(rss.group(1)) / 1024 if rss else float("nan"))


def read_corpus(directory: Path) -> list[Doc]:
    """(name, labels, text) of each labelled document in the project's input format, sorted by file name."""
    out = []
    for path in sorted(directory.glob("*.txt")):
        raw = path.read_bytes().replace(b"\x00", b"").decode("utf-8", "replace")
        first, _, text = raw.partition("\n")
        if not first.startswith("%%%"):
            raise ValueError(f"{path}:1: expected a '%%%LABEL|...|' header line")
        labels = [x.strip() for x in first.removeprefix("%%%").split("|") if x.strip()]
        if labels:
            out.append((path.stem, labels, text.strip()))
    return out


def load_uris(vocab: Path) -> dict[str, str]:
    """label -> URI (without angle brackets) from an Annif TSV vocabulary."""
    uris = {}
    for n, line in enumerate(vocab.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise ValueError(f"{vocab}:{n}: expected '<uri>\\tlabel'")
        uri, label = line.split("\t")[:2]
        uris[label.strip()] = uri.strip().strip("<>")
    return uris


def write_sdg_vocab(path: Path) -> Path:
    """The 17 Sustainable Development Goals as an Annif TSV vocabulary, labels as in the corpus (``SDG 1``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"<http://example.org/sdg/{i}>\tSDG {i}\n" for i in range(1, 18)), "utf-8")
    return path


def segment_zh(text: str) -> str:
    """Words separated by spaces (jieba), so that Annif's whitespace/punctuation tokenizer sees Chinese words."""
    import jieba

    return " ".join(w for w in jieba.cut(text) if w.strip())


def annif_vocab(vocab: Path, lang: str, work: Path) -> Path:
    """The vocabulary file Annif loads: for Chinese a copy with jieba-segmented labels and the same URIs."""
    if lang != "zh":
        return vocab
    out = work / "vocab-segmented.tsv"
    out.write_text("".join(f"<{uri}>\t{segment_zh(label)}\n" for label, uri in load_uris(vocab).items()), "utf-8")
    return out


def write_split(docs: list[Doc], directory: Path, uris: dict[str, str], lang: str) -> None:
    """Our input format (``ours/``) and Annif's full-text corpus (``annif/``: x.txt + x.tsv) side by side."""
    (directory / "ours").mkdir(parents=True)
    (directory / "annif").mkdir(parents=True)
    for name, labels, text in docs:
        (directory / "ours" / f"{name}.txt").write_text("%%%" + "|".join(labels) + "|\n\n" + text, "utf-8")
        (directory / "annif" / f"{name}.txt").write_text(segment_zh(text) if lang == "zh" else text, "utf-8")
        (directory / "annif" / f"{name}.tsv").write_text(
            "".join(f"<{uris[lab]}>\t{lab}\n" for lab in labels), "utf-8")


def make_splits(spec: dict[str, Any], data: Path, uris: dict[str, str],
                folds: int | None) -> tuple[list[tuple[list[Doc], list[Doc]]], int]:
    """(train, test) pairs and the fold count (0 = fixed split); labels outside the vocabulary are dropped,
    and so are documents left without any."""
    def known(docs: list[Doc]) -> list[Doc]:
        kept = [(n, [lab for lab in labs if lab in uris], t) for n, labs, t in docs]
        return [d for d in kept if d[1]]

    docs = known(read_corpus(data / spec["train"]))
    if "test" in spec:
        return [(docs, known(read_corpus(data / spec["test"])))], 0
    k = folds or spec["folds"]
    fold_of = np.random.default_rng(42).permutation(len(docs)) % k
    return [([d for d, f in zip(docs, fold_of, strict=True) if f != i],
             [d for d, f in zip(docs, fold_of, strict=True) if f == i]) for i in range(k)], k


class AnnifHome:
    """One Annif configuration + data directory per dataset; projects are retrained on each split."""

    def __init__(self, home: Path, vocab: Path, lang: str, jobs: int) -> None:
        self.home, self.jobs, self.lang = home, jobs, lang
        home.mkdir(parents=True)
        cfg = home / "projects.cfg"
        self.set_sources(ANNIF_BACKENDS)
        self.env = {**os.environ, "ANNIF_PROJECTS": str(cfg), "ANNIF_DATADIR": str(home / "data")}
        self.annif = str(ANNIF_VENV / "bin" / "annif")
        timed([self.annif, "load-vocab", "--language", lang, "v", str(vocab)], self.env, home)

    def set_sources(self, sources: tuple[str, ...]) -> None:
        """(Re)write projects.cfg with the ensemble averaging ``sources``."""
        cfg = ANNIF_PROJECTS.format(lang=self.lang, analyzer=ANALYZERS[self.lang])
        (self.home / "projects.cfg").write_text(
            cfg.replace("sources=" + ",".join(ANNIF_BACKENDS), "sources=" + ",".join(sources)), "utf-8")

    def train(self, project: str, corpus: Path) -> tuple[float, float]:
        """(wall seconds, peak RSS MiB) of ``annif train``."""
        _, seconds, rss = timed([self.annif, "train", "-j", str(self.jobs), project, str(corpus)], self.env, self.home)
        return seconds, rss

    def eval(self, project: str, corpus: Path, docs_limit: int = 0) -> tuple[dict[str, float], float, float]:
        """(metrics, wall seconds, peak RSS MiB) of ``annif eval`` in one process, top 10 as ours."""
        metrics_file = self.home / f"metrics-{project}.json"
        cmd = [self.annif, "eval", "-j", "1", "--limit", "10", "--metrics-file", str(metrics_file),
               "-m", "F1@5", "-m", "NDCG", "-m", "Precision@1"]
        if docs_limit:
            cmd += ["--docs-limit", str(docs_limit)]
        _, seconds, rss = timed([*cmd, project, str(corpus)], self.env, self.home)
        return json.loads(metrics_file.read_text("utf-8")), seconds, rss


def run_annif_split(home: AnnifHome, split: Path, overhead: dict[str, float],
                    failures: dict[str, str]) -> dict[str, dict[str, float | None]]:
    """Train the three sources, evaluate them and their ensemble on one split; fills ``overhead`` on first use.

    A source that fails to train (e.g. mllm when no vocabulary label occurs in any text) is recorded in
    ``failures`` and left out of the ensemble."""
    n_test = len(list((split / "test" / "annif").glob("*.txt")))
    trained: dict[str, tuple[float, float]] = {}
    for project in ANNIF_BACKENDS:
        try:
            trained[project] = home.train(project, split / "train" / "annif")
        except RuntimeError as err:
            last = [ln for ln in str(err).splitlines() if "Error" in ln]
            failures[project] = last[-1].strip() if last else str(err).splitlines()[0]
            print(f"  annif train {project} FAILED: {failures[project]}", flush=True)
            continue
        print(f"  annif train {project}: {trained[project][0]:.1f} s, {trained[project][1]:.0f} MiB", flush=True)
    home.set_sources(tuple(trained))
    out = {}
    for project in (*trained, "ensemble"):
        if project not in overhead:
            overhead[project] = home.eval(project, split / "test" / "annif", docs_limit=1)[1]
        metrics, eval_s, eval_rss = home.eval(project, split / "test" / "annif")
        sources = tuple(trained) if project == "ensemble" else (project,)
        out[project] = {
            "f1@5": metrics["F1@5"], "ndcg": metrics["NDCG"], "p@1": metrics["Precision@1"],
            "train_seconds": sum(trained[s][0] for s in sources), "eval_seconds": eval_s,
            "docs_per_second": throughput(n_test, eval_s, overhead[project]),
            "peak_rss_mib": max(eval_rss, *(trained[s][1] for s in sources)),
        }
        print(f"  annif eval {project}: F1@5 {out[project]['f1@5']:.3f}, {eval_s:.1f} s", flush=True)
    return out


MIN_NET_SECONDS = 0.5  # below this, eval time net of start-up is within the start-up's own jitter


def throughput(n_docs: int, eval_s: float, overhead: float) -> float | None:
    """Suggestions per second net of the one-document overhead; None when the net time is too short to
    tell from noise (a few hundred short texts against a ~2 s start-up)."""
    net = eval_s - overhead
    return max(n_docs - 1, 1) / net if net >= MIN_NET_SECONDS else None


def run_ours(split: Path, vocab: Path, lang: str) -> dict[str, float | None]:
    """Our default pipeline through its CLI, measured as Annif is: ``unbis train`` and ``unbis eval`` each
    in its own process under /usr/bin/time -v (wall seconds, peak RSS); suggestions/s net of the wall time
    of evaluating one document (start-up and model load)."""
    project, test, one = split / "unbis-project", split / "test" / "ours", split / "test-one"
    _, train_s, train_rss = timed([str(UNBIS), "train", str(project), str(split / "train" / "ours"),
                                   "--vocab", str(vocab), "--language", lang])
    docs = sorted(test.glob("*.txt"))
    one.mkdir()
    shutil.copy(docs[0], one)
    _, overhead, _ = timed([str(UNBIS), "eval", str(project), str(one), "--json"])
    out, eval_s, eval_rss = timed([str(UNBIS), "eval", str(project), str(test), "--json"])
    res = json.loads(out)
    return {"f1@5": res["f1@5"], "ndcg": res["ndcg"], "p@1": res["p@1"], "train_seconds": train_s,
            "eval_seconds": eval_s, "docs_per_second": throughput(len(docs), eval_s, overhead),
            "peak_rss_mib": max(train_rss, eval_rss), "net_docs": len(docs) - 1, "net_seconds": eval_s - overhead}


def pooled(runs: list[dict[str, float | None]]) -> dict[str, float | None]:
    """``mean_runs`` of our splits; where one split's eval was too short to time, suggestions/s over all
    splits pooled (their documents over their summed net eval time), if that is long enough."""
    out = mean_runs([{k: v for k, v in r.items() if not k.startswith("net_")} for r in runs])
    net = sum(r["net_seconds"] or 0.0 for r in runs)
    if out["docs_per_second"] is None and net >= MIN_NET_SECONDS:
        out["docs_per_second"] = sum(r["net_docs"] or 0.0 for r in runs) / net
    return out


def mean_runs(runs: list[dict[str, float]] | list[dict[str, float | None]]) -> dict[str, float | None]:
    """Mean over splits, except peak RSS (maximum); None (not measured) stays None."""
    out: dict[str, float | None] = {
        k: None if any(r[k] is None for r in runs) else float(np.mean([r[k] for r in runs])) for k in runs[0]}
    out["peak_rss_mib"] = float(max(r["peak_rss_mib"] or 0.0 for r in runs))
    return out


def run_dataset(name: str, data: Path, work: Path, jobs: int, folds: int | None,
                do_annif: bool, do_ours: bool) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(Annif entry, ours entry) for one dataset, each None when that side is skipped."""
    spec = DATASETS[name]
    vocab = data / spec["vocab"] if spec["vocab"] else write_sdg_vocab(SDG_VOCAB)
    uris = load_uris(vocab)
    splits, k = make_splits(spec, data, uris, folds)
    home = AnnifHome(work / "annif-home", annif_vocab(vocab, spec["lang"], work), spec["lang"], jobs) \
        if do_annif else None
    annif_runs: list[dict[str, dict[str, float | None]]] = []
    ours_runs: list[dict[str, float | None]] = []
    overhead: dict[str, float] = {}
    failures: dict[str, str] = {}
    for i, (train, test) in enumerate(splits):
        print(f"{name} split {i + 1}/{len(splits)}: {len(train)} train, {len(test)} test docs", flush=True)
        split = work / f"split{i}"
        write_split(train, split / "train", uris, spec["lang"])
        write_split(test, split / "test", uris, spec["lang"])
        if home is not None:
            annif_runs.append(run_annif_split(home, split, overhead, failures))
        if do_ours:
            ours_runs.append(run_ours(split, vocab, spec["lang"]))
        shutil.rmtree(split)
    meta = {"splits": len(splits), "folds": k, "n_docs": sum(len(t) for _, t in splits) if k else
            len(splits[0][0]) + len(splits[0][1]), "language": spec["lang"]}
    annif = None
    if home is not None:
        annif = {**meta, "analyzer": ANALYZERS[spec["lang"]], "eval_overhead_seconds": overhead,
                 "input": "jieba-segmented text and labels" if spec["lang"] == "zh" else "raw text",
                 "failed": failures, "ensemble_sources": [p for p in ANNIF_BACKENDS if p not in failures],
                 "backends": {p: mean_runs([r[p] for r in annif_runs if p in r]) for p in ANNIF_SYSTEMS
                              if all(p in r for r in annif_runs)}}
    ours = {**meta, "ensemble": pooled(ours_runs)} if ours_runs else None
    return annif, ours


def load_cache(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def annif_version() -> str:
    # Annif 1.4 has no ``annif.__version__``: ask the installed distribution.
    out = subprocess.run([str(ANNIF_VENV / "bin" / "python"), "-c",
                          "import importlib.metadata as m; print(m.version('annif'))"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def markdown(annif: dict[str, Any], ours: dict[str, Any], names: list[str]) -> str:
    lines = ["| dataset | system | F1@5 | nDCG | P@1 | train s | eval s | suggestions/s | peak RSS MiB |",
             "|---|---|---|---|---|---|---|---|---|"]
    notes = ["Same splits for both systems; CV figures are means over folds, peak RSS the maximum.",
             "Annif: train s = `annif train -j 2` wall time per source (ensemble: sum of its sources); eval s = "
             "`annif eval -j 1` wall time incl. start-up and model load; suggestions/s = test docs / (eval s - "
             "`--docs-limit 1` overhead). Ours the same way: train s = `unbis train` wall time, eval s = `unbis "
             "eval` wall time, suggestions/s = test docs / (eval s - the eval time of one document). Peak RSS "
             "from `/usr/bin/time -v`: the largest of the train and eval processes, for both systems. "
             f"suggestions/s —: eval time net of that overhead under {MIN_NET_SECONDS} s, too short to measure "
             "(ours: then pooled over the CV folds when their summed net time is long enough)."]
    for name in names:
        a, o = annif.get(name), ours.get(name)
        folds = (a or o or {}).get("folds", 0)
        split = f"{folds}-fold CV" if folds else "train→validation"
        rows = []
        if o:
            rows.append(("unbis ensemble", o["ensemble"]))
        if a:
            ens = "+".join(a["ensemble_sources"])
            rows += [(f"Annif {p}" + (f" ({ens})" if p == "ensemble" else ""), a["backends"][p])
                     for p in ANNIF_SYSTEMS if p in a["backends"]]
            notes += [f"{name}: Annif {p} failed to train ({why}); left out of Annif's ensemble."
                      for p, why in a["failed"].items()]
            if a["language"] == "zh":
                notes.append(f"{name}: Annif got jieba-segmented text and vocabulary labels, analyzer "
                             f"`{a['analyzer']}`; ours read the raw Chinese text.")
        for label, r in rows:
            eval_s = "—" if r["eval_seconds"] is None else f"{r['eval_seconds']:.1f}"
            rate = "—" if r["docs_per_second"] is None else f"{r['docs_per_second']:.1f}"
            lines.append(f"| {name} ({split}) | {label} | {r['f1@5']:.3f} | {r['ndcg']:.3f} | {r['p@1']:.3f} | "
                         f"{r['train_seconds']:.1f} | {eval_s} | {rate} | "
                         f"{r['peak_rss_mib']:.0f} |")
    return "\n".join(lines) + "\n" + "".join(f"\n- {n}" for n in notes) + ("\n" if notes else "")


def chart(annif: dict[str, Any], ours: dict[str, Any], names: list[str], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no chart", file=sys.stderr)
        return
    def figures(n: str, system: str) -> dict[str, float]:
        if system == "unbis ensemble":
            return (ours.get(n) or {}).get("ensemble") or {}
        return ((annif.get(n) or {}).get("backends") or {}).get(system.removeprefix("Annif "), {})

    systems = ["unbis ensemble", *(f"Annif {p}" for p in ANNIF_SYSTEMS)]
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.5))
    xs = np.arange(len(names))
    width = 0.8 / len(systems)
    for ax, key, title in zip(axes, ("f1@5", "ndcg", "train_seconds", "docs_per_second"),
                              ("F1@5", "nDCG", "train seconds (log)", "suggestions / s (log)"), strict=True):
        for j, label in enumerate(systems):
            vals = [figures(n, label).get(key) or 0.0 for n in names]
            ax.bar(xs - 0.4 + width * (j + 0.5), vals, width=width, label=label)
        if key in ("train_seconds", "docs_per_second"):
            ax.set_yscale("log")
        ax.set_xticks(xs, names, rotation=20)
        ax.set_title(title)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(systems), fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=100)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    ap.add_argument("--jobs", type=int, default=2, help="annif train -j")
    ap.add_argument("--folds", type=int, help="override the cross-validation fold count (both systems)")
    ap.add_argument("--skip-annif", action="store_true", help="use Annif's figures cached in OUT/annif.json")
    ap.add_argument("--skip-ours", action="store_true", help="use our figures cached in OUT/ours.json")
    args = ap.parse_args()
    names = args.datasets.split(",")
    if unknown := [n for n in names if n not in DATASETS]:
        ap.error(f"unknown dataset(s) {unknown}; known: {list(DATASETS)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    annif_cache, ours_cache = load_cache(out / "annif.json"), load_cache(out / "ours.json")
    if not args.skip_annif:
        subprocess.run(["bash", str(REPO / "benchmarks" / "setup_annif.sh")], check=True)
        if subprocess.run([str(ANNIF_VENV / "bin" / "python"), "-c", "import omikuji"]).returncode != 0:
            subprocess.run([str(ANNIF_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                            f"annif[omikuji]=={annif_version()}"], check=True)
        annif_cache.setdefault("datasets", {})
        annif_cache["annif_version"] = annif_version()
    for name in names if not (args.skip_annif and args.skip_ours) else []:  # both skipped: only re-render
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            annif, ours = run_dataset(name, Path(args.data), Path(tmp), args.jobs, args.folds,
                                      not args.skip_annif, not args.skip_ours)
        if annif is not None:
            annif_cache["datasets"][name] = annif
            (out / "annif.json").write_text(json.dumps(annif_cache, indent=1), "utf-8")
        if ours is not None:
            ours_cache.setdefault("datasets", {})[name] = ours
            (out / "ours.json").write_text(json.dumps(ours_cache, indent=1), "utf-8")
        print(name, json.dumps({"annif": annif, "ours": ours}), flush=True)
    annif_res, ours_res = annif_cache.get("datasets", {}), ours_cache.get("datasets", {})
    shown = [n for n in DATASETS if n in annif_res or n in ours_res]
    for name in shown:
        a, o = annif_res.get(name), ours_res.get(name)
        if a and o and (a["folds"], a["n_docs"]) != (o["folds"], o["n_docs"]):
            print(f"WARNING {name}: Annif ran {a['folds']} folds on {a['n_docs']} docs, ours "
                  f"{o['folds']} on {o['n_docs']}: not the same splits", file=sys.stderr)
    (out / "results.json").write_text(json.dumps({"annif": annif_res, "ours": ours_res}, indent=1), "utf-8")
    table = markdown(annif_res, ours_res, shown)
    (out / "results.md").write_text(table, "utf-8")
    chart(annif_res, ours_res, shown, out / "results.png")
    print(table)


if __name__ == "__main__":
    main()
