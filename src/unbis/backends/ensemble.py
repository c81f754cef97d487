"""The default pipeline: members propose candidates, a learned ranker scores them.

The stages, each a module of ``unbis.pipeline``:

1. ``members``: every member backend, fed the shared tf-idf rows or the texts as it declares;
2. ``evidence``: the evidence members' rows (the thesaurus matcher's label matches) as matrices;
3. ``candidates``: the pairs the scoring members rank highest, and every pair evidence found;
4. ``candidate_features``: member scores and ranks, priors, lexical coverage, evidence and its statistics;
5. the ranker (``unbis.learning.ranker``, LightGBM lambdarank, one query per document).

The ranker learns from out-of-fold member scores on the training corpus only: member models that never
saw a document score it, so the ranker learns how members behave on unseen text. Evaluation data is
never used. Above ``ranker_docs`` documents the ranker learns from a random sample, while the final
members learn from every document. This module only wires the stages together and saves them.

A project trained on documents in one language serves documents in the other languages that its
crosslingual members serve (``Backend.crosslingual``: the matcher, for the languages the vocabulary has
labels in; multilingual embedding members). Such a document skips the members that read the training
language's words and is scored by a second ranker, learnt from the same out-of-fold candidates restricted
to the crosslingual members and to what a document's own evidence says (no wording of the training
language, no statistics of the training corpus); where the training documents give it
nothing to learn from (no crosslingual member found anything right in them), by those members' own
zero-shot scores.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from unbis.analysis import UN_LANGUAGES, detect_language
from unbis.backends.base import Backend, Context
from unbis.backends.feature_backend import FeatureBackend, make_features
from unbis.backends.params import check
from unbis.backends.registry import backend_names, get_backend_class
from unbis.corpus.document import Document
from unbis.corpus.labelled import LabelledDocuments
from unbis.errors import IncompatibleModelError, InputError
from unbis.learning.ranker import GradientBoostedRanker, RankerSettings
from unbis.learning.sparse import lookup, top_k_sparse
from unbis.learning.tfidf import FeatureParams, TfidfFeatures
from unbis.memory import release_freed_memory
from unbis.persistence import load_json, save_json
from unbis.pipeline.candidate_features import CandidateFeatures
from unbis.pipeline.candidates import candidate_pairs
from unbis.pipeline.evidence import evidence_matrices
from unbis.pipeline.members import MEMBER_DEFAULTS, Inputs, Members, member_params

RANKER = "ranker.txt"
CROSSLINGUAL_RANKER = "ranker-crosslingual.txt"
#: What the ranker learnt member scores as: ``rank_matrix`` (raw ridge outputs, not clipped to [0, 1]).
MEMBER_SCORES = "rank_matrix"
META = "ensemble.json"


@dataclass(frozen=True)
class EnsembleParams(FeatureParams):
    """Hyperparameters of the pipeline; members' own ones are given as ``member.key``.

    Parameters
    ----------
    members : comma-separated backend names. Tf-idf members share one feature extractor (the
        ``FeatureParams`` fields here); what each gives is declared by its class (``Backend``).
    folds : out-of-fold splits for ranker training.
    candidates : best labels taken from each scoring member.
    objective, rounds, learning_rate, num_leaves, min_data_in_leaf : the ranker's LightGBM settings
        (few, well-filled leaves: larger trees overfit the ~1,000 training queries of a small corpus).
    title_chars : size of the opening zone, used for lexical evidence and by ``title_members``.
    title_members : tf-idf members that also see that zone as separate features (the document's row
        followed by ``title_weight`` times the zone's row, then L2-normalised), so that a term in the
        title weighs more than the same term deep in the body; short texts lie wholly in the zone.
    match_chars : characters of each text the evidence members read (0 = all; matching whole long
        texts is slow).
    top_k : labels returned.
    seed : seed of the folds, the ranker sample and the ranker.
    ranker_docs : above this many training documents the ranker learns from the out-of-fold
        predictions of a random sample of this size (with min(folds, 3) folds inside the sample; evidence
        statistics are estimated on it), while the final members learn from every document.
    member_oof : how members that score held-out documents without refitting hold them out: ``loo``
        each document alone, closest to the final members fitted on every document, or ``folds`` as the
        others. Corpus statistics always use the folds.
    rankers : rankers averaged, each on its own seed with rows and features subsampled per tree: their
        average varies less than one ranker trained on ~1,000 queries (it multiplies the ranker's
        training time).
    semantic : whether the ``semantic`` member (multilingual sentence embeddings) joins ``members``:
        ``auto`` when the vocabulary has labels in more than one UN language, i.e. when the project can
        serve documents in other languages than its training documents' (the member is what carries a
        document's meaning across; with a one-language vocabulary it costs training time for little);
        ``on`` or ``off`` always.
    short_quantile : a document in the project's language shorter than this quantile of the training
        documents' lengths is scored by the mean of the main and the crosslingual ranker (when there is
        one); a longer one by the main ranker alone. The main ranker leans on the training corpus's
        statistics, which mislead it on text of another kind (a goal's title against training
        paragraphs); on text like the training documents the mean costs quality
        (benchmarks/results/crosslingual.md). 0: never the mean; 1: always (as before it existed).

    The defaults were chosen by cross-validation on training data only; the measurements are in
    ``benchmarks/results/pipeline-decisions.md``.
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
    semantic: str = "auto"
    short_quantile: float = 0.1
    # The tf-idf rows read at most this much of a text: beyond it, long acts' annexes and tables add
    # analysis time but no quality (eurlex-en CV, benchmarks/results/pipeline-decisions.md).
    max_chars: int = 100_000

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
        check(self.semantic in ("auto", "on", "off"), f"semantic must be auto, on or off, not {self.semantic!r}")
        check(0.0 <= self.short_quantile <= 1.0, f"short_quantile must be in [0, 1], not {self.short_quantile}")

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

    def ranker_settings(self) -> RankerSettings:
        return RankerSettings(objective=self.objective, rounds=self.rounds, learning_rate=self.learning_rate,  # type: ignore[arg-type]
                              num_leaves=self.num_leaves, min_data_in_leaf=self.min_data_in_leaf, seed=self.seed,
                              boosters=self.rankers)


class EnsembleBackend(Backend):
    """The default pipeline (see the module doc).

    Attributes
    ----------
    features_ : TfidfFeatures
        The vectoriser every tf-idf member reads.
    members_ : dict of str to Backend
        The scoring members, fitted on every training document.
    evidence_ : dict of str to Backend
        The evidence members (fitted without documents).
    candidate_features_ : CandidateFeatures
        The candidates' feature rows and the corpus statistics they need.
    ranker_ : GradientBoostedRanker
        Scores every candidate pair.
    crosslingual_ : list of str
        The languages other than the project's that documents may be written in (served by the
        crosslingual members, scored by ``crosslingual_ranker_``); empty when there are none.
    short_chars_ : float
        Documents in the project's language shorter than this (characters) are scored by the mean of the
        two rankers (``short_quantile`` of the ranker sample's lengths; infinite in models saved before it
        existed, which always took the mean).
    crosslingual_ranker_ : GradientBoostedRanker or None
        Scores the candidates of such documents from language-independent features (None: the
        crosslingual members' own scores do).
    """

    name = "ensemble"
    Params = EnsembleParams

    features_: TfidfFeatures
    members_: dict[str, Backend]
    evidence_: dict[str, Backend]
    candidate_features_: CandidateFeatures
    ranker_: GradientBoostedRanker
    crosslingual_: list[str]
    crosslingual_ranker_: GradientBoostedRanker | None
    short_chars_: float

    def __init__(self, context: Context, params: Any = None, **overrides: Any) -> None:
        """``overrides`` may also hold members' hyperparameters as ``"member.key"`` (from
        ``--param linear.alpha=0.05``), checked here with the member's own validation."""
        super().__init__(context, params, **{k: v for k, v in overrides.items() if "." not in k})
        names = self._member_names()
        defaults = {k: v for k, v in MEMBER_DEFAULTS.items() if k.partition(".")[0] in names}
        self.member_params = member_params({**defaults, **{k: v for k, v in overrides.items() if "." in k}}, names)
        self.members = Members(context, names, self.member_params, self.params.title_zone_members,
                               self.params.title_weight)

    def _member_names(self) -> list[str]:
        """``members``, with ``semantic`` added as the ``semantic`` parameter says."""
        names, p = self.params.member_names, self.params
        languages = set(self.context.vocab.languages) & set(UN_LANGUAGES)
        wanted = p.semantic == "on" or (p.semantic == "auto" and len(languages) > 1)
        return names + ["semantic"] if wanted and "semantic" not in names else names

    def params_dict(self) -> dict[str, Any]:
        """The ensemble's parameters and the members' overridden ones as ``"member.key"``."""
        own = super().params_dict()
        return {**own, **{f"{name}.{k}": v for name, values in self.member_params.items() for k, v in values.items()}}

    # -- training -----------------------------------------------------------------------------
    def _fit(self, documents: Iterable[Document]) -> None:
        p: EnsembleParams = self.params
        labelled = LabelledDocuments(documents)
        # Two streamed passes over the corpus; only the ranker sample's documents are kept whole, so
        # texts never need to fit in memory together (200k x 5 KB is ~1 GB of Python strings).
        self.features_ = make_features(self.context, p)
        x, y = labelled.fit_features(self.features_, len(self.context.vocab), self.name)
        if y.shape[0] < p.folds:
            raise InputError(f"ensemble needs at least folds={p.folds} labelled documents, got {y.shape[0]}")
        sample = self._ranker_sample(y.shape[0])
        folds = p.folds if sample.size == y.shape[0] else min(p.folds, 3)
        in_sample = np.zeros(y.shape[0], dtype=bool)
        in_sample[sample] = True
        docs: list[Document] = []  # the ranker sample's documents, in corpus order like ``sample``
        x_title = self._title_pass(labelled, in_sample, self.members.zoned_rows(y, in_sample), docs)
        if x_title.shape[0] != y.shape[0]:
            raise InputError("the training corpus changed while it was read (fewer documents); retry")
        self.candidate_features_ = CandidateFeatures(self.context, p.candidates).fit(self.features_, y)
        every = Inputs(x, x_title)
        # From here on only the ranker sample is used.
        inputs, y_sample = (every, y) if sample.size == y.shape[0] else (every.rows(sample), y[sample])
        self.evidence_ = {name: self.members.new_evidence(name) for name in self.members.evidence}
        texts = [d.text for d in docs]
        self.short_chars_ = self._short_chars(texts)
        evidence = {name: evidence_matrices(member, texts, [self._own_language] * len(texts), p.match_chars,
                                            jobs=0) for name, member in self.evidence_.items()}
        del texts
        if not any(self.members.reads_texts(name) for name in self.members.scoring):
            docs = []  # nothing reads the texts again: let go of them
            release_freed_memory()
        for name, matrices in evidence.items():
            self.candidate_features_.fit_evidence(name, matrices[-1], y_sample)

        # Out-of-fold member scores: every training document scored by members that never saw it.
        fold_of = np.random.default_rng(p.seed).permutation(y_sample.shape[0]) % folds
        scores: list[sp.csr_matrix] = []
        fitted: dict[str, Backend] = {}  # members already fitted on every document of the sample
        for name in self.members.scoring:
            member_scores, member = self.members.out_of_fold(name, self.features_, inputs, y_sample, docs, fold_of,
                                                             leave_one_out=p.member_oof == "loo")
            scores.append(member_scores)
            if member is not None:
                fitted[name] = member

        rows, cols, feats = self._candidates(scores, inputs, evidence, folds=(fold_of, y_sample))
        target = lookup(y_sample, rows, cols)
        if target.sum() == 0 or target.sum() == target.size:
            raise InputError("ensemble: out-of-fold candidates are all right or all wrong; add training documents")
        self.ranker_ = GradientBoostedRanker(p.ranker_settings()).fit(
            feats, target, groups=np.bincount(rows, minlength=y_sample.shape[0]))
        del feats
        self._fit_crosslingual(scores, inputs, evidence, fold_of, y_sample)
        del inputs, y_sample, evidence, scores
        whole = sample.size == y.shape[0]
        self.members_ = {name: fitted[name] if whole and name in fitted
                         else self.members.fit(name, self.features_, every, y, labelled)
                         for name in self.members.scoring}
        self._share_members()

    def _share_members(self) -> None:
        """A member that both scores and gives evidence, and learns nothing from documents (semantic),
        is made one object: it then compares a batch's passages with the labels once, not twice (its
        memo of the last batch), and holds its label vectors once."""
        for name, member in self.members_.items():
            twin = self.evidence_.get(name)
            if (twin is not None and not type(member).requires_training
                    and twin.params_dict() == member.params_dict()):
                self.members_[name] = twin

    # -- documents in other languages -------------------------------------------------------------
    @property
    def _own_language(self) -> str | None:
        """The language documents are read in: the project's, or None (each detects it) when ``auto``."""
        return None if self.context.language == "auto" else self.context.language

    def _crosslingual_members(self) -> list[str]:
        return [n for n in self.members.names if get_backend_class(n).crosslingual]

    def _crosslingual_languages(self) -> list[str]:
        """The UN languages beyond the project's own that its crosslingual members serve."""
        own = super().languages_served()
        served: frozenset[str] = frozenset()
        for name in self._crosslingual_members():
            served |= self.members.new(name).languages_served()
        return sorted(served - own)

    def languages_served(self) -> frozenset[str]:
        return super().languages_served() | frozenset(self.crosslingual_)

    def _fit_crosslingual(
        self, scores: list[sp.csr_matrix], inputs: Inputs, evidence: dict[str, list[sp.csr_matrix]],
        fold_of: np.ndarray, y: sp.csr_matrix,
    ) -> None:
        """The second ranker, for documents in the languages of ``_crosslingual_languages``: the same
        out-of-fold candidates, restricted to the crosslingual members, without the features that read the
        training language's words."""
        self.crosslingual_, self.crosslingual_ranker_ = self._crosslingual_languages(), None
        if not self.crosslingual_:
            return
        keep = set(self._crosslingual_members())
        rows, cols, feats = self._candidates(
            [s for name, s in zip(self.members.scoring, scores, strict=True) if name in keep], inputs,
            {name: m for name, m in evidence.items() if name in keep}, folds=(fold_of, y), crosslingual=True)
        target = lookup(y, rows, cols)
        if not 0 < target.sum() < target.size:
            return  # nothing to learn from: the members' own scores will do
        self.crosslingual_ranker_ = GradientBoostedRanker(self.params.ranker_settings()).fit(
            feats, target, groups=np.bincount(rows, minlength=y.shape[0]))

    def _languages(self, texts: Sequence[str]) -> list[str | None]:
        """Each text's language as the members should read it: the project's own (or None in an ``auto``
        project), except for a text detected in one of ``crosslingual_``."""
        own = self._own_language
        if not self.crosslingual_:
            return [own] * len(texts)
        other = set(self.crosslingual_)
        return [lang if (lang := detect_language(t[: self.params.match_chars or None])) in other else own
                for t in texts]

    def _title_pass(self, labelled: LabelledDocuments, in_sample: np.ndarray, zoned: np.ndarray,
                    docs: list[Document]) -> sp.csr_matrix:
        """The second pass: the opening zones' tf-idf rows (empty where not ``zoned``), keeping the ranker
        sample's documents in ``docs``."""
        chars = self.params.title_chars

        def title_texts() -> Iterator[str]:
            for i, doc in enumerate(labelled):
                if i >= in_sample.size:
                    raise InputError("the training corpus changed while it was read (more documents); retry")
                if in_sample[i]:
                    docs.append(doc)
                yield doc.text[:chars] if zoned[i] else ""

        return self.features_.transform(title_texts(), jobs=0)

    def _short_chars(self, texts: Sequence[str]) -> float:
        """The length below which a document counts as short (``short_quantile``; 0 and 1 are exact)."""
        q = self.params.short_quantile
        if q <= 0.0 or not texts:
            return 0.0
        if q >= 1.0:
            return math.inf
        return float(np.quantile(np.fromiter((len(t) for t in texts), dtype=np.float64, count=len(texts)), q))

    def _ranker_sample(self, n: int) -> np.ndarray:
        """Sorted indices of the documents whose out-of-fold predictions train the ranker: all of them
        up to ``ranker_docs``, else a random sample of that size (K-fold over the whole corpus would
        multiply member training by K; the ranker needs examples, not the whole corpus)."""
        if n <= self.params.ranker_docs:
            return np.arange(n)
        return np.sort(np.random.default_rng(self.params.seed + 1).choice(n, self.params.ranker_docs, replace=False))

    def _candidates(
        self, scores: list[sp.csr_matrix], inputs: Inputs, evidence: dict[str, list[sp.csr_matrix]],
        folds: tuple[np.ndarray, sp.csr_matrix] | None = None, crosslingual: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, cols, feature matrix) of every candidate pair (stages 3 and 4)."""
        shape = (inputs.x.shape[0], len(self.context.vocab))
        rows, cols, proposers = candidate_pairs(scores, [m[-1] for m in evidence.values()], self.params.candidates,
                                                shape)
        feats = self.candidate_features_.transform(rows, cols, proposers, scores, inputs.x, inputs.x_title,
                                                   evidence, folds, crosslingual=crosslingual)
        return rows, cols, feats

    # -- suggesting ---------------------------------------------------------------------------
    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        languages = self._languages(texts)
        other = [i for i, lang in enumerate(languages) if lang in self.crosslingual_]
        if not other:
            return self._suggest_own(texts, languages)
        own = [i for i in range(len(texts)) if i not in set(other)]
        parts = [self._suggest_own([texts[i] for i in own], [languages[i] for i in own]),
                 self._suggest_crosslingual([texts[i] for i in other], [languages[i] for i in other])]
        return sp.csr_matrix(sp.vstack(parts)[np.argsort(np.array(own + other))])

    def _suggest_own(self, texts: Sequence[str], languages: Sequence[str | None]) -> sp.csr_matrix:
        """Documents in the project's language: every member, the main ranker; for a short document, where
        there is a crosslingual ranker, the mean of the two (it reads what the document itself says, not
        the training corpus's statistics, which mislead the main ranker on text of another kind than the
        training documents; see ``short_quantile``)."""
        inputs = Inputs(self.features_.transform(texts),
                        self.features_.transform([t[: self.params.title_chars] for t in texts]), texts)
        scores = dict(zip(self.members_, (self.members.scores(name, member, inputs)
                                          for name, member in self.members_.items()), strict=True))
        evidence = {name: evidence_matrices(member, texts, languages, self.params.match_chars)
                    for name, member in self.evidence_.items()}
        rows, cols, feats = self._candidates(list(scores.values()), inputs, evidence)
        own = self._ranked(texts, rows, cols, self.ranker_.scores(feats))
        short = np.flatnonzero([len(t) < self.short_chars_ for t in texts])
        if self.crosslingual_ranker_ is None or not short.size:
            return own
        # Only the short documents are scored by the crosslingual ranker too.
        crosslingual = self._crosslingual_ranked(
            Inputs(inputs.x[short], inputs.x_title[short], [texts[int(i)] for i in short]),
            {name: s[short] for name, s in scores.items()},
            {name: [m[short] for m in matrices] for name, matrices in evidence.items()})
        mean = (own[short] + crosslingual) / 2
        long_rows = np.ones(len(texts), dtype=np.float32)
        long_rows[short] = 0.0
        to_rows = sp.csr_matrix((np.ones(short.size, dtype=np.float32), (short, np.arange(short.size))),
                                shape=(len(texts), short.size))
        return top_k_sparse(sp.csr_matrix(sp.diags(long_rows) @ own + to_rows @ mean), self.params.top_k)

    def _suggest_crosslingual(self, texts: Sequence[str], languages: Sequence[str | None]) -> sp.csr_matrix:
        """Documents in another language: the crosslingual members, their ranker (or their own scores)."""
        keep = set(self._crosslingual_members())
        if self.crosslingual_ranker_ is None:
            members = [m for name, m in {**self.members_, **self.evidence_}.items() if name in keep]
            best = members[0].suggest_batch(texts)
            for member in members[1:]:
                best = best.maximum(member.suggest_batch(texts))
            return top_k_sparse(sp.csr_matrix(best), self.params.top_k)
        empty = sp.csr_matrix((len(texts), self.features_.n_features), dtype=np.float32)
        inputs = Inputs(empty, empty, texts)
        scores = {name: self.members.scores(name, member, inputs) for name, member in self.members_.items()
                  if name in keep}
        evidence = {name: evidence_matrices(member, texts, languages, self.params.match_chars)
                    for name, member in self.evidence_.items() if name in keep}
        return self._crosslingual_ranked(inputs, scores, evidence)

    def _crosslingual_ranked(self, inputs: Inputs, scores: dict[str, sp.csr_matrix],
                             evidence: dict[str, list[sp.csr_matrix]]) -> sp.csr_matrix:
        """The crosslingual ranker's scores from the crosslingual members' scores and evidence."""
        assert self.crosslingual_ranker_ is not None
        keep = set(self._crosslingual_members())
        rows, cols, feats = self._candidates([s for name, s in scores.items() if name in keep], inputs,
                                             {name: m for name, m in evidence.items() if name in keep},
                                             crosslingual=True)
        return self._ranked(inputs.texts, rows, cols, self.crosslingual_ranker_.scores(feats))

    def _ranked(self, texts: Sequence[str], rows: np.ndarray, cols: np.ndarray, prob: np.ndarray) -> sp.csr_matrix:
        out = sp.csr_matrix((prob, (rows, cols)), shape=(len(texts), len(self.context.vocab)))
        return top_k_sparse(out, self.params.top_k)

    # -- persistence --------------------------------------------------------------------------
    def _save(self, directory: Path) -> None:
        self.features_.save(directory)
        self.candidate_features_.save(directory)
        self.ranker_.save(directory / RANKER)
        if self.crosslingual_ranker_ is not None:
            self.crosslingual_ranker_.save(directory / CROSSLINGUAL_RANKER)
        meta: dict[str, Any] = {
            "members": {}, "member_scores": MEMBER_SCORES, "title_members": self.params.title_zone_members,
            "evidence_columns": {name: list(m.evidence_columns()) for name, m in self.evidence_.items()},
            "crosslingual": self.crosslingual_, "crosslingual_ranker": self.crosslingual_ranker_ is not None,
            "short_chars": None if math.isinf(self.short_chars_) else self.short_chars_}
        for name, member in {**self.members_, **self.evidence_}.items():
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
        meta = load_json(directory / META)
        if meta.get("member_scores") != MEMBER_SCORES:
            # The ranker learnt from another scale of member scores (clipped ridge outputs before).
            raise IncompatibleModelError(f"{directory}: the members' ranking scores changed; retrain the project")
        if meta.get("title_members", []) != self.params.title_zone_members:
            # Members trained on other feature columns than these parameters would give them.
            raise IncompatibleModelError(f"{directory}: the members' title-zone features changed; retrain the project")
        self.evidence_ = {name: self._load_evidence(directory, name, meta) for name in self.members.evidence}
        self.candidate_features_ = CandidateFeatures(ctx, self.params.candidates).load(directory, list(self.evidence_))
        self.ranker_ = GradientBoostedRanker.load(directory / RANKER, self.params.ranker_settings())
        self.crosslingual_ = list(meta.get("crosslingual", []))
        # Saved before short_chars existed: every document took the mean of the two rankers.
        self.short_chars_ = math.inf if meta.get("short_chars") is None else float(meta["short_chars"])
        self.crosslingual_ranker_ = (GradientBoostedRanker.load(directory / CROSSLINGUAL_RANKER,
                                                                self.params.ranker_settings())
                                     if meta.get("crosslingual_ranker") else None)
        self.members_ = {}
        for name in self.members.scoring:
            sub, cls = directory / f"member-{name}", get_backend_class(name)
            self.members_[name] = (cls.load_matrix_model(sub, ctx, meta["members"][name], self.features_)
                                   if issubclass(cls, FeatureBackend) else cls.load(sub, ctx, meta["members"][name]))
        self._share_members()

    def _load_evidence(self, directory: Path, name: str, meta: dict[str, Any]) -> Backend:
        """An evidence member as saved; projects saved before evidence members were kept rebuild it (it
        learnt nothing from their documents)."""
        sub = directory / f"member-{name}"
        member = (get_backend_class(name).load(sub, self.context, meta["members"][name]) if sub.is_dir()
                  else self.members.new_evidence(name))
        # A ranker trained on another evidence layout would misread its columns.
        saved = meta.get("evidence_columns", {"matcher": meta.get("matcher_features")})
        if saved.get(name) != list(member.evidence_columns()):
            raise IncompatibleModelError(f"{directory}: the evidence of member {name!r} changed; retrain the project")
        return member
