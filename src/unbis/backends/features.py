"""Shared tf-idf features over analyzer terms: word uni+bigrams (optionally character n-grams for
Chinese), sublinear tf, l2 norm. One fitted vectoriser feeds the linear, omikuji, knn and ensemble
backends so a text is analysed once. Saved as a JSON term list plus an ``.npz`` idf array (no pickle).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis.backends.base import Backend, load_arrays, load_json, save_arrays, save_json
from unbis.backends.params import check
from unbis.corpus.document import Document
from unbis.errors import InputError, NotFittedError
from unbis.parallel import parallel_imap

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


def normalise_rows(m: sp.spmatrix) -> sp.csr_matrix:
    """``m`` with every nonzero row scaled to unit L2 norm (float32)."""
    m = sp.csr_matrix(m, dtype=np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ m)


def label_matrix(documents: Sequence[Document], n_labels: int) -> sp.csr_matrix:
    """Documents x labels 0/1 matrix of gold subjects (out-of-range ids are an input error)."""
    return subjects_matrix([doc.subjects for doc in documents], n_labels,
                           lambda i: documents[i].source or documents[i].name)


def subjects_matrix(
    subjects: Sequence[Sequence[int]], n_labels: int, name_of: Callable[[int], str] | None = None,
) -> sp.csr_matrix:
    """Documents x labels 0/1 matrix from each document's subject ids; an id outside the vocabulary is
    an input error naming the document (``name_of(i)``, else its position)."""
    indptr = [0]
    indices: list[int] = []
    for i, ids in enumerate(subjects):
        unique = sorted(set(ids))
        if unique and (unique[0] < 0 or unique[-1] >= n_labels):
            where = name_of(i) if name_of else f"document {i + 1}"
            raise InputError(f"{where}: subject id outside the vocabulary of {n_labels}")
        indices.extend(unique)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, np.array(indices, dtype=np.int32), np.array(indptr)),
                         shape=(len(subjects), n_labels))


class LabelledDocuments:
    """The documents of a training corpus that carry subjects, re-iterable when the corpus is (a
    one-shot iterator is read into memory once, so that training may take several passes)."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents = list(documents) if iter(documents) is documents else documents

    def __iter__(self) -> Iterator[Document]:
        return (doc for doc in self.documents if doc.subjects)

    def texts(self, on_subjects: Callable[[list[int]], None]) -> Iterator[str]:
        """Each document's text, handing its subjects to ``on_subjects`` first (one streamed pass)."""
        for doc in self:
            on_subjects(list(doc.subjects))
            yield doc.text

    def fit_features(self, features: TfidfFeatures, n_labels: int, who: str) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """One streamed pass: ``features`` learnt from the texts (on every core), and the documents x
        labels matrix. No labelled document is an input error naming the backend ``who``."""
        subjects: list[list[int]] = []
        try:
            x = features.fit_transform(self.texts(subjects.append), jobs=0)
        except InputError:
            if not subjects:
                raise InputError(f"{who} needs labelled documents; the training corpus has none") from None
            raise
        return x, subjects_matrix(subjects, n_labels)


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
            feats.extend(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
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
                ids = np.fromiter((index.setdefault(t, len(index)) for t in terms), np.int64, len(terms))
            else:
                ids = np.fromiter((index.get(t, -1) for t in terms), np.int64, len(terms))
            yield _remap(chunk, ids)

    def _count_group(self, texts: list[str]) -> tuple[list[str], _Chunk]:
        """Counts of ``texts`` with ids of a vocabulary of their own, and that vocabulary's terms."""
        local: dict[str, int] = {}
        chunks = list(self._count_rows(texts, local, grow=True))
        return list(local), _concat(chunks)

    def _count_rows(self, texts: Iterable[str], index: dict[str, int], grow: bool) -> Iterator[_Chunk]:
        """Raw term counts in chunks of ``CHUNK_DOCS`` documents as numpy arrays (int32 column ids,
        float32 counts, int64 row lengths): Python lists of ints would cost ~10x the memory. With
        ``grow`` unseen terms get the next id in ``index``; otherwise they are ignored."""
        indices: list[int] = []
        counts: list[int] = []
        lengths: list[int] = []
        for text in texts:
            row: dict[int, int] = {}
            for f in self.features_of(text):
                j = index.setdefault(f, len(index)) if grow else index.get(f)
                if j is not None:
                    row[j] = row.get(j, 0) + 1
            indices.extend(row.keys())
            counts.extend(row.values())
            lengths.append(len(row))
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
        index: dict[str, int] = {}
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


def top_k_sparse(scores: np.ndarray | sp.spmatrix, k: int, positive: bool = True) -> sp.csr_matrix:
    """Keep the ``k`` best scores of each row as CSR: positive ones only, or with ``positive=False``
    any nonzero ones (raw model outputs that rank candidates below zero too)."""
    if sp.issparse(scores) and positive:
        return _top_k_stored(sp.csr_matrix(scores), k)
    dense = np.asarray(scores.todense()) if sp.issparse(scores) else np.asarray(scores)  # type: ignore[union-attr]
    n, m = dense.shape
    k = min(k, m)
    if n == 0 or k == 0:
        return sp.csr_matrix((n, m), dtype=np.float32)
    idx = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(dense, idx, axis=1)
    rows = np.repeat(np.arange(n), k)
    mask = vals.ravel() > 0 if positive else vals.ravel() != 0
    return sp.csr_matrix((vals.ravel()[mask].astype(np.float32), (rows[mask], idx.ravel()[mask])),
                         shape=(n, m))


def strongest_per_row(x: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """``x`` keeping each row's ``n`` largest stored entries (``x`` itself when no row has more)."""
    lengths = np.diff(x.indptr)
    if lengths.max(initial=0) <= n:
        return x
    keep = np.zeros(x.nnz, dtype=bool)
    for i in np.flatnonzero(lengths):
        lo, hi = x.indptr[i], x.indptr[i + 1]
        row = x.data[lo:hi]
        keep[lo + (np.argpartition(-row, n - 1)[:n] if hi - lo > n else np.arange(hi - lo))] = True
    rows = np.repeat(np.arange(x.shape[0]), lengths)[keep]
    return sp.csr_matrix((x.data[keep], (rows, x.indices[keep])), shape=x.shape)


def _top_k_stored(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """``top_k_sparse`` of a sparse matrix's positive scores, selected over its stored entries: a
    sparse row need not be made dense (knn similarities to 200k training documents: 1.2 ms/text less)."""
    if k < 1:
        return sp.csr_matrix(m.shape, dtype=np.float32)
    best = strongest_per_row(m, k)
    keep = best.data > 0
    rows = np.repeat(np.arange(best.shape[0]), np.diff(best.indptr))[keep]
    return sp.csr_matrix((best.data[keep].astype(np.float32), (rows, best.indices[keep])), shape=best.shape)


def in_row_blocks(x: sp.csr_matrix, score: Callable[[sp.csr_matrix], sp.csr_matrix], rows: int) -> sp.csr_matrix:
    """``score`` applied to blocks of ``rows`` rows of ``x``, stacked: bounds the dense intermediate
    (block x training documents) whatever the number of texts scored at once."""
    if x.shape[0] <= rows:
        return score(x)
    return sp.csr_matrix(sp.vstack([score(x[lo : lo + rows]) for lo in range(0, x.shape[0], rows)], format="csr"))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


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


def make_features(backend: Backend, params: FeatureParams) -> TfidfFeatures:
    """A feature extractor configured from ``params`` that analyses text like ``backend``'s context."""
    ctx = backend.context
    return TfidfFeatures(lambda text: ctx.analyzer_for(text).terms(text), ngram_max=params.ngram_max,
                         char_ngrams=params.char_ngrams, min_df=params.min_df,
                         max_features=params.max_features, max_chars=params.max_chars)


class FeatureBackend(Backend):
    """A backend that learns from a tf-idf matrix. The ensemble calls ``fit_matrix``/``score_matrix``
    directly with features it computed once for all members."""

    features_: TfidfFeatures

    def _fit(self, documents: Iterable[Document]) -> None:
        self.features_ = make_features(self, self.params)
        x, y = LabelledDocuments(documents).fit_features(self.features_, len(self.context.vocab), self.name)
        self.fit_matrix(x, y, self.concept_rows(self.features_))

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.score_matrix(self.features_.transform(texts))

    def _save(self, directory: Path) -> None:
        self.features_.save(directory)
        self.save_matrix_model(directory)

    def _load(self, directory: Path) -> None:
        ctx = self.context
        self.features_ = TfidfFeatures.load(directory, lambda text: ctx.analyzer_for(text).terms(text))
        self.load_matrix_model(directory)

    # -- hooks on matrices ----------------------------------------------------------------------
    def concept_rows(self, features: TfidfFeatures) -> sp.csr_matrix | None:
        """One feature row per concept (by id) that this backend also learns from, made with the fitted
        ``features``; none by default. Callers pass them to ``fit_matrix`` as ``concepts``."""
        return None

    def fit_matrix(self, x: sp.csr_matrix, y: sp.csr_matrix, concepts: sp.csr_matrix | None = None) -> None:
        """Learn from documents x features ``x`` and documents x labels 0/1 ``y`` (and ``concepts``,
        the feature rows of ``concept_rows()``, given only when there are any)."""
        raise NotImplementedError

    def score_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """Documents x labels scores in [0, 1] for feature rows ``x``."""
        raise NotImplementedError

    def training_rows(self, y: sp.csr_matrix) -> np.ndarray | None:
        """The rows that ``fit_matrix`` learns from when it uses only some (None: all of them), so
        that a caller can build the inputs of those rows only."""
        return None

    def rank_matrix(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """Scores that rank each row's candidates, on the model's own scale (any real number): what a
        learned ranker should see. ``score_matrix`` by default; a model whose scores are clipped
        to [0, 1] gives its raw outputs here, so that labels it scores below zero still rank."""
        return self.score_matrix(x)

    def fit_out_of_fold(
        self, x: sp.csr_matrix, y: sp.csr_matrix, fold_of: np.ndarray, concepts: sp.csr_matrix | None = None,
    ) -> sp.csr_matrix | None:
        """Fit on all rows and return every row's ``rank_matrix`` scores from a model that never saw
        its fold (``fold_of``: each row's fold), if this backend can do so without one fit per fold;
        else None, and the caller fits one model per fold."""
        return None

    def save_matrix_model(self, directory: Path) -> None:
        raise NotImplementedError

    def load_matrix_model(self, directory: Path) -> None:
        raise NotImplementedError
