"""Train and evaluate one of our backends on a split or by k-fold cross-validation; print JSON.

    python benchmarks/ours_eval.py --vocab VOCAB --train DIR [--test DIR | --folds 5] [--backend ensemble]
        [--language en] [--param key=value ...] [--seed 42]

Prints quality (Annif-identical metrics), train seconds, suggestions per second and peak RSS (MiB).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis.backends import Context, get_backend_class
from unbis.corpus.document import Document
from unbis.corpus.readers import read_documents
from unbis.evaluation import evaluate, gold_matrix
from unbis.vocab.loaders import load_vocabulary


def run_split(backend: str, vocab_spec: str, train: list[Document], test: list[Document], language: str,
              params: dict[str, str]) -> dict[str, float]:
    vocab = load_vocabulary(vocab_spec, language=language)
    model = get_backend_class(backend)(Context(vocab, language), **params)
    started = time.perf_counter()
    model.fit(train)
    train_s = time.perf_counter() - started
    texts = [d.text for d in test]
    started = time.perf_counter()
    pred = sp.vstack([model.suggest_batch(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    suggest_s = time.perf_counter() - started
    res = evaluate(pred, gold_matrix([d.subjects for d in test], len(vocab)), limit=10)
    return {**{k: float(v) for k, v in res.items()}, "train_seconds": train_s,
            "docs_per_second": len(texts) / max(suggest_s, 1e-9)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test")
    ap.add_argument("--folds", type=int, default=0)
    ap.add_argument("--backend", default="ensemble")
    ap.add_argument("--language", default="en")
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--seed", type=int, default=42, help="seed of the cross-validation folds")
    args = ap.parse_args()
    params = dict(p.split("=", 1) for p in args.param)
    vocab = load_vocabulary(args.vocab, language=args.language)
    docs = [d for d in read_documents([Path(args.train)], vocab, on_unknown="skip", language=args.language)
            if d.subjects]
    if args.test:
        test = [d for d in read_documents([Path(args.test)], vocab, on_unknown="skip", language=args.language)
                if d.subjects]
        results = [run_split(args.backend, args.vocab, docs, test, args.language, params)]
    else:
        fold_of = np.random.default_rng(args.seed).permutation(len(docs)) % args.folds
        results = [run_split(args.backend, args.vocab, [d for d, f in zip(docs, fold_of, strict=True) if f != k],
                             [d for d, f in zip(docs, fold_of, strict=True) if f == k], args.language, params)
                   for k in range(args.folds)]
    keys = results[0].keys()
    out = {k: float(np.mean([r[k] for r in results])) for k in keys}
    out["train_seconds"] = float(sum(r["train_seconds"] for r in results))
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
