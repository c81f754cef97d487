"""Training work spread over forked processes gives exactly the results of one process."""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from unbis.analysis import get_analyzer
from unbis.learning import tfidf as features
from unbis.learning.tfidf import TfidfFeatures
from unbis.parallel import parallel_imap, parallel_map

DATA = Path(__file__).parent / "data"


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def test_parallel_map_keeps_order_and_uses_other_processes() -> None:
    items = list(range(500))
    results = parallel_map(_pid_and_square, items, jobs=2, chunk=16)
    assert [square for _, square in results] == [n * n for n in items]
    assert os.getpid() not in {pid for pid, _ in results}
    assert {pid for pid, _ in parallel_map(_pid_and_square, items[:10], jobs=2)} == {os.getpid()}  # too small


def test_parallel_map_sends_no_texts_to_its_workers() -> None:
    """Pickling a non-ASCII str caches its UTF-8 form inside the object (``sys.getsizeof`` counts
    it): the texts that training keeps would be held twice."""
    texts = [f"résolution {i} " * 200 for i in range(300)]
    sizes = [sys.getsizeof(t) for t in texts]
    assert parallel_map(len, texts, jobs=2) == [len(t) for t in texts]
    assert [sys.getsizeof(t) for t in texts] == sizes
    pickle.dumps(texts[0])  # the effect this guards against is real on this interpreter
    assert sys.getsizeof(texts[0]) > sizes[0]


def test_parallel_imap_reads_its_input_lazily() -> None:
    read: list[int] = []

    def items() -> Iterator[int]:
        for n in range(100):
            read.append(n)
            yield n

    results = parallel_imap(_pid_and_square, items(), jobs=2)
    first = next(results)
    assert first[1] == 0 and len(read) <= 5  # two in flight per worker, plus the one being taken
    assert [square for _, square in results] == [n * n for n in range(1, 100)]


def _blas_threads(_: int) -> int:
    from threadpoolctl import threadpool_info

    return max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")


def test_each_worker_runs_blas_on_one_thread() -> None:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):  # what the workers would inherit
        assert _blas_threads(0) == 2
        assert set(parallel_imap(_blas_threads, range(6), jobs=2)) == {1}


def test_features_counted_in_processes_equal_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [p.read_text(encoding="utf-8").partition("\n\n")[2]
             for p in sorted((DATA / "corpus" / "eurlex-en" / "train").glob("*.txt"))]
    assert len(texts) >= 20
    analyzer = get_analyzer("en")
    monkeypatch.setattr(features, "PARALLEL_GROUP", 3)  # many groups
    one = TfidfFeatures(analyzer.terms, min_df=1)
    many = TfidfFeatures(analyzer.terms, min_df=1)
    x_one = one.fit_transform(texts, jobs=1)
    x_many = many.fit_transform(texts, jobs=2)
    assert one.vocabulary_ == many.vocabulary_
    assert (x_one != x_many).nnz == 0 and x_one.nnz > 1000
    np.testing.assert_array_equal(one.idf_, many.idf_)
    y_one, y_many = one.transform(texts[:7], jobs=1), many.transform(texts[:7], jobs=2)
    assert (y_one != y_many).nnz == 0
