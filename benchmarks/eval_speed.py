"""Evaluation speed on random sparse data at collection scale (200k documents x 7k subjects).

    python benchmarks/eval_speed.py [SCORES_PER_DOC]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.sparse as sp

from unbis.evaluation import EvaluationBatch, evaluate, gold_matrix

CONTRACT = ["p@1", "p@3", "p@5", "r@5", "f1@5", "ndcg", "ndcg@5", "ndcg@10"]


def main() -> None:
    n, m = 200_000, 7_000
    k_pred = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rng = np.random.default_rng(0)
    rows = np.repeat(np.arange(n), k_pred)
    scores = rng.random(n * k_pred).astype(np.float32)
    pred = sp.csr_matrix((scores, (rows, rng.integers(0, m, n * k_pred))), shape=(n, m))
    gold = gold_matrix([rng.integers(0, m, rng.integers(0, 9)).tolist() for _ in range(n)], m)
    t = time.perf_counter()
    result = evaluate(pred, gold)
    print(f"evaluate(): {n} docs x {m} subjects, {pred.nnz} scores, {gold.nnz} gold: {time.perf_counter() - t:.2f} s")
    batch = EvaluationBatch(m)
    batch.add(pred, gold)
    t = time.perf_counter()
    batch.results(CONTRACT)
    t2 = time.perf_counter()
    batch.per_subject()
    print(f"contract keys only: {t2 - t:.2f} s; per_subject: {time.perf_counter() - t2:.2f} s")
    print({k: round(float(v), 5) for k, v in list(result.items())[:9]})


if __name__ == "__main__":
    main()
