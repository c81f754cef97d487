"""Quality of the thesaurus matcher on the development corpora (prints figures; reads /work/shared/data).

Usage: python benchmarks/matcher_quality.py [seed] [eurlex] [abo] [csl]   (default: all)

- seed: the bundled default project (UNBIS, language auto) on the seed document: P@20 / R@20.
- eurlex: eurlex-en with eurovoc-vocab.tsv, zero-shot and trained on train, evaluated on validation.
- abo: abo-en with yso-en.tsv, zero-shot on the labelled documents and 5-fold cross-validation.
- csl: csl-zh (raw Chinese) with csl-vocab.tsv, zero-shot and 5-fold cross-validation.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis.backends.base import Context
from unbis.backends.matcher.backend import MatcherBackend
from unbis.corpus.document import Document
from unbis.corpus.readers import read_documents
from unbis.evaluation import evaluate, gold_matrix
from unbis.vocab.loaders import load_vocabulary
from unbis.vocab.subject_index import Vocabulary

DATA = Path("/work/shared/data")
KEYS = ("f1@5", "ndcg", "p@1", "p@5", "r@5")


def _read(path: Path, vocab: Vocabulary, language: str) -> list[Document]:
    return [d for d in read_documents(path, vocab, on_unknown="skip", language=language) if d.subjects]


def _scores(backend: MatcherBackend, docs: list[Document], vocab: Vocabulary) -> dict[str, float]:
    pred = backend.suggest_batch([d.text for d in docs])
    gold = gold_matrix([d.subjects for d in docs], len(vocab))
    res = evaluate(pred, gold, limit=10)
    return {k: round(float(res[k]), 4) for k in KEYS if k in res}


def _cv(docs: list[Document], vocab: Vocabulary, language: str, folds: int = 5) -> dict[str, float]:
    """Pooled k-fold cross-validation: every document is scored by a model that never saw it."""
    order = np.random.default_rng(0).permutation(len(docs))
    preds: list[sp.csr_matrix] = []
    tested: list[Document] = []
    for k in range(folds):
        test_idx = set(order[k::folds].tolist())
        train = [d for i, d in enumerate(docs) if i not in test_idx]
        test = [docs[i] for i in sorted(test_idx)]
        model = MatcherBackend(Context(vocab, language)).fit(train)
        preds.append(model.suggest_batch([d.text for d in test]))
        tested.extend(test)
    gold = gold_matrix([d.subjects for d in tested], len(vocab))
    res = evaluate(sp.vstack(preds).tocsr(), gold, limit=10)
    return {k: round(float(res[k]), 4) for k in KEYS if k in res}


def seed() -> None:
    from unbis.project.project import default_project

    started = time.perf_counter()
    project = default_project()
    loaded = time.perf_counter() - started
    path = next((DATA / "seed").glob("*.txt"))
    doc = next(read_documents(path, project.vocab, language="zh"))
    top = project.suggest([doc.text], limit=20)[0]
    hits = [s.label for s in top if s.subject in set(doc.subjects)]
    print(json.dumps({"seed": {"load_s": round(loaded, 2), "hits@20": len(hits), "P@20": len(hits) / 20,
                               "R@20": round(len(hits) / len(doc.subjects), 3), "found": hits}},
                     ensure_ascii=False))


def eurlex() -> None:
    vocab = load_vocabulary(DATA / "eurlex-en/eurovoc-vocab.tsv", language="en")
    train = _read(DATA / "eurlex-en/train", vocab, "en")
    valid = _read(DATA / "eurlex-en/validation", vocab, "en")
    zero = MatcherBackend(Context(vocab, "en")).fit([])
    started = time.perf_counter()
    trained = MatcherBackend(Context(vocab, "en")).fit(train)
    fit_s = time.perf_counter() - started
    print(json.dumps({"eurlex-en": {"zero-shot": _scores(zero, valid, vocab),
                                    "trained": _scores(trained, valid, vocab), "fit_s": round(fit_s, 1),
                                    "weights": trained.ranker_weights()}}))


def abo() -> None:
    vocab = load_vocabulary(DATA / "abo-en/yso-en.tsv", language="en")
    docs = _read(DATA / "abo-en/train", vocab, "en")
    zero = MatcherBackend(Context(vocab, "en")).fit([])
    print(json.dumps({"abo-en": {"docs": len(docs), "zero-shot": _scores(zero, docs, vocab),
                                 "cv5": _cv(docs, vocab, "en")}}))


def csl() -> None:
    vocab = load_vocabulary(DATA / "csl-zh/csl-vocab.tsv", language="zh")
    docs = _read(DATA / "csl-zh/dev", vocab, "zh")
    zero = MatcherBackend(Context(vocab, "zh")).fit([])
    print(json.dumps({"csl-zh": {"docs": len(docs), "zero-shot": _scores(zero, docs, vocab),
                                 "cv5": _cv(docs, vocab, "zh")}}))


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["seed", "eurlex", "abo", "csl"]
    for name in wanted:
        {"seed": seed, "eurlex": eurlex, "abo": abo, "csl": csl}[name]()
