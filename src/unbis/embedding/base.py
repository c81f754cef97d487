"""The embedder contract: texts in, L2-normalised float32 rows out, the same rows for the same texts."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from importlib.metadata import version as package_version
from typing import Any, ClassVar

import numpy as np


class Embedder(ABC):
    """A multilingual sentence encoder whose weights ship inside an installed package.

    Subclasses set ``name`` and implement ``_load`` (import the package, read the weights: called once,
    on first use, so constructing an embedder is free) and ``_embed`` (one batch of texts). ``embed``
    splits its input into batches of ``batch_size`` texts, so the peak memory of one call does not grow
    with the number of texts, and returns one L2-normalised float32 row per text.

    Attributes
    ----------
    name:
        Registry name (``unbis.embedding.registry``).
    version:
        Identifies the weights: the package name and version. Saved label embeddings record it, and are
        refused when it differs (an embedding from other weights would be compared to nonsense).
    dim:
        Length of an embedding row.
    """

    name: ClassVar[str]
    dim: ClassVar[int]
    #: the installed distribution that holds the weights (its version is the weights' version)
    package: ClassVar[str]
    #: texts handed to the model at once
    batch_size: ClassVar[int] = 64

    def __init__(self) -> None:
        self._loaded = False
        self._model: Any = None

    @property
    def version(self) -> str:
        return f"{self.package}=={package_version(self.package)}"

    def load(self) -> None:
        """Read the weights now (otherwise the first ``embed`` does)."""
        if not self._loaded:
            self._load()
            self._loaded = True

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``: an array (len(texts), dim) of float32 rows of unit length (zero rows for
        texts the model gives no vector for, e.g. empty ones)."""
        self.load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for lo in range(0, len(texts), self.batch_size):
            batch = [t if t.strip() else "" for t in texts[lo : lo + self.batch_size]]
            keep = [i for i, t in enumerate(batch) if t]
            if not keep:
                continue
            rows = np.asarray(self._embed([batch[i] for i in keep]), dtype=np.float32)
            out[lo + np.asarray(keep)] = rows
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    @abstractmethod
    def _load(self) -> None: ...

    @abstractmethod
    def _embed(self, texts: list[str]) -> np.ndarray: ...
