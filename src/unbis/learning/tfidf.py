"""The tf-idf vectoriser over analyzer terms: word uni+bigrams (optionally character n-grams, for
Chinese), sublinear tf, l2 norm. One fitted vectoriser feeds every tf-idf backend of a pipeline, so a
text is analysed once. Saved as a JSON term list plus an ``.npz`` idf array (no pickle).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis.backends.params import check
from unbis.errors import InputError, NotFittedError
from unbis.parallel import parallel_imap
from unbis.persistence import load_arrays, load_json, save_arrays, save_json

FEATURES_JSON = "features.json"
FEATURES_NPZ = "features.npz"
CHUNK_DOCS = 2000  # documents analysed into one numpy chunk
PARALLEL_GROUP = 250  # documents per task when several processes analyse


@dataclass
class _Chunk:
    """Raw term counts of consecutive documents: column ids, counts, and terms per document."""

    indices: np.ndarray
    counts: np.ndarray
    lengths: np.ndarray


def _remap(c: _Chunk, column: np.ndarray) -> _Chunk:
    """``c`` with ids mapped through ``column``; entries mapped to -1 are dropped."""
    new = column[c.indices]
    keep = new >= 0
    rows = np.repeat(np.arange(c.lengths.size), c.lengths)
    lengths = np.bincount(rows[keep], minlength=c.lengths.size).astype(np.int64)
    return _Chunk(new[keep].astype(np.int32), c.counts[keep], lengths)


def _concat(chunks: list[_Chunk]) -> _Chunk:
    if not chunks:
        return _Chunk(np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.int64))
    return _Chunk(*(np.concatenate([getattr(c, f) for c in chunks]) for f in ("indices", "counts", "lengths")))


def _groups(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    group: list[str] = []
    for text in texts:
        group.append(text)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


class _Growing(dict[str, int]):
    """A term -> id map that gives an unseen term the next id when it is looked up: ``map(index.__getitem__,
    terms)`` then numbers a document's terms in order of first appearance at C speed (only a miss
    calls back into Python)."""

    def __missing__(self, term: str) -> int:
        j = self[term] = len(self)
        return j


def _prune(index: dict[str, int], chunks: list[_Chunk], min_df: int) -> list[_Chunk]:
    """Drop terms seen in fewer than ``min_df`` documents so far from ``index`` (in place: the
    analysing generator holds it) and from ``chunks``; ids are renumbered in order."""
    df = np.zeros(len(index), dtype=np.int64)
    for c in chunks:
        df += np.bincount(c.indices, minlength=len(index))
    column = np.full(len(index), -1, dtype=np.int64)
    kept = np.flatnonzero(df >= min_df)
    column[kept] = np.arange(kept.size)
    new_index = {t: int(column[j]) for t, j in index.items() if column[j] >= 0}
    index.clear()
    index.update(new_index)
    return [_remap(c, column) for c in chunks]


class TfidfFeatures:
    """A tf-idf vectoriser over analyzer terms with a saved vocabulary (term -> column)."""

    def __init__(
        self,
        terms_of: Callable[[str], list[str]],
        ngram_max: int = 2,
        char_ngrams: int = 0,
        min_df: int = 2,
        max_features: int = 300_000,
        max_chars: int = 0,
        max_seen: int = 4_000_000,
    ) -> None:
        self.terms_of = terms_of
        self.ngram_max = ngram_max
        self.char_ngrams = char_ngrams  # >0: also character n-grams of that length inside each term
        self.min_df = min_df
        self.max_features = max_features
        self.max_chars = max_chars  # 0 = whole text; long texts can be cut to bound time
        self.max_seen = max_seen  # running vocabulary size that triggers pruning of one-off terms
        self.vocabulary_: dict[str, int] | None = None
        self.idf_: np.ndarray | None = None

    # -- analysis ------------------------------------------------------------------------------
    def features_of(self, text: str) -> list[str]:
        """Index terms of one text: unigrams, bigrams of adjacent terms, optional character n-grams."""
        if self.max_chars:
            text = text[: self.max_chars]
        words = self.terms_of(text)
        feats = list(words)
        if self.ngram_max >= 2:
            feats.extend(map(" ".join, zip(words, words[1:])))  # noqa: B905 (one shorter by design)
        if self.char_ngrams > 0:
            n = self.char_ngrams
            for w in words:
                if len(w) > n:
                    feats.extend("#" + w[i : i + n] for i in range(len(w) - n + 1))
        return feats

    # -- fitting -------------------------------------------------------------------------------
    def _count(self, texts: Iterable[str], index: dict[str, int], grow: bool, jobs: int) -> Iterator[_Chunk]:
        """``_count_rows``, on ``jobs`` forked processes unless ``jobs`` is 1: each worker counts a
        group of texts against its own vocabulary and this process maps the group's distinct terms
        to ``index`` (a group has far fewer distinct terms than term occurrences)."""
        if jobs == 1:
            yield from self._count_rows(texts, index, grow)
            return
        for terms, chunk in parallel_imap(self._count_group, _groups(texts, PARALLEL_GROUP), jobs):
            if grow:
                ids = np.fromiter(map(index.__getitem__, terms), np.int64, len(terms))
            else:
                ids = np.fromiter(map(index.get, terms, repeat(-1)), np.int64, len(terms))
            yield _remap(chunk, ids)

    def _count_group(self, texts: list[str]) -> tuple[list[str], _Chunk]:
        """Counts of ``texts`` with ids of a vocabulary of their own, and that vocabulary's terms."""
        local = _Growing()
        chunks = list(self._count_rows(texts, local, grow=True))
        return list(local), _concat(chunks)

    def _count_rows(self, texts: Iterable[str], index: dict[str, int], grow: bool) -> Iterator[_Chunk]:
        """Raw term counts in chunks of ``CHUNK_DOCS`` documents as numpy arrays (int32 column ids,
        float32 counts, int64 row lengths): Python lists of ints would cost ~10x the memory. With
        ``grow`` (``index`` a ``_Growing``) unseen terms get the next id in ``index``, in order of first
        appearance; otherwise they are ignored. Counting runs in C (``Counter``), and so does the id
        lookup of a document's distinct terms."""
        if grow and not isinstance(index, _Growing):
            raise TypeError("a growing count needs a _Growing index")
        indices: list[int] = []
        counts: list[int] = []
        lengths: list[int] = []
        for text in texts:
            counted = Counter(self.features_of(text))  # keys in order of first appearance
            if grow:
                indices.extend(map(index.__getitem__, counted))
                counts.extend(counted.values())
                lengths.append(len(counted))
            else:
                kept = [(j, n) for j, n in zip(map(index.get, counted), counted.values(), strict=True)
                        if j is not None]
                indices.extend(j for j, _ in kept)
                counts.extend(n for _, n in kept)
                lengths.append(len(kept))
            if len(lengths) == CHUNK_DOCS:
                yield _Chunk(np.array(indices, np.int32), np.array(counts, np.float32), np.array(lengths, np.int64))
                indices, counts, lengths = [], [], []
        if lengths:
            yield _Chunk(np.array(indices, np.int32), np.array(counts, np.float32), np.array(lengths, np.int64))

    def fit_transform(self, texts: Iterable[str], jobs: int = 1) -> sp.csr_matrix:
        """Learn vocabulary and idf from ``texts`` and return their tf-idf matrix (one analysis pass;
        ``jobs`` processes analyse, 0 = every core).

        Memory stays bounded on large corpora: counts are kept as compact numpy chunks, and whenever
        the running vocabulary exceeds ``max_seen`` terms, terms seen in a single document so far are
        dropped (mostly one-off bigrams; a dropped term that comes back later counts from zero)."""
        index = _Growing()
        chunks: list[_Chunk] = []
        for chunk in self._count(texts, index, True, jobs):
            chunks.append(chunk)
            if len(index) > self.max_seen:
                seen = sum(c.lengths.size for c in chunks)
                min_df = 2
                # Prune down to half the limit so that pruning does not repeat at every chunk.
                while len(index) > self.max_seen // 2 and min_df <= seen:
                    chunks = _prune(index, chunks, min_df)
                    min_df += 1
        n_docs = sum(c.lengths.size for c in chunks)
        if n_docs == 0:
            raise InputError("no documents to learn features from")
        df = np.zeros(len(index), dtype=np.int64)
        for c in chunks:
            df += np.bincount(c.indices, minlength=len(index))
        keep = np.flatnonzero(df >= min(self.min_df, max(1, n_docs // 2)))
        if keep.size > self.max_features:
            # The most frequent features carry most evidence; ties broken by first appearance.
            keep = np.sort(keep[np.argsort(-df[keep], kind="stable")[: self.max_features]])
        if keep.size == 0:
            raise InputError("the training texts yield no index terms (empty or all stop words?)")
        terms = np.empty(len(index), dtype=object)
        for t, j in index.items():
            terms[j] = t
        self.vocabulary_ = {str(terms[j]): i for i, j in enumerate(keep)}
        del terms, index
        # Smoothed idf as in scikit-learn: log((1+n)/(1+df)) + 1.
        self.idf_ = (np.log((1 + n_docs) / (1 + df[keep])) + 1).astype(np.float32)
        column = np.full(df.size, -1, dtype=np.int64)
        column[keep] = np.arange(keep.size)
        return self._assemble(chunks, column)

    def transform(self, texts: Iterable[str], jobs: int = 1) -> sp.csr_matrix:
        """tf-idf rows for ``texts`` with the fitted vocabulary (unknown terms are ignored; ``jobs``
        as in ``fit_transform``)."""
        if self.vocabulary_ is None:
            raise NotFittedError("the feature extractor is not fitted")
        return self._assemble(list(self._count(texts, self.vocabulary_, False, jobs)), None)

    def _assemble(self, chunks: list[_Chunk], column: np.ndarray | None) -> sp.csr_matrix:
        """One weighted CSR matrix from count chunks, remapping ids through ``column`` (-1 = drop).
        Chunks are released as they are consumed so raw counts and the result barely coexist."""
        assert self.idf_ is not None
        n_rows = sum(c.lengths.size for c in chunks)
        datas: list[np.ndarray] = []
        idxs: list[np.ndarray] = []
        lengths: list[np.ndarray] = []
        while chunks:
            c = chunks.pop(0)
            if column is not None:
                c = _remap(c, column)
            datas.append(c.counts)
            idxs.append(c.indices)
            lengths.append(c.lengths)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        if lengths:
            np.cumsum(np.concatenate(lengths), out=indptr[1:])
        data = np.concatenate(datas) if datas else np.zeros(0, np.float32)
        del datas
        indices = np.concatenate(idxs) if idxs else np.zeros(0, np.int32)
        del idxs
        if indptr[-1] <= 2**31 - 1:
            indptr = indptr.astype(np.int32)
        x = sp.csr_matrix((data, indices, indptr), shape=(n_rows, len(self.idf_)), copy=False)
        x.sort_indices()
        return self._weight(x)

    def _weight(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """Sublinear tf x idf, l2-normalised rows, in place on ``x``'s arrays (no copies at scale)."""
        assert self.idf_ is not None
        data = x.data
        np.log(data, out=data)
        data += 1.0  # sublinear tf: long documents do not drown short ones
        data *= self.idf_[x.indices]
        lengths = np.diff(x.indptr)
        sq = np.zeros(x.shape[0], dtype=np.float64)
        nonempty = lengths > 0
        if nonempty.any():
            sq[nonempty] = np.add.reduceat(np.square(data, dtype=np.float64), x.indptr[:-1][nonempty])
        norms = np.sqrt(sq).astype(np.float32)
        norms[norms == 0] = 1.0
        data /= np.repeat(norms, lengths)
        return x

    def analysed_by(self, terms_of: Callable[[str], list[str]]) -> TfidfFeatures:
        """This fitted extractor with another analysis, e.g. a known language's instead of detection (the
        vocabulary and idf are shared, not copied)."""
        other = copy.copy(self)
        other.terms_of = terms_of
        return other

    @property
    def n_features(self) -> int:
        return len(self.vocabulary_ or {})

    # -- persistence ---------------------------------------------------------------------------
    def save(self, directory: Path, prefix: str = "") -> None:
        if self.vocabulary_ is None or self.idf_ is None:
            raise NotFittedError("the feature extractor is not fitted; nothing to save")
        terms = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        save_json(directory / (prefix + FEATURES_JSON), {
            "ngram_max": self.ngram_max, "char_ngrams": self.char_ngrams, "min_df": self.min_df,
            "max_features": self.max_features, "max_chars": self.max_chars, "terms": terms,
        })
        save_arrays(directory / (prefix + FEATURES_NPZ), idf=self.idf_)

    @classmethod
    def load(cls, directory: Path, terms_of: Callable[[str], list[str]], prefix: str = "") -> TfidfFeatures:
        meta = load_json(directory / (prefix + FEATURES_JSON))
        feats = cls(terms_of, ngram_max=meta["ngram_max"], char_ngrams=meta["char_ngrams"],
                    min_df=meta["min_df"], max_features=meta["max_features"], max_chars=meta["max_chars"])
        feats.vocabulary_ = {t: i for i, t in enumerate(meta["terms"])}
        feats.idf_ = load_arrays(directory / (prefix + FEATURES_NPZ))["idf"].astype(np.float32)
        if feats.idf_.shape[0] != len(feats.vocabulary_):
            raise NotFittedError(f"{directory}: feature vocabulary and idf disagree; retrain the project")
        return feats


@dataclass(frozen=True)
class FeatureParams:
    """Feature settings shared by the backends built on ``TfidfFeatures``.

    ngram_max: 1 = words, 2 = words and bigrams. char_ngrams: >0 adds character n-grams of that length
    inside each term (useful for Chinese). min_df: drop features seen in fewer documents.
    max_features: keep at most this many (most frequent). max_chars: analyse only the first N characters (0 = all).
    """

    ngram_max: int = 2
    char_ngrams: int = 0
    min_df: int = 2
    max_features: int = 300_000
    max_chars: int = 0

    def __post_init__(self) -> None:
        check(self.ngram_max in (1, 2), f"ngram_max must be 1 or 2, not {self.ngram_max}")
        check(0 <= self.char_ngrams <= 5, f"char_ngrams must be 0..5, not {self.char_ngrams}")
        check(self.min_df >= 1, f"min_df must be >= 1, not {self.min_df}")
        check(self.max_features >= 1, f"max_features must be >= 1, not {self.max_features}")
        check(self.max_chars >= 0, f"max_chars must be >= 0, not {self.max_chars}")
