"""The learned ranker: gradient-boosted trees (LightGBM) that score candidate (document, label) pairs.

One module serves the default pipeline (its candidates from every member, ranked per document with
``lambdarank``) and the matcher's learned mode (its label matches, classified with ``binary``). Saved in
LightGBM's own text format (no pickle); LightGBM is imported only when a ranker is trained or loaded.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Self

import numpy as np

Objective = Literal["lambdarank", "binary"]
#: Libraries LightGBM's wrappers import when they can; only its Booster is used here.
_WRAPPED = ("sklearn", "dask", "pandas")


def lightgbm() -> ModuleType:
    """LightGBM, imported without its scikit-learn, Dask and pandas wrappers unless those are loaded
    already: their import would cost ``unbis suggest`` with the bundled default about 1.5 s of start-up
    (its scorer is a LightGBM ranker), and only ``Booster`` and ``train`` are used. A library blocked here
    imports normally afterwards."""
    if "lightgbm" in sys.modules:
        return sys.modules["lightgbm"]
    blocked = [name for name in _WRAPPED if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # ``import name`` now raises ImportError
    try:
        import lightgbm as lgb
    finally:
        for name in blocked:
            del sys.modules[name]
    return lgb


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, clipped so that it never overflows."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass(frozen=True)
class RankerSettings:
    """How the ranker learns.

    Parameters
    ----------
    objective : ``lambdarank`` ranks each document's candidates against each other (one query per
        document, top-heavy as F1@5 and nDCG are); ``binary`` classifies every pair on its own.
    rounds, learning_rate, num_leaves, min_data_in_leaf : LightGBM's settings.
    seed : the first booster's seed; the others take the next ones.
    boosters : boosters averaged. With more than one, each samples rows and features per tree, so that
        their average varies less than one booster learnt from few queries.
    truncation : lambdarank's truncation level (candidates per document that the gradient looks at).
    threads : threads used while training. Prediction always runs on one: see ``predict``.
    """

    objective: Objective = "binary"
    rounds: int = 100
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_data_in_leaf: int = 50
    seed: int = 0
    boosters: int = 1
    truncation: int = 20
    threads: int = 2

    def lightgbm_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "objective": self.objective, "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf, "verbose": -1, "num_threads": self.threads,
            "seed": self.seed, "deterministic": True}
        if self.objective == "lambdarank":
            params["lambdarank_truncation_level"] = self.truncation
        if self.boosters > 1:
            params.update(bagging_fraction=0.8, bagging_freq=1, feature_fraction=0.8)
        return params


class GradientBoostedRanker:
    """Boosted trees over candidate features, averaged over ``settings.boosters`` seeds.

    Parameters
    ----------
    settings : how it learns.

    Attributes
    ----------
    boosters_ : list of lightgbm.Booster
        The trained boosters (their raw outputs are averaged).
    """

    boosters_: list[Any]

    def __init__(self, settings: RankerSettings | None = None) -> None:
        self.settings = settings or RankerSettings()

    def fit(self, features: np.ndarray, target: np.ndarray, groups: np.ndarray | None = None) -> Self:
        """Learn from candidate rows ``features`` and their 0/1 ``target``; ``groups`` (lambdarank): the
        number of consecutive rows of each document."""
        lgb = lightgbm()
        s = self.settings
        data = lgb.Dataset(features, target, group=groups) if s.objective == "lambdarank" else lgb.Dataset(
            features, target)
        params = s.lightgbm_params()
        self.boosters_ = [lgb.train({**params, "seed": s.seed + r}, data, num_boost_round=s.rounds)
                          for r in range(s.boosters)]
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        """The boosters' mean output per row (float64): a ranking score for ``lambdarank``, a
        probability for ``binary``.

        One thread: rows per call are few, parallelism comes from worker processes, and libgomp
        (LightGBM's OpenMP) deadlocks in a process forked after it has run its thread pool, as the
        workers of ``unbis index --jobs N`` are.
        """
        if len(features) == 0:
            return np.zeros(0)
        return np.mean([np.asarray(b.predict(features, num_threads=1), dtype=np.float64) for b in self.boosters_],
                       axis=0)

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] (float32) that keep ``predict``'s order."""
        raw = self.predict(features)
        return (sigmoid(raw) if self.settings.objective == "lambdarank" else raw).astype(np.float32)

    def importance(self, names: list[str]) -> dict[str, float]:
        """Each feature's share of the split gain, by name, for reports."""
        gains = np.sum([b.feature_importance("gain") for b in self.boosters_], axis=0)
        total = float(gains.sum()) or 1.0
        return {f: round(float(g) / total, 3) for f, g in zip(names, gains, strict=True)}

    # -- persistence ----------------------------------------------------------------------------
    @staticmethod
    def files(path: Path, boosters: int) -> list[Path]:
        """Where the boosters of a ranker saved at ``path`` live: ``path`` itself, then ``stem-1``...."""
        return [path if r == 0 else path.with_name(f"{path.stem}-{r}{path.suffix}") for r in range(boosters)]

    def save(self, path: Path) -> None:
        for booster, file in zip(self.boosters_, self.files(path, len(self.boosters_)), strict=True):
            booster.save_model(str(file))

    @classmethod
    def load(cls, path: Path, settings: RankerSettings, n_features: int | None = None) -> Self:
        """The ranker saved at ``path``; ValueError when it does not read ``n_features`` columns."""
        lgb = lightgbm()
        ranker = cls(settings)
        ranker.boosters_ = [lgb.Booster(model_file=str(f)) for f in cls.files(path, settings.boosters)]
        found = {b.num_feature() for b in ranker.boosters_}
        if n_features is not None and found != {n_features}:
            raise ValueError(f"ranker has {sorted(found)} features, expected {n_features}")
        return ranker
