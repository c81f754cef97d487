"""From features to scores in [0, 1]: hand weights (zero-shot) or a learned logistic ranker (the
learned gradient-boosted one is ``unbis.learning.ranker``).

The hand weights encode the evidence rules of the issue: occurrences, an early first occurrence and
spread through the document raise a concept; generic labels (contained in many others), ambiguous
labels (shared by several concepts), labels seen only inside longer matches and, given a background
corpus, concepts matched in most documents are lowered. That is what keeps the Chinese label 大会
(CONFERENCES, also "General Assembly") from flooding: it is two characters long, sits inside many
longer labels, and in a background of UN documents it matches almost everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unbis.backends.matcher.features import COL, FEATURES, N_FEATURES
from unbis.learning.ranker import sigmoid

# The scorer of last resort (``ranker="hand"``, or no bundled transfer ranker): an earlier session chose
# these on eurlex-en validation and the seed, which a test set should never choose; the bundled default
# now scores with the transfer ranker learnt on other thesauri (``bundled.transfer_ranker``).
HAND_WEIGHTS: dict[str, float] = {
    "exact": 0.7,
    "subsumed": -0.2,
    "fuzzy": 0.45,
    "partial": 0.0,
    "earliness": 1.2,
    "spread": 0.5,
    "length": 0.5,
    "generality": -0.4,
    "ambiguity": -0.8,
    "pref": 0.1,
    "narrower": 0.3,
    "related": 0.1,
    "broader": 0.6,
    "first_pos": 0.0,
    "relfreq": 0.3,
    "doclen": 0.0,
    "commonness": -2.5,
    "keyphraseness": 0.0,
    "prior": 0.0,
    "derived": 0.0,
}
HAND_BIAS = -3.0


def hand_scores(rows: np.ndarray) -> np.ndarray:
    """Zero-shot scores from the hand weights."""
    weights = np.array([HAND_WEIGHTS[f] for f in FEATURES], dtype=np.float64)
    return sigmoid(rows.astype(np.float64) @ weights + HAND_BIAS).astype(np.float32)


@dataclass
class CorpusStats:
    """What a background corpus taught: per concept, documents matching it (``df``), documents it was
    assigned to (``gold``) and both (``hit``); ``n_labelled`` counts documents with any subject."""

    df: np.ndarray
    gold: np.ndarray
    hit: np.ndarray
    n_docs: int
    n_labelled: int

    @classmethod
    def empty(cls, n_concepts: int) -> CorpusStats:
        zeros = np.zeros(n_concepts, dtype=np.int32)
        return cls(zeros, zeros.copy(), zeros.copy(), 0, 0)

    def fill(self, concepts: np.ndarray, rows: np.ndarray, own_gold: set[int] | None = None) -> None:
        """Set the corpus columns of ``rows`` in place. ``own_gold`` (training only): the document is
        part of the background, so its own contribution is left out (leave-one-out), else the ranker
        would learn from statistics that already know the answer."""
        if self.n_docs == 0:
            return
        own = 1 if own_gold is not None else 0
        df = self.df[concepts].astype(np.float64) - own
        own_hit = np.array([c in own_gold for c in concepts.tolist()], dtype=np.float64) if own_gold else 0.0
        hit = self.hit[concepts] - own_hit
        gold = self.gold[concepts] - own_hit
        n_docs = max(self.n_docs - own, 1)
        rows[:, COL["commonness"]] = np.log1p(np.maximum(df, 0)) / np.log1p(n_docs)
        if self.n_labelled:
            base = max(float(self.hit.sum()) / max(float(self.df.sum()), 1.0), 1e-3)
            rows[:, COL["keyphraseness"]] = (np.maximum(hit, 0) + 2.0 * base) / (np.maximum(df, 0) + 2.0)
            rows[:, COL["prior"]] = np.log1p(np.maximum(gold, 0)) / np.log1p(max(self.n_labelled - own, 1))


@dataclass
class LogisticRanker:
    """Standardised features -> logistic regression; all state is four arrays (saved in .npz)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def train(cls, rows: np.ndarray, labels: np.ndarray, c: float = 1.0) -> LogisticRanker:
        from sklearn.linear_model import LogisticRegression

        mean = rows.mean(axis=0)
        scale = rows.std(axis=0)
        scale[scale < 1e-9] = 1.0
        model = LogisticRegression(C=c, max_iter=2000)
        model.fit((rows - mean) / scale, labels)
        return cls(mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]))

    def scores(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        return sigmoid(z).astype(np.float32)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "ranker_mean": self.mean,
            "ranker_scale": self.scale,
            "ranker_coef": self.coef,
            "ranker_intercept": np.array([self.intercept]),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> LogisticRanker:
        coef = arrays["ranker_coef"]
        if coef.shape != (N_FEATURES,):
            raise ValueError(f"ranker has {coef.shape} coefficients, expected {N_FEATURES}")
        return cls(arrays["ranker_mean"], arrays["ranker_scale"], coef, float(arrays["ranker_intercept"][0]))

    def weights(self) -> dict[str, float]:
        """Coefficients by feature name (on standardised features), for reports."""
        return {f: round(float(w), 3) for f, w in zip(FEATURES, self.coef, strict=True)}
