"""A document's suggestions do not depend on the documents it shares a batch with (issue 18, item 10)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis import service
from unbis.corpus.readers import read_documents
from unbis.learning.sparse import dense_product
from unbis.learning.stable_matmul import batch_stable_matmul
from unbis.project import Project

EURLEX = Path(__file__).parent / "data" / "corpus" / "eurlex-en"
BATCH_SIZES = (1, 2, 3, 7, 16)


def in_batches(score: Callable[[list], np.ndarray], items: list, size: int, order: np.ndarray) -> np.ndarray:
    """Scores of ``items`` computed in batches of ``size`` taken in ``order``; rows back in item order."""
    out: list[np.ndarray | None] = [None] * len(items)
    for lo in range(0, len(items), size):
        idx = order[lo : lo + size]
        for i, row in zip(idx, score([items[i] for i in idx]), strict=True):
            out[i] = row
    return np.vstack(out)  # type: ignore[arg-type]


def test_ensemble_scores_do_not_depend_on_the_batch(tmp_path: Path) -> None:
    service.train(tmp_path / "p", [EURLEX / "train"], vocab_spec=str(EURLEX / "eurovoc-vocab.tsv"), language="en",
                  params=["ensemble.rankers=1", "ensemble.rounds=60"])
    project = Project.load(tmp_path / "p")
    texts = [d.text for d in read_documents([EURLEX / "validation", EURLEX / "train"], None, labelled=False)]

    def score(batch: list[str]) -> np.ndarray:
        return project.suggest_matrix(batch).toarray()

    alone_together = score(texts)
    rng = np.random.default_rng(0)
    for size in BATCH_SIZES:
        for order in (np.arange(len(texts)), rng.permutation(len(texts))):  # other neighbours too
            got = in_batches(score, texts, size, order)
            worst = np.abs(got - alone_together).max(axis=1)
            assert worst.max() <= 1e-6, f"batch size {size}: {int((worst > 1e-6).sum())} of {len(texts)} " \
                                        f"documents differ, by up to {worst.max():.2g}"


def test_batch_stable_matmul_rows_are_independent_of_the_batch() -> None:
    rng = np.random.default_rng(1)
    a = sp.random(40, 3000, density=0.4, dtype=np.float32, random_state=2).toarray()
    b = rng.standard_normal((3000, 700), dtype=np.float32)
    reference = batch_stable_matmul(a, b)
    assert np.allclose(reference, a @ b, rtol=1e-4, atol=1e-3)
    for size in BATCH_SIZES:
        order = rng.permutation(len(a))
        got = in_batches(lambda rows: batch_stable_matmul(np.vstack(rows), b), list(a), size, order)
        assert np.array_equal(got, reference), f"batch size {size}"


def test_dense_product_is_the_sparse_product_and_independent_of_the_batch() -> None:
    x = sp.random(40, 5000, density=0.01, dtype=np.float32, random_state=3, format="csr")
    t = sp.random(5000, 800, density=0.05, dtype=np.float32, random_state=4, format="csr")
    reference = dense_product(x, t)
    assert reference.shape == (40, 800) and reference.flags.c_contiguous
    assert np.allclose(reference, (x @ t).toarray(), rtol=1e-5, atol=1e-6)
    assert not reference[x.getnnz(axis=1) == 0].any()
    rng = np.random.default_rng(5)
    for size in BATCH_SIZES:
        order = rng.permutation(x.shape[0])
        got = in_batches(lambda rows: dense_product(sp.vstack(rows, format="csr"), t),
                         [x[i] for i in range(x.shape[0])], size, order)
        assert np.array_equal(got, reference), f"batch size {size}"
