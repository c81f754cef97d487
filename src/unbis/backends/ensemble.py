"""The default pipeline: member backends propose candidates, a learned ranker (LightGBM) scores them.

Each (document, candidate label) pair is described by every member's score and rank, how many
members proposed it, the label's prior frequency and lexical evidence (how much of the label's
wording occurs in the text and in its opening lines). The ranker is trained on out-of-fold member
predictions over the training corpus: member models that never saw a document score it, so the
ranker learns how members behave on unseen text. Evaluation data is never used.

The thesaurus ``matcher`` member is used zero-shot: each text is matched once (its opening
``match_chars``), every matched label becomes a candidate, and the matcher's evidence row (exact /
fuzzy occurrences, first position, spread, hierarchy, ...) plus corpus statistics (how often a
matched label is assigned) become ranker features. On eurlex-en this lifted F1@5 from 0.325 to
0.410 and nDCG from 0.425 to 0.537 (train -> validation). Corpus statistics (label frequency,
matcher hit rate) are computed out of fold in training, like member scores, not leave-one-out;
with smaller ranker trees this gave eurlex-en F1@5 0.418, nDCG 0.547 and csl-zh (5-fold CV)
F1@5 0.357, nDCG 0.648 (from 0.332, 0.590). The ranker uses LightGBM lambdarank (one query per
document) by default; scores are mapped to [0, 1] with a sigmoid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import scipy.sparse as sp

from unbis.backends.base import Backend, Context, load_arrays, load_json, save_arrays, save_json
from unbis.backends.features import (
    FeatureBackend,
    FeatureParams,
    LabelledDocuments,
    TfidfFeatures,
    make_features,
    normalise_rows,
    sigmoid,
    top_k_sparse,
)
from unbis.backends.matcher.features import FEATURES as MATCHER_FEATURES
from unbis.backends.params import build_params, check
from unbis.backends.registry import backend_names, get_backend_class
from unbis.corpus.document import Document
from unbis.errors import IncompatibleModelError, InputError, ParameterError
from unbis.memory import release_freed_memory
from unbis.parallel import parallel_map

RANKER = "ranker.txt"
#: What the ranker learnt member scores as: ``rank_matrix`` (raw ridge outputs, not clipped to [0, 1]).
MEMBER_SCORES = "rank_matrix"
#: Members' settings that differ in the ensemble from the backend's own defaults: as a candidate
#: source, knn proposes the labels of more neighbours (csl-zh 5-fold CV F1@5 0.357 -> 0.362 with
#: candidates=60; eurlex-en train 3-fold CV level). The thesaurus ridge learns from at most 5,000
#: rows (up to 2,500 concepts, the least-seen first, and documents): its scoring cost grows with its
#: rows, and with 15,000 it cut 200k-model indexing from 108 to 75 docs/s (2 jobs); next to ``linear``
#: its value is in rare labels. Corpora of up to 2,500 concepts and 2,500 documents are unaffected.
#: Beside ``linear`` it also gains from half-weight thesaurus rows and a stronger penalty, together
#: with ``rankers=3`` (see EnsembleParams): measured as one change on fold seeds that did not choose it.
MEMBER_DEFAULTS: dict[str, Any] = {"knn.k": 25, "linear_thesaurus.max_train_docs": 5_000,
                                   "linear_thesaurus.concept_weight": 0.5, "linear_thesaurus.alpha": 0.3}
MATCHER = "matcher"
META = "ensemble.json"


@dataclass(frozen=True)
class EnsembleParams(FeatureParams):
    """members: comma-separated backend names (tf-idf members share one feature extractor; others,
    e.g. the thesaurus ``matcher``, get the texts). ``linear_thesaurus`` scores labels that no training
    document carries (eurlex-en train repeated 3-fold CV F1@5 / nDCG 0.4265 / 0.5643 without it,
    0.4303 / 0.5697 with it, every fold seed up; csl-zh and abo-en 5-fold CV level; benchmarks/ours_eval.py).
    It costs eurlex-en training peak RSS 642 -> 722 MiB (Annif: 913); 200k-model indexing with 2 jobs
    (scale.py) gave 146 docs/s without it, 113 and 122 with it in two runs on this shared machine.
    folds: out-of-fold splits for ranker training.
    candidates: best labels taken from each member (60 rather than 40: csl-zh 5-fold CV F1@5 +0.003,
    eurlex-en train 3-fold CV level). rounds/learning_rate/num_leaves/min_data_in_leaf:
    LightGBM settings (few, well-filled leaves: larger trees overfit the ~1,000 training queries; 3-fold CV on
    eurlex-en train and csl-zh).
    objective: LightGBM objective, ``lambdarank`` (ranks each document's candidates) or ``binary``.
    title_chars: size of the opening zone used for lexical evidence. title_members: tf-idf members that
    also see that zone as separate features (the document's row followed by title_weight times the
    zone's row, then L2-normalised), so that a term in the title weighs more than the same term deep in
    the body (linear on eurlex-en train, ranker 3-fold CV over two splits: F1@5 0.432 -> 0.436,
    nDCG 0.570 -> 0.575; short texts such as csl-zh abstracts lie wholly in the zone and score as
    before). match_chars: the thesaurus
    ``matcher`` reads only this many opening characters (0 = all; matching whole long texts is slow).
    top_k: labels returned. ranker_docs: above this many training documents the ranker learns from
    the out-of-fold predictions of a random sample of this size (with min(folds, 3) folds inside the
    sample; matcher statistics are estimated on it), while the final members learn from every document.
    member_oof: how members that score held-out documents without refitting (linear: ridge's exact
    deletion identity; knn: same-fold neighbours masked) hold them out: ``loo`` each document alone,
    closest to the final members fitted on every document, or ``folds`` as the others. Corpus
    statistics always use the folds. The two are level in quality (F1@5 / nDCG, loo vs folds: eurlex-en
    train 3-fold CV 0.431 / 0.569 vs 0.427 / 0.570; csl-zh 5-fold CV 0.357 / 0.646 vs 0.359 / 0.646).
    rankers: rankers averaged, each on its own seed with rows and features subsampled per tree: their
    average varies less than one ranker trained on ~1,000 queries. 3, with the thesaurus ridge's
    ``concept_weight=0.5 alpha=0.3`` (MEMBER_DEFAULTS), was chosen on eurlex-en train repeated 3-fold CV
    with fold seeds 42, 1, 2 (F1@5 / nDCG 0.4303 / 0.5697 -> 0.4329 / 0.5709), then confirmed on fresh
    fold seeds 3, 4, 5 (0.4304 / 0.5693 -> 0.4312 / 0.5712); csl-zh 5-fold CV 0.3581 / 0.6445 -> 0.3584 /
    0.6462, abo-en 5-fold CV 0.3298 / 0.4482 -> 0.3333 / 0.4511 (benchmarks/ours_eval.py). It triples
    the ranker's training time.
"""

    members: str = "linear,linear_thesaurus,knn,matcher"
    folds: int = 5
    candidates: int = 60
    objective: str = "lambdarank"
    rounds: int = 150
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_data_in_leaf: int = 50
    title_chars: int = 1500
    title_members: str = "linear,linear_thesaurus"
    title_weight: float = 1.0
    match_chars: int = 20_000
    top_k: int = 100
    seed: int = 0
    ranker_docs: int = 15_000
    member_oof: str = "loo"
    rankers: int = 3

    def __post_init__(self) -> None:
        super().__post_init__()
        names = self.member_names
        check(bool(names), "members must name at least one backend")
        check(len(set(names)) == len(names), f"members must not repeat: {self.members}")
        check("ensemble" not in names, "an ensemble cannot contain itself")
        unknown = [n for n in names if n not in backend_names()]
        check(not unknown, f"unknown member backend(s) {', '.join(unknown)}; available: {', '.join(backend_names())}")
        check(2 <= self.folds <= 20, f"folds must be 2..20, not {self.folds}")
        check(self.candidates >= 1, f"candidates must be >= 1, not {self.candidates}")
        check(self.objective in ("lambdarank", "binary"),
              f"objective must be lambdarank or binary, not {self.objective!r}")
        check(self.match_chars >= 0, f"match_chars must be >= 0, not {self.match_chars}")
        check(self.rounds >= 1, f"rounds must be >= 1, not {self.rounds}")
        check(0 < self.learning_rate <= 1, f"learning_rate must be in (0, 1], not {self.learning_rate}")
        check(self.num_leaves >= 2, f"num_leaves must be >= 2, not {self.num_leaves}")
        check(self.min_data_in_leaf >= 1, f"min_data_in_leaf must be >= 1, not {self.min_data_in_leaf}")
        check(self.title_chars >= 0, f"title_chars must be >= 0, not {self.title_chars}")
        check(self.title_weight >= 0, f"title_weight must be >= 0, not {self.title_weight}")
        check(self.top_k >= 1, f"top_k must be >= 1, not {self.top_k}")
        check(1 <= self.rankers <= 20, f"rankers must be 1..20, not {self.rankers}")
        check(self.member_oof in ("loo", "folds"), f"member_oof must be loo or folds, not {self.member_oof!r}")
        check(self.ranker_docs >= self.folds, f"ranker_docs must be >= folds, not {self.ranker_docs}")

    @property
    def member_names(self) -> list[str]:
        return [n.strip() for n in self.members.split(",") if n.strip()]

    @property
    def title_zone_members(self) -> list[str]:
        """Members that see the opening zone as separate features: those of ``title_members`` that are
        members (none when the weight is 0; ``members=knn`` needs no change to title_members)."""
        if self.title_weight == 0:
            return []
        wanted = {n.strip() for n in self.title_members.split(",")}
        return [n for n in self.member_names if n in wanted]


def _ranks(m: sp.csr_matrix) -> sp.csr_matrix:
    """Same structure as ``m`` with each entry's rank in its row (1 = best)."""
    m = sp.csr_matrix(m)
    ranks = np.empty_like(m.data)
    for i in range(m.shape[0]):
        lo, hi = m.indptr[i], m.indptr[i + 1]
        order = np.argsort(-m.data[lo:hi], kind="stable")
        ranks[lo + order] = np.arange(1, hi - lo + 1)
    return sp.csr_matrix((ranks, m.indices, m.indptr), shape=m.shape)


def _ranker_file(r: int) -> str:
    return RANKER if r == 0 else f"ranker-{r}.txt"


def _member_params(dotted: dict[str, Any], members: list[str]) -> dict[str, dict[str, Any]]:
    """``{"linear.alpha": "0.05"}`` -> ``{"linear": {"alpha": 0.05}}``: typed and validated by the
    member's parameter class; a key for a backend that is not a member is an error."""
    grouped: dict[str, dict[str, Any]] = {}
    for key, value in dotted.items():
        name, _, field = key.partition(".")
        if name not in members:
            raise ParameterError(f"parameter {key}: {name!r} is not a member of this ensemble "
                                 f"(members: {', '.join(members)})")
        grouped.setdefault(name, {})[field] = value
    typed: dict[str, dict[str, Any]] = {}
    for name, values in grouped.items():
        params: Any = build_params(get_backend_class(name).Params, values)
        typed[name] = {k: getattr(params, k) for k in values}
    return typed


def _row_best(m: sp.csr_matrix) -> np.ndarray:
    """Each row's largest stored score (0 for an empty row): stored scores may all be negative, and
    the sparse ``max`` would count the implicit zeros."""
    best = np.zeros(m.shape[0], dtype=np.float32)
    filled = np.flatnonzero(np.diff(m.indptr))
    if filled.size:
        best[filled] = np.maximum.reduceat(m.data, m.indptr[filled])
    return best


def _lookup(m: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    if rows.size == 0:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(m[rows, cols], dtype=np.float32).ravel()


class EnsembleBackend(Backend):
    name = "ensemble"
    Params = EnsembleParams

    features_: TfidfFeatures
    members_: dict[str, Backend]
    rankers_: list[lgb.Booster]  # averaged; several only with ``rankers`` > 1
    n_train_: int
    label_count_: np.ndarray  # training documents per label
    matcher_: Backend | None  # zero-shot thesaurus matcher when "matcher" is a member
    match_df_: np.ndarray  # training documents in which the matcher found each label
    match_hit_: np.ndarray  # ... and that label was assigned
    label_features_: sp.csr_matrix  # labels x features, rows sum to 1: lexical coverage weights

    def __init__(self, context: Context, params: Any = None, **overrides: Any) -> None:
        """``overrides`` may also hold members' hyperparameters as ``"member.key"`` (from
        ``--param linear.alpha=0.05``), checked here with the member's own validation."""
        super().__init__(context, params, **{k: v for k, v in overrides.items() if "." not in k})
        names = self.params.member_names
        defaults = {k: v for k, v in MEMBER_DEFAULTS.items() if k.partition(".")[0] in names}
        self.member_params = _member_params({**defaults, **{k: v for k, v in overrides.items() if "." in k}},
                                            names)

    def params_dict(self) -> dict[str, Any]:
        """The ensemble's parameters and the members' overridden ones as ``"member.key"``."""
        own = super().params_dict()
        return {**own, **{f"{name}.{k}": v for name, values in self.member_params.items() for k, v in values.items()}}

    # -- members ------------------------------------------------------------------------------
    def _new_member(self, name: str) -> Backend:
        return get_backend_class(name)(self.context, **self.member_params.get(name, {}))

    def _member_input(self, name: str, x: sp.csr_matrix, x_title: sp.csr_matrix) -> sp.csr_matrix:
        """The feature rows a tf-idf member sees: ``x``, or for ``title_members`` ``x`` followed by the
        weighted opening zone as separate columns, each row L2-normalised again."""
        if name not in self.params.title_zone_members:
            return x
        return normalise_rows(sp.hstack([x, self.params.title_weight * x_title], format="csr", dtype=np.float32))

    def _member_scores(
        self, name: str, member: Backend, x: sp.csr_matrix, x_title: sp.csr_matrix, texts: Sequence[str],
    ) -> sp.csr_matrix:
        if isinstance(member, FeatureBackend):
            return sp.csr_matrix(member.rank_matrix(self._member_input(name, x, x_title)))
        return member.suggest_batch(list(texts))

    def _concept_input(self, name: str, member: FeatureBackend) -> sp.csr_matrix | None:
        """The member's ``concept_rows`` (None without any) in the member's input space: a label is
        short, so it is its own opening zone, as a short document is."""
        rows = member.concept_rows(self.features_)
        return None if rows is None else self._member_input(name, rows, rows)

    def _fit_member(
        self, name: str, x: sp.csr_matrix, x_title: sp.csr_matrix, y: sp.csr_matrix, docs: Iterable[Document],
    ) -> Backend:
        member = self._new_member(name)
        if isinstance(member, FeatureBackend):
            member.features_ = self.features_
            rows = member.training_rows(y)
            if rows is not None:  # build the (title-zone) input of the rows it learns from only
                x, x_title, y = x[rows], x_title[rows], y[rows]
            member.fit_matrix(self._member_input(name, x, x_title), y, self._concept_input(name, member))
            member.fitted_ = True
        else:
            member.fit(docs if member.requires_training else [])
        return member

    # -- lexical evidence ---------------------------------------------------------------------
    def _label_features(self) -> sp.csr_matrix:
        """Map each label to the features of its wording (bigrams for multi-word labels)."""
        vocab = self.context.vocab
        lang = self.context.label_language
        analyzer = self.context.analyzer
        index = self.features_.vocabulary_ or {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for cid in range(len(vocab)):
            terms = analyzer.terms(vocab.label(cid, lang))
            if not terms:
                continue
            feats = terms if len(terms) == 1 or self.features_.ngram_max < 2 else [
                f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
            for f in feats:
                j = index.get(f)
                if j is not None:
                    rows.append(cid)
                    cols.append(j)
                    # Features missing from the vocabulary still count in the denominator.
                    vals.append(1.0 / len(feats))
        return sp.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)),
                             shape=(len(vocab), self.features_.n_features))

    def _lexical(self, x: sp.csr_matrix) -> sp.csr_matrix:
        binary = sp.csr_matrix(x, copy=True)
        binary.data[:] = 1.0
        return sp.csr_matrix(binary @ self.label_features_.T)

    # -- thesaurus matcher evidence -------------------------------------------------------------
    def _new_matcher(self) -> Backend:
        """The matcher in zero-shot mode: the ensemble learns from its evidence rows itself, so each
        text is matched once (not once per fold) and the corpus statistics are kept out of fold."""
        return self._new_member(MATCHER).fit([])

    def _evidence(self, texts: Sequence[str], jobs: int = 1) -> list[sp.csr_matrix]:
        """Per matcher feature column, a documents x labels matrix; the last one marks matched labels.
        ``jobs`` > 1 (or 0: all cores) matches in forked processes (training: matching is the
        slowest per-document step; suggestion batches are already spread over worker processes)."""
        matcher = self.matcher_
        assert matcher is not None and hasattr(matcher, "feature_rows")
        limit = self.params.match_chars or None
        width = len(MATCHER_FEATURES)  # fixed, so that a text without matches still has every column

        def match(text: str) -> tuple[np.ndarray, np.ndarray]:
            c, r = matcher.feature_rows(text[:limit])
            return np.asarray(c, dtype=np.int64), np.asarray(r, dtype=np.float32).reshape(len(c), width)

        indptr = [0]
        concepts: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        for c, r in parallel_map(match, texts, jobs):
            concepts.append(c)
            rows.append(r)
            indptr.append(indptr[-1] + len(c))
        cols = np.concatenate(concepts) if concepts else np.zeros(0, dtype=np.int64)
        data = np.concatenate(rows) if rows else np.zeros((0, width), np.float32)
        shape = (len(texts), len(self.context.vocab))
        # +1e-6 keeps explicit zeros stored so that "matched, feature 0" differs from "not matched".
        out = [sp.csr_matrix((data[:, k] + 1e-6, cols, np.array(indptr)), shape=shape) for k in range(width)]
        out.append(sp.csr_matrix((np.ones(len(cols), np.float32), cols, np.array(indptr)), shape=shape))
        return out

    # -- candidate features -------------------------------------------------------------------
    def _candidates(
        self, scores: list[sp.csr_matrix], x: sp.csr_matrix, x_title: sp.csr_matrix,
        evidence: list[sp.csr_matrix], folds: tuple[np.ndarray, sp.csr_matrix] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, feature matrix) of every candidate pair. ``folds`` (training only): each
        document's fold and the gold labels; corpus statistics then come from the other folds."""
        p: EnsembleParams = self.params
        shape = (x.shape[0], len(self.context.vocab))
        tops = [top_k_sparse(s, p.candidates, positive=False) for s in scores]
        if evidence:
            tops.append(evidence[-1])
        union = sum((sp.csr_matrix((np.ones_like(t.data), t.indices, t.indptr), shape=t.shape) for t in tops),
                    sp.csr_matrix(shape, dtype=np.float32))
        union = sp.csr_matrix(union)
        union.sort_indices()
        coo = union.tocoo()
        rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
        count, n_docs, df, hit = self._statistics(rows, cols, evidence, folds)
        columns = []
        for s in scores:
            s = sp.csr_matrix(s)
            ranks = _ranks(s)
            value = _lookup(s, rows, cols)
            rank = _lookup(ranks, rows, cols)
            rank[rank == 0] = p.candidates * 10  # not scored by this member at all
            best = _row_best(s)[rows]
            columns += [value, np.log1p(rank), value / np.maximum(np.abs(best), 1e-6)]
        columns.append(coo.data.astype(np.float32))  # how many members proposed it
        columns.append(np.log((count + 0.1) / np.maximum(n_docs, 1)))
        columns.append(_lookup(self._lexical(x), rows, cols))
        columns.append(_lookup(self._lexical(x_title), rows, cols))
        if evidence:
            columns += [_lookup(e, rows, cols) for e in evidence]
            # How often a label that the matcher finds is also assigned.
            columns.append((hit + 0.2) / (df + 1.0))
            columns.append(np.log1p(df) / np.log1p(np.maximum(n_docs, 1)))
        return rows, cols, np.column_stack(columns).astype(np.float32)

    def _statistics(
        self, rows: np.ndarray, cols: np.ndarray, evidence: list[sp.csr_matrix],
        folds: tuple[np.ndarray, sp.csr_matrix] | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per candidate pair: documents assigned the label, documents counted, documents in which
        the matcher found the label, and of those the ones assigned it. In training each document
        sees the statistics of the other folds only, like its member scores: leave-one-out counts
        differ between a label's positive and negative documents (count - 1 vs count), a shift that
        the ranker learnt and that never occurs on new text (csl-zh 3-fold: F1@5 0.339 -> 0.357)."""
        if folds is None:
            zeros = np.zeros(rows.size, np.float32)
            n_docs = np.full(rows.size, self.n_train_, np.float32)
            if not evidence:
                return self.label_count_[cols], n_docs, zeros, zeros
            return self.label_count_[cols], n_docs, self.match_df_[cols], self.match_hit_[cols]
        fold_of, y = folds
        out = np.zeros((4, rows.size), np.float32)
        for fold in np.unique(fold_of):
            pairs = fold_of[rows] == fold
            others = sp.diags((fold_of != fold).astype(np.float32))
            out[0, pairs] = np.asarray((others @ y).sum(axis=0)).ravel()[cols[pairs]]
            out[1, pairs] = np.count_nonzero(fold_of != fold)
            if evidence:
                matched = others @ evidence[-1]
                out[2, pairs] = np.asarray(matched.sum(axis=0)).ravel()[cols[pairs]]
                out[3, pairs] = np.asarray(matched.multiply(y).sum(axis=0)).ravel()[cols[pairs]]
        return out[0], out[1], out[2], out[3]

    def _title_texts(self, texts: Sequence[str]) -> list[str]:
        return [t[: self.params.title_chars] for t in texts]

    @staticmethod
    def _reads_texts(name: str) -> bool:
        """Whether a member learns from texts rather than from the shared feature rows."""
        return not issubclass(get_backend_class(name), FeatureBackend)

    def _model_names(self) -> list[str]:
        """Members that score labels (the matcher contributes evidence rows instead)."""
        return [n for n in self.params.member_names if n != MATCHER]

    # -- training -----------------------------------------------------------------------------
    def _fit(self, documents: Iterable[Document]) -> None:
        p: EnsembleParams = self.params
        labelled = LabelledDocuments(documents)
        # Two streamed passes over the corpus; only the ranker sample's documents are kept whole, so
        # texts never need to fit in memory together (200k x 5 KB is ~1 GB of Python strings).
        self.features_ = make_features(self, p)
        x, y = labelled.fit_features(self.features_, len(self.context.vocab), self.name)
        if y.shape[0] < p.folds:
            raise InputError(f"ensemble needs at least folds={p.folds} labelled documents, got {y.shape[0]}")
        # Large corpora: the ranker learns from a bounded random sample (see ``ranker_docs``).
        sample = self._ranker_sample(y.shape[0])
        folds = p.folds if sample.size == y.shape[0] else min(p.folds, 3)
        in_sample = np.zeros(y.shape[0], dtype=bool)
        in_sample[sample] = True
        zoned = self._title_rows(y, in_sample)
        docs: list[Document] = []  # the ranker sample's documents, in corpus order like ``sample``

        def title_texts() -> Iterator[str]:
            for i, doc in enumerate(labelled):
                if i >= in_sample.size:
                    raise InputError("the training corpus changed while it was read (more documents); retry")
                if in_sample[i]:
                    docs.append(doc)
                yield doc.text[: p.title_chars] if zoned[i] else ""

        x_title = self.features_.transform(title_texts(), jobs=0)
        if x_title.shape[0] != y.shape[0]:
            raise InputError("the training corpus changed while it was read (fewer documents); retry")
        self.n_train_ = y.shape[0]
        self.label_count_ = np.asarray(y.sum(axis=0)).ravel().astype(np.float32)
        self.label_features_ = self._label_features()
        names = self._model_names()
        self.matcher_ = self._new_matcher() if MATCHER in p.member_names else None
        # From here on only the ranker sample is used: x, y, texts of its documents.
        x_all, x_title_all, y_all = x, x_title, y
        if sample.size < y.shape[0]:
            x, x_title, y = x[sample], x_title[sample], y[sample]
        n_sample = y.shape[0]
        evidence = self._evidence([d.text for d in docs], jobs=0) if self.matcher_ is not None else []
        if not any(self._reads_texts(name) for name in names):
            docs = []  # nothing reads the texts again (eurlex-en: 154 MiB of strings)
            release_freed_memory()
        if evidence:
            matched = evidence[-1]
            # Counts over the sample, scaled to the corpus so they stay comparable with n_train_.
            scale = np.float32(self.n_train_ / n_sample)
            self.match_df_ = np.asarray(matched.sum(axis=0)).ravel().astype(np.float32) * scale
            self.match_hit_ = np.asarray(matched.multiply(y).sum(axis=0)).ravel().astype(np.float32) * scale

        # Out-of-fold member scores: every training document scored by members that never saw it.
        fold_of = np.random.default_rng(p.seed).permutation(n_sample) % folds
        scores: list[sp.csr_matrix] = []
        fitted: dict[str, Backend] = {}  # members already fitted on every document of the sample
        for name in names:
            member_scores, member = self._out_of_fold(name, x, x_title, y, docs, fold_of)
            scores.append(member_scores)
            if member is not None:
                fitted[name] = member

        rows, cols, feats = self._candidates(scores, x, x_title, evidence, folds=(fold_of, y))
        target = _lookup(y, rows, cols)
        if target.sum() == 0 or target.sum() == target.size:
            raise InputError("ensemble: out-of-fold candidates are all right or all wrong; add training documents")
        lgb_params: dict[str, Any] = {
            "objective": p.objective, "learning_rate": p.learning_rate, "num_leaves": p.num_leaves,
            "min_data_in_leaf": p.min_data_in_leaf, "verbose": -1, "num_threads": 2, "seed": p.seed,
            "deterministic": True}
        if p.objective == "lambdarank":
            # One query per document (rows come sorted by document); top-heavy as F1@5 and nDCG are.
            lgb_params["lambdarank_truncation_level"] = 20
            data = lgb.Dataset(feats, target, group=np.bincount(rows, minlength=n_sample))
        else:
            data = lgb.Dataset(feats, target)
        if p.rankers > 1:
            # Rows and features subsampled per tree, another seed per ranker: averaging them lowers the
            # variance of one ranker trained on ~1,000 queries.
            lgb_params.update(bagging_fraction=0.8, bagging_freq=1, feature_fraction=0.8)
        self.rankers_ = [lgb.train({**lgb_params, "seed": p.seed + r}, data, num_boost_round=p.rounds)
                         for r in range(p.rankers)]
        del x, y, x_title, evidence, scores, feats
        whole = sample.size == y_all.shape[0]
        self.members_ = {name: fitted[name] if whole and name in fitted
                         else self._fit_member(name, x_all, x_title_all, y_all, labelled) for name in names}

    def _title_rows(self, y: sp.csr_matrix, in_sample: np.ndarray) -> np.ndarray:
        """Documents whose opening zone is used: the ranker sample's (lexical evidence and out-of-fold
        member inputs) and the rows that title-zone members learn from. The others' zones are left
        empty, so a large corpus is not analysed a second time for rows nobody reads."""
        zoned = in_sample.copy()
        for name in self.params.title_zone_members:
            member = self._new_member(name)
            rows = member.training_rows(y) if isinstance(member, FeatureBackend) else None
            zoned[np.arange(y.shape[0]) if rows is None else rows] = True
        return zoned

    def _out_of_fold(
        self, name: str, x: sp.csr_matrix, x_title: sp.csr_matrix, y: sp.csr_matrix, docs: list[Document],
        fold_of: np.ndarray,
    ) -> tuple[sp.csr_matrix, Backend | None]:
        """Out-of-fold scores of one member, and the member fitted on all rows when it got them in one
        fit (``fit_out_of_fold``, e.g. ridge's exact group deletion); else one fit per fold. ``docs``
        (the sample's documents) is read only for members that learn from texts, and may be empty."""
        member = self._new_member(name)
        if isinstance(member, FeatureBackend):
            member.features_ = self.features_
            held_out = np.arange(y.shape[0]) if self.params.member_oof == "loo" else fold_of
            direct = member.fit_out_of_fold(self._member_input(name, x, x_title), y, held_out,
                                            self._concept_input(name, member))
            if direct is not None:
                member.fitted_ = True
                return direct, member
        parts: list[sp.csr_matrix] = []
        order: list[np.ndarray] = []
        reads = self._reads_texts(name)  # else ``docs`` may be empty
        for fold in np.unique(fold_of):
            train_idx, test_idx = np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)
            member = self._fit_member(name, x[train_idx], x_title[train_idx], y[train_idx],
                                      [docs[i] for i in train_idx] if reads else [])
            parts.append(self._member_scores(name, member, x[test_idx], x_title[test_idx],
                                             [docs[i].text for i in test_idx] if reads else []))
            order.append(test_idx)
        return sp.vstack(parts).tocsr()[np.argsort(np.concatenate(order))], None

    def _ranker_sample(self, n: int) -> np.ndarray:
        """Sorted indices of the documents whose out-of-fold predictions train the ranker: all of them
        up to ``ranker_docs``, else a random sample of that size (K-fold over the whole corpus would
        multiply member training by K; the ranker needs examples, not the whole corpus)."""
        if n <= self.params.ranker_docs:
            return np.arange(n)
        return np.sort(np.random.default_rng(self.params.seed + 1).choice(n, self.params.ranker_docs, replace=False))

    # -- suggesting ---------------------------------------------------------------------------
    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        x = self.features_.transform(texts)
        x_title = self.features_.transform(self._title_texts(texts))
        scores = [self._member_scores(name, self.members_[name], x, x_title, texts) for name in self._model_names()]
        evidence = self._evidence(texts) if self.matcher_ is not None else []
        rows, cols, feats = self._candidates(scores, x, x_title, evidence)
        # One thread: suggestion batches are small, parallelism comes from worker processes, and
        # libgomp (LightGBM's OpenMP) deadlocks in a process forked after it has run its thread pool
        # (loading the model does), as `unbis index --jobs N` workers are.
        raw = np.zeros(rows.size)
        if rows.size:
            raw = np.mean([np.asarray(r.predict(feats, num_threads=1), dtype=np.float64) for r in self.rankers_],
                          axis=0)
        # lambdarank gives unbounded ranking scores; the sigmoid maps them into [0, 1] keeping order.
        prob = sigmoid(raw) if self.params.objective == "lambdarank" else raw
        out = sp.csr_matrix((prob.astype(np.float32), (rows, cols)), shape=(len(texts), len(self.context.vocab)))
        return top_k_sparse(out, self.params.top_k)

    # -- persistence --------------------------------------------------------------------------
    def _save(self, directory: Path) -> None:
        self.features_.save(directory)
        arrays = {"label_count": self.label_count_, "n_train": np.array([self.n_train_])}
        if self.matcher_ is not None:
            arrays.update(match_df=self.match_df_, match_hit=self.match_hit_)
        save_arrays(directory / "ensemble.npz", **arrays)
        sp.save_npz(directory / "label-features.npz", self.label_features_, compressed=False)
        for r, ranker in enumerate(self.rankers_):
            ranker.save_model(str(directory / _ranker_file(r)))
        meta: dict[str, Any] = {"members": {}, "matcher_features": list(MATCHER_FEATURES),
                                "member_scores": MEMBER_SCORES, "title_members": self.params.title_zone_members}
        for name, member in self.members_.items():
            sub = directory / f"member-{name}"
            sub.mkdir()
            if isinstance(member, FeatureBackend):
                member.save_matrix_model(sub)
            else:
                member.save(sub)
            meta["members"][name] = member.params_dict()
        save_json(directory / META, meta)

    def _load(self, directory: Path) -> None:
        ctx = self.context
        self.features_ = TfidfFeatures.load(directory, lambda text: ctx.analyzer_for(text).terms(text))
        arrays = load_arrays(directory / "ensemble.npz")
        if "label_count" not in arrays:
            raise IncompatibleModelError(f"{directory}: ensemble model of an older format; retrain the project")
        self.label_count_ = arrays["label_count"]
        self.n_train_ = int(arrays["n_train"][0])
        self.matcher_ = None
        if MATCHER in self.params.member_names:
            # The zero-shot matcher holds no learned state: it is rebuilt from the vocabulary.
            self.matcher_ = self._new_matcher()
            self.match_df_, self.match_hit_ = arrays["match_df"], arrays["match_hit"]
        self.label_features_ = sp.csr_matrix(sp.load_npz(directory / "label-features.npz"))
        self.rankers_ = [lgb.Booster(model_file=str(directory / _ranker_file(r))) for r in range(self.params.rankers)]
        meta = load_json(directory / META)
        if self.matcher_ is not None and meta.get("matcher_features") != list(MATCHER_FEATURES):
            # The ranker was trained on another matcher evidence layout: its columns would be misread.
            raise IncompatibleModelError(f"{directory}: the matcher's evidence features changed; retrain the project")
        if meta.get("member_scores") != MEMBER_SCORES:
            # The ranker learnt from another scale of member scores (clipped ridge outputs before).
            raise IncompatibleModelError(f"{directory}: the members' ranking scores changed; retrain the project")
        if meta.get("title_members", []) != self.params.title_zone_members:
            # Members trained on other feature columns than these parameters would give them.
            raise IncompatibleModelError(f"{directory}: the members' title-zone features changed; retrain the project")
        self.members_ = {}
        for name in self._model_names():
            sub = directory / f"member-{name}"
            cls = get_backend_class(name)
            member: Backend
            if issubclass(cls, FeatureBackend):
                member = cls(self.context, **meta["members"][name])
                member.features_ = self.features_
                member.load_matrix_model(sub)
                member.fitted_ = True
            else:
                member = cls.load(sub, self.context, meta["members"][name])
            self.members_[name] = member
