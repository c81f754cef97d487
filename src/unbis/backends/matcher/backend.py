"""The thesaurus ``matcher`` backend: finds concepts through their labels, zero-shot or with a learned ranker.

Without training (``fit([])``) it scores label matches with the bundled transfer ranker (learnt on
other thesauri's corpora) and the bundled UN-text commonness of each concept; with documents it learns
background statistics (how often each concept matches, how often it is then assigned) and, when the
documents are labelled, a logistic ranker over the evidence features (Maui / Annif MLLM style).
``explain`` returns the evidence behind each suggestion: character spans and the label that matched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, NamedTuple

import numpy as np
import scipy.sparse as sp

from unbis.analysis import UN_LANGUAGES, detect_language
from unbis.backends.base import Backend
from unbis.backends.matcher.bundled import plural_senses, transfer_ranker, un_background, vocabulary_independent
from unbis.backends.matcher.features import FEATURES, N_FEATURES, Hierarchy, candidate_features, label_matched
from unbis.backends.matcher.labels import LabelIndex, compile_labels
from unbis.backends.matcher.matching import Occurrence, find_occurrences
from unbis.backends.matcher.scoring import CorpusStats, LogisticRanker, hand_scores
from unbis.backends.matcher.units import text_units
from unbis.backends.params import check
from unbis.corpus.document import Document
from unbis.errors import IncompatibleModelError
from unbis.learning.ranker import GradientBoostedRanker, RankerSettings
from unbis.persistence import load_arrays, load_json, save_arrays, save_json

FORMAT_VERSION = 1
STATE_FILE = "matcher.npz"
META_FILE = "matcher.json"
RANKER_FILE = "ranker-lightgbm.txt"


@dataclass(frozen=True)
class MatcherParams:
    """Hyperparameters of the matcher."""

    #: extra words allowed inside a gapped or reordered match of a multi-word label (0: exact only)
    max_gap: int = 3
    #: "auto": gradient-boosted ranker (LightGBM) when trained on labelled documents, else the bundled
    #: transfer ranker (learnt on other thesauri' corpora, see ``bundled.py``); "logistic": logistic
    #: regression instead; "hand": never learn a ranker, score with the hand weights
    ranker: Literal["auto", "hand", "logistic", "lightgbm"] = "auto"
    #: inverse regularisation strength of the logistic ranker
    C: float = 1.0
    #: labelled documents needed before a ranker is learned (fewer: hand weights)
    min_train_docs: int = 10
    #: use the untyped ``related`` links (UNBIS) as weak hierarchy evidence
    use_related: bool = True
    #: with a learned ranker, also propose labels all of whose words but one occur (more recall, more
    #: noise, so off by default: benchmarks/results/pipeline-decisions.md)
    partial: bool = False
    #: characters of a document read for matching (0: all). Long acts end in annexes and tables whose
    #: words say little about the subject; the cap also bounds the time per document (chosen by
    #: cross-validation on training data: benchmarks/results/pipeline-decisions.md).
    max_chars: int = 30_000
    #: boosting rounds of the LightGBM ranker (chosen by cross-validation on training data)
    rounds: int = 100
    #: also match qualified labels without their parenthesised qualifier ("agreement (EU)" as "agreement")
    strip_qualifiers: bool = True
    #: words inside the names of UN bodies (Security Council, United Nations, 秘书长) are no evidence
    un_bodies: bool = True
    #: one-word plural labels with a sense of their own (SECURITIES) need a plural text word
    plural_senses: bool = True
    #: a country is also matched by its nationality's labels ("Lebanese territory": LEBANON), for the
    #: pairs of ``data/demonyms.json`` (UNBIS)
    demonyms: bool = True
    #: a label is no match where the thesaurus's translations give one of its words another concept's
    #: sense ("droit à" is RIGHT TO, not LAW: ``senses.other_senses``)
    other_senses: bool = True
    #: a label of two or more words with no function word among them (REPRESENTATIVE GOVERNMENT) is not
    #: met across a function word of the text ("representatives of the Governments": ``matching._joins``)
    compounds: bool = True
    #: English: a one-word -ing label is met by -ing words only ("take into account" is no ACCOUNTING:
    #: ``inflection.gerund_apart``); off in the trained pipeline, whose ranker learns what such matches
    #: are worth (benchmarks/results/pipeline-decisions.md)
    gerunds: bool = True
    #: a label is read inside one sentence of a document: its words in two sentences are no match
    #: (``units.sentence_spans``; Chinese: inside punctuation, always)
    sentences: bool = True
    #: the words inside a longer match written as a name ("Guinea" in "Papua New Guinea") make no
    #: candidate (``matching._inside_name``); off for texts that capitalise their subjects (titles)
    names: bool = True
    #: "un": without training documents, concept commonness comes from the bundled UN text statistics
    background: Literal["un", "none"] = "un"

    def __post_init__(self) -> None:
        check(0 <= self.max_gap <= 20, f"max_gap must be in 0..20, got {self.max_gap}")
        check(self.C > 0, f"C must be positive, got {self.C}")
        check(1 <= self.rounds <= 5000, f"rounds must be in 1..5000, got {self.rounds}")
        check(self.max_chars >= 0, f"max_chars must be >= 0, got {self.max_chars}")
        check(self.min_train_docs >= 1, f"min_train_docs must be >= 1, got {self.min_train_docs}")


class Evidence(NamedTuple):
    """Why a concept was suggested: ``text[start:end]`` matched ``label`` (a label in ``language``)."""

    start: int
    end: int
    label: str
    language: str


class MatcherBackend(Backend):
    """Thesaurus label matcher over every label (pref/alt/hidden) in every language of the vocabulary."""

    name = "matcher"
    Params = MatcherParams
    requires_training: ClassVar[bool] = False
    # In the pipeline its label matches are evidence the pipeline's ranker weighs itself: its own
    # scores (hand weights, or a ranker of its own) would only repeat them.
    member_scores: ClassVar[bool] = False
    member_evidence: ClassVar[bool] = True
    # It matches each document against the labels of the document's own language.
    crosslingual: ClassVar[bool] = True
    params: MatcherParams

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._indexes: dict[str, LabelIndex] = {}
        self._lock = threading.Lock()
        self._label_languages: set[str] | None = None
        self._hierarchy: Hierarchy | None = None
        self.stats_: CorpusStats | None = None
        self.ranker_: LogisticRanker | GradientBoostedRanker | None = None

    # -- labels ---------------------------------------------------------------------------------
    def label_index(self, language: str) -> LabelIndex:
        """The compiled labels of ``language`` (built on first use: an ``auto`` project only pays for
        the languages its documents are written in)."""
        index = self._indexes.get(language)
        if index is None:
            with self._lock:
                index = self._indexes.get(language)
                if index is None:
                    senses = plural_senses(self.context.vocab) if self.params.plural_senses else frozenset()
                    index = compile_labels(self.context.vocab, language, qualifiers=self.params.strip_qualifiers,
                                           plural_sense=senses, bodies=self.params.un_bodies,
                                           demonyms=self.params.demonyms, other_sense=self.params.other_senses,
                                           compounds=self.params.compounds, gerunds=self.params.gerunds)
                    self._indexes[language] = index
        return index

    def languages_served(self) -> frozenset[str]:
        """The project's language and every UN language the vocabulary has labels in."""
        return super().languages_served() | (frozenset(self.context.vocab.languages) & frozenset(UN_LANGUAGES))

    def labels_language(self, text: str, language: str | None = None) -> str:
        """The label language to match ``text`` with: its own (``language``, else detected), else the
        vocabulary's default. A document in another language than the project's is matched against
        the labels of its own language when the vocabulary has them."""
        if self._label_languages is None:
            self._label_languages = set(self.context.vocab.languages)
        lang = language or detect_language(text)
        if lang not in self._label_languages and self.context.language != "auto":
            lang = self.context.language
        if lang in self._label_languages or not self._label_languages:
            return lang
        default = self.context.vocab.default_language
        return default if default in self._label_languages else min(self._label_languages)

    def _hier(self) -> Hierarchy:
        if self._hierarchy is None:
            concepts = self.context.vocab.concepts
            related = [c.related for c in concepts] if self.params.use_related else [[] for _ in concepts]
            self._hierarchy = Hierarchy([c.narrower for c in concepts], related, [c.broader for c in concepts])
        return self._hierarchy

    def _match(
        self, text: str, offsets: bool = False, partial: bool = False, language: str | None = None,
    ) -> tuple[LabelIndex, int, list[Occurrence]]:
        if self.params.max_chars:
            text = text[: self.params.max_chars]
        lang = self.labels_language(text, language)
        index = self.label_index(lang)
        units = text_units(text, lang, document=True, offsets=offsets, surfaces=True)
        if not self.params.names:
            units = units._replace(titled=None)
        if not self.params.sentences:
            units = units._replace(sentences=None)
        return index, len(units.terms), find_occurrences(index, units, self.params.max_gap, partial)

    def _uses_partial(self) -> bool:
        """Partial matches are only worth their noise to a learned ranker."""
        return self.params.partial and self.ranker_ is not None and self.params.ranker != "hand"

    def _candidates(
        self, text: str, partial: bool | None = None, language: str | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        use = self._uses_partial() if partial is None else partial
        index, n_units, occurrences = self._match(text, partial=use, language=language)
        return candidate_features(occurrences, index, n_units, self._hier())

    # -- training -------------------------------------------------------------------------------
    def _fit(self, documents: Iterable[Document]) -> None:
        n = len(self.context.vocab)
        stats = CorpusStats.empty(n)
        per_doc: list[tuple[np.ndarray, np.ndarray, set[int]]] = []
        partial = self.params.partial and self.params.ranker != "hand"
        for doc in documents:
            concepts, rows = self._candidates(doc.text, partial=partial and bool(doc.subjects))
            gold = set(doc.subjects)
            stats.n_docs += 1
            stats.df[concepts] += 1
            if gold:
                stats.n_labelled += 1
                gold_ids = np.fromiter((g for g in gold if 0 <= g < n), dtype=np.int64)
                stats.gold[gold_ids] += 1
                stats.hit[[c for c in concepts.tolist() if c in gold]] += 1
                per_doc.append((concepts, rows, gold))
        self.stats_ = stats if stats.n_docs else None
        if self.stats_ is None and self.params.background == "un":
            self.stats_ = un_background(self.context.vocab)
        self.ranker_ = None
        wants_ranker = self.params.ranker != "hand"
        if wants_ranker and stats.n_labelled >= self.params.min_train_docs:
            rows_all, labels = [], []
            for concepts, rows, gold in per_doc:
                stats.fill(concepts, rows, own_gold=gold)
                rows_all.append(rows)
                labels.append(np.fromiter((c in gold for c in concepts.tolist()), dtype=np.int8, count=len(concepts)))
            y = np.concatenate(labels) if labels else np.zeros(0, dtype=np.int8)
            if 0 < int(y.sum()) < len(y):  # both classes are needed
                x = np.concatenate(rows_all)
                if self.params.ranker == "logistic":
                    self.ranker_ = LogisticRanker.train(x, y, c=self.params.C)
                else:
                    self.ranker_ = GradientBoostedRanker(self._ranker_settings()).fit(x, y)

    def _ranker_settings(self) -> RankerSettings:
        """The learned ranker classifies each match on its own (a document's matches are few)."""
        return RankerSettings(objective="binary", rounds=self.params.rounds)

    # -- suggesting -----------------------------------------------------------------------------
    def _scores(self, concepts: np.ndarray, rows: np.ndarray) -> np.ndarray:
        if self.stats_ is not None:
            self.stats_.fill(concepts, rows)
        if self.ranker_ is not None and self.params.ranker != "hand":
            return self.ranker_.scores(rows)
        if self.params.ranker == "auto":
            transfer = transfer_ranker()
            if transfer is not None:
                return transfer.scores(vocabulary_independent(rows))
        return hand_scores(rows)

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for text in texts:
            concepts, rows = self._candidates(text)
            scores = self._scores(concepts, rows) if len(concepts) else np.zeros(0, dtype=np.float32)
            # A derivation alone ("adopted" for ADOPTION) is weak evidence: it may add to a concept
            # matched otherwise, never make a suggestion by itself.
            keep = (scores > 0) & label_matched(rows)
            indices.append(concepts[keep])
            data.append(scores[keep])
            indptr.append(indptr[-1] + int(keep.sum()))
        return sp.csr_matrix(
            (np.concatenate(data), np.concatenate(indices), np.asarray(indptr)),
            shape=(len(texts), len(self.context.vocab)),
            dtype=np.float32,
        )

    def explain(self, text: str, subjects: Sequence[int] | None = None) -> dict[int, list[Evidence]]:
        """The evidence for each matched concept (or only for ``subjects``): the character spans of
        ``text`` where one of its labels matched, with that label as written in the vocabulary and its
        language. Gapped/reordered matches give one span per matched word. Spans are sorted."""
        index, _n, occurrences = self._match(text, offsets=True, partial=self._uses_partial())
        wanted = None if subjects is None else set(subjects)
        out: dict[int, list[Evidence]] = {}
        for occ in occurrences:
            cid = int(index.concept[occ.label])
            if occ.named or (wanted is not None and cid not in wanted):
                continue  # a word of a name is no evidence to show
            label = index.text[occ.label]
            out.setdefault(cid, []).extend(Evidence(s, e, label, index.language) for s, e in occ.spans)
        return {cid: sorted(set(ev)) for cid, ev in out.items()}

    def evidence_columns(self) -> tuple[str, ...]:
        return tuple(FEATURES)

    def evidence_rows(self, text: str, language: str | None) -> tuple[np.ndarray, np.ndarray]:
        """Matched concept ids and their evidence features (columns: ``FEATURES``), corpus columns filled."""
        concepts, rows = self._candidates(text, language=language)
        if self.stats_ is not None and len(concepts):
            self.stats_.fill(concepts, rows)
        return concepts, rows

    # -- persistence ----------------------------------------------------------------------------
    def _save(self, directory: Path) -> None:
        arrays: dict[str, np.ndarray] = {}
        meta: dict[str, object] = {"format_version": FORMAT_VERSION, "features": list(FEATURES)}
        if self.stats_ is not None:
            s = self.stats_
            arrays.update(df=s.df, gold=s.gold, hit=s.hit)
            meta.update(n_docs=s.n_docs, n_labelled=s.n_labelled)
        if isinstance(self.ranker_, LogisticRanker):
            arrays.update(self.ranker_.to_arrays())
        elif isinstance(self.ranker_, GradientBoostedRanker):
            self.ranker_.save(directory / RANKER_FILE)
        if self.ranker_ is not None:
            meta["ranker_weights"] = self.ranker_weights()
        save_arrays(directory / STATE_FILE, **arrays)
        save_json(directory / META_FILE, meta)

    def ranker_weights(self) -> dict[str, float] | None:
        """What the learned ranker weighs, by feature (logistic coefficients, or the boosted trees' share
        of the split gain), for reports; None without a learned ranker."""
        if isinstance(self.ranker_, LogisticRanker):
            return self.ranker_.weights()
        if isinstance(self.ranker_, GradientBoostedRanker):
            return self.ranker_.importance(list(FEATURES))
        return None

    def _load(self, directory: Path) -> None:
        try:
            meta = load_json(directory / META_FILE)
            arrays = load_arrays(directory / STATE_FILE)
        except (OSError, ValueError) as exc:
            raise IncompatibleModelError(f"{directory}: cannot read the matcher model ({exc}); retrain") from exc
        if meta.get("format_version") != FORMAT_VERSION or meta.get("features") != list(FEATURES):
            raise IncompatibleModelError(f"{directory}: matcher model of another format; retrain the project")
        n = len(self.context.vocab)
        if "df" in arrays:
            if arrays["df"].shape != (n,):
                raise IncompatibleModelError(f"{directory}: matcher model is for another vocabulary; retrain")
            self.stats_ = CorpusStats(arrays["df"], arrays["gold"], arrays["hit"], int(meta["n_docs"]),
                                      int(meta["n_labelled"]))
        try:
            if "ranker_coef" in arrays:
                self.ranker_ = LogisticRanker.from_arrays(arrays)
            elif (directory / RANKER_FILE).exists():
                self.ranker_ = GradientBoostedRanker.load(directory / RANKER_FILE, self._ranker_settings(), N_FEATURES)
        except ValueError as exc:
            raise IncompatibleModelError(f"{directory}: {exc}; retrain the project") from exc
