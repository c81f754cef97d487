"""Six-language parity of SDG projects, measured through the CLI (``unbis train`` / ``eval`` / ``index``).

No SDG-labelled text in languages other than English is at hand (and none may be fetched to tune on),
so the held-out sets are built from ../shared only:

- ``en-test``: every 5th labelled-or-not paragraph of unga-sdg/train (sorted by name); the other 4/5
  train the projects (``train``).
- ``titles-<lang>``: the 17 goals' full official titles (A/RES/70/1, the ``alt_label_<lang>`` of
  sdg-goals.csv) as 17 one-sentence documents in each of the six languages. Scored with projects trained
  on ``train`` with ``sdg-goals-short.csv``, the goals' vocabulary without those full titles (so no label
  is the document itself): ``SDG n`` and the short titles (English short title as an alternative label).
- consistency: parallel-un/udhr-articles (31 units) and unga-res-55-100 in six languages, indexed by the
  project trained with sdg-goals.csv: mean top-3 Jaccard of each language version with the English one.

    .venv/bin/python benchmarks/semantic_parity.py [--work /tmp/unbis-parity] [--configs default,semantic]
    .venv/bin/python benchmarks/semantic_parity.py --consistency-of bundled [--top 10]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
UNBIS = str(Path(sys.executable).with_name("unbis"))
LANGS = ("en", "fr", "es", "ar", "zh", "ru")
BASE = "linear,linear_thesaurus,knn,matcher"
CONFIGS = {
    "default": ["--param", f"ensemble.members={BASE}"],
    "default-8-passages": ["--param", f"ensemble.members={BASE}", "--param", "semantic.max_passages=8"],
    "semantic": ["--param", f"ensemble.members={BASE},semantic"],
    "semantic+eknn": ["--param", f"ensemble.members={BASE},semantic,embedding_knn"],
    "semantic-floor0.2": ["--param", f"ensemble.members={BASE},semantic", "--param", "semantic.floor=0.2"],
    "semantic-alone": ["--backend", "semantic"],
    "eknn-alone": ["--backend", "embedding_knn"],
}


def run(*args: str) -> tuple[str, float]:
    start = time.perf_counter()
    out = subprocess.run([UNBIS, *args], check=True, capture_output=True, text=True)
    return out.stdout, time.perf_counter() - start


def prepare(work: Path) -> None:
    if (work / "ready").exists():
        return
    for sub in ("train", "en-test"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(sorted((DATA / "unga-sdg" / "train").glob("*.txt"))):
        target = work / ("en-test" if i % 5 == 4 else "train") / path.name
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with open(DATA / "sdg-vocab" / "sdg-goals.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for lang in LANGS:
        folder = work / f"titles-{lang}"
        folder.mkdir(exist_ok=True)
        for row in rows:
            title = row[f"alt_label_{lang}"].split("|")[0]
            (folder / f"goal{int(row['notation']):02d}.txt").write_text(f"%%%SDG {row['notation']}|\n\n{title}\n",
                                                                         encoding="utf-8")
    with open(work / "sdg-goals-short.csv", "w", encoding="utf-8", newline="") as fh:
        fields = ["uri", "notation"] + [f"label_{lang}" for lang in LANGS] + ["alt_label_en"]
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            out = {k: row[k] for k in fields if k != "alt_label_en"}
            out["alt_label_en"] = row["alt_label_en"].split("|")[-1]  # the short title ("No poverty")
            writer.writerow(out)
    (work / "ready").touch()


def top_sets(jsonl: Path, n: int) -> dict[str, set[str]]:
    out = {}
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out[record["document"]] = {s["uri"] for s in record.get("suggestions", [])[:n]}
    return out


def consistency(project: Path, work: Path, name: str) -> dict[str, float]:
    result = {}
    tops: dict[str, dict[str, set[str]]] = {lang: {} for lang in LANGS}
    for corpus in ("udhr-articles", "unga-res-55-100"):
        for lang in LANGS:
            out = work / f"{name}-{corpus}-{lang}.jsonl"
            out.unlink(missing_ok=True)
            run("index", str(project), str(DATA / "parallel-un" / corpus / lang), "--jsonl", str(out), "--force")
            tops[lang].update({f"{corpus}/{k}": v for k, v in top_sets(out, 3).items()})
    for lang in LANGS[1:]:
        scores = [len(tops[lang][k] & v) / max(1, len(tops[lang][k] | v)) for k, v in tops["en"].items()]
        result[lang] = sum(scores) / len(scores)
    return result


def zero_shot_consistency(project_dir: str, top: int) -> dict[str, float]:
    """Mean top-``top`` Jaccard with the English version over parallel-un (udhr-articles and
    unga-res-55-100), through the service layer that ``unbis suggest`` calls ("bundled": the bundled
    zero-shot project)."""
    from unbis.service import open_project, suggest_texts

    project = open_project(None if project_dir == "bundled" else Path(project_dir))
    tops: dict[str, list[set[str]]] = {}
    for lang in LANGS:
        files = [f for corpus in ("udhr-articles", "unga-res-55-100")
                 for f in sorted((DATA / "parallel-un" / corpus / lang).glob("*.txt"))]
        rows = suggest_texts(project, [f.read_text(encoding="utf-8") for f in files], limit=top)
        tops[lang] = [{s["uri"] for s in row} for row in rows]
    return {lang: round(sum(len(a & b) / max(1, len(a | b)) for a, b in zip(tops[lang], tops["en"], strict=True))
                        / len(tops["en"]), 3) for lang in LANGS[1:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/unbis-parity"))
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--consistency-of", help="only the zero-shot consistency of this project ('bundled' or a path)")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    if args.consistency_of:
        print(json.dumps({"project": args.consistency_of, f"jaccard{args.top}": zero_shot_consistency(
            args.consistency_of, args.top)}))
        return
    work: Path = args.work
    prepare(work)
    full, short = str(DATA / "sdg-vocab" / "sdg-goals.csv"), str(work / "sdg-goals-short.csv")
    for name in args.configs.split(","):
        row: dict[str, object] = {"config": name}
        project = work / f"p-{name}"
        _, row["train_s"] = run("train", str(project), str(work / "train"), "--vocab", full, *CONFIGS[name])
        out, row["eval_en_s"] = run("eval", str(project), str(work / "en-test"), "--json")
        m = json.loads(out)
        row["en-test"] = {k: round(m[k], 3) for k in ("ndcg", "f1@5", "p@1")}
        row["jaccard3"] = {k: round(v, 3) for k, v in consistency(project, work, name).items()}
        project_short = work / f"p-{name}-short"
        run("train", str(project_short), str(work / "train"), "--vocab", short, *CONFIGS[name])
        for lang in LANGS:
            out, _ = run("eval", str(project_short), str(work / f"titles-{lang}"), "--json")
            m = json.loads(out)
            row[f"titles-{lang}"] = {k: round(m[k], 3) for k in ("ndcg", "f1@5", "p@1")}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
