"""Label trees via the ``omikuji`` library (Parabel and Bonsai), on the shared tf-idf features.
The model is saved in omikuji's own directory format."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import omikuji
import scipy.sparse as sp

from unbis.backends.feature_backend import FeatureBackend
from unbis.backends.params import check
from unbis.errors import InputError
from unbis.learning.tfidf import FeatureParams

#: Settings as documented by omikuji and used by Annif: Parabel = balanced 2-way trees;
#: Bonsai = shallow, wide, unbalanced trees.
_SETTINGS: dict[str, dict[str, Any]] = {
    "parabel": {"cluster_k": 2, "cluster_balanced": True, "max_depth": 20},
    "bonsai": {"cluster_k": 100, "cluster_balanced": False, "max_depth": 3},
}


@dataclass(frozen=True)
class OmikujiParams(FeatureParams):
    """setting: parabel or bonsai tree shape. n_trees: trees in the forest. beam_size: search width.
    top_k: labels returned per document. threads: training threads (0 = all cores).
    Bigrams make omikuji slow on long texts, hence words only by default."""

    ngram_max: int = 1
    setting: Literal["parabel", "bonsai"] = "bonsai"
    n_trees: int = 3
    beam_size: int = 10
    top_k: int = 100
    threads: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        check(self.setting in _SETTINGS, f"setting must be parabel or bonsai, not {self.setting!r}")
        check(1 <= self.n_trees <= 20, f"n_trees must be 1..20, not {self.n_trees}")
        check(self.beam_size >= 1, f"beam_size must be >= 1, not {self.beam_size}")
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")
        check(self.threads >= 0, f"threads must be >= 0, not {self.threads}")


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """omikuji's Rust core draws progress bars on file descriptor 2; hide them (errors still raise)."""
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (e.g. some test runners): nothing to hide
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class OmikujiBackend(FeatureBackend):
    name = "omikuji"
    Params = OmikujiParams

    model_: Any

    def _fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix, concepts: sp.csr_matrix | None) -> None:
        p: OmikujiParams = self.params
        rows = [i for i in range(x.shape[0]) if y.indptr[i + 1] > y.indptr[i] and x.indptr[i + 1] > x.indptr[i]]
        if not rows:
            raise InputError("omikuji needs labelled documents with at least one known term")
        hyper = omikuji.Model.default_hyper_param()
        for key, value in _SETTINGS[p.setting].items():
            setattr(hyper, key, value)
        hyper.n_trees = p.n_trees
        with tempfile.TemporaryDirectory(prefix="unbis-omikuji-") as tmp:
            path = Path(tmp) / "train.txt"
            with path.open("w", encoding="ascii") as fh:
                # omikuji's data format: header "docs features labels", then "l1,l2 f:v f:v" per line.
                fh.write(f"{len(rows)} {x.shape[1]} {y.shape[1]}\n")
                for i in rows:
                    lo, hi = x.indptr[i], x.indptr[i + 1]
                    labels = ",".join(map(str, y.indices[y.indptr[i] : y.indptr[i + 1]]))
                    feats = " ".join(f"{c}:{v:.6g}" for c, v in zip(x.indices[lo:hi], x.data[lo:hi], strict=True))
                    fh.write(f"{labels} {feats}\n")
            with _quiet_stderr():
                self.model_ = omikuji.Model.train_on_data(str(path), hyper, p.threads or None)
        self.n_labels_ = y.shape[1]

    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        p: OmikujiParams = self.params
        n_labels = len(self.context.vocab)
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i in range(x.shape[0]):
            lo, hi = x.indptr[i], x.indptr[i + 1]
            if hi == lo:
                continue
            pairs = list(zip(x.indices[lo:hi].tolist(), x.data[lo:hi].tolist(), strict=True))
            for label, score in self.model_.predict(pairs, beam_size=p.beam_size, top_k=p.top_k):
                if label < n_labels:
                    rows.append(i)
                    cols.append(label)
                    vals.append(score)
        return sp.csr_matrix((np.clip(np.array(vals, dtype=np.float32), 0, 1), (rows, cols)),
                             shape=(x.shape[0], n_labels))

    def _save_matrix(self, directory: Path) -> None:
        self.model_.save(str(directory / "omikuji-model"))

    def _load_matrix(self, directory: Path) -> None:
        self.model_ = omikuji.Model.load(str(directory / "omikuji-model"))
