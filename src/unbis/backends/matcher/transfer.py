"""Learning the matcher's zero-shot scorer on corpora labelled with *other* vocabularies.

A transfer ranker sees only evidence that means the same whatever the thesaurus: how and where a label
matched, its length, ambiguity and generality, the hierarchy around it, and how common the concept's
matches are in the corpus (the document itself left out). Columns that know a concept's own history
(keyphraseness, prior) are zeroed (:func:`unbis.backends.matcher.bundled.vocabulary_independent`).
Settings are chosen by leaving one corpus out: each corpus in turn is scored by a ranker learnt on the
others only. ``benchmarks/transfer_ranker.py`` runs it on EuroVoc, YSO, CSL and SDG corpora and writes
the bundled ``data/matcher-ranker.txt``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from unbis.backends.matcher.backend import MatcherBackend
from unbis.backends.matcher.bundled import vocabulary_independent
from unbis.backends.matcher.features import label_matched
from unbis.backends.matcher.scoring import CorpusStats
from unbis.evaluation import evaluate, gold_matrix
from unbis.learning.ranker import GradientBoostedRanker, RankerSettings

Scorer = Callable[[np.ndarray], np.ndarray]


@dataclass
class CandidateRows:
    """The matcher's candidates for a set of documents: per document its concepts, evidence rows
    (vocabulary-independent) and gold subjects."""

    concepts: list[np.ndarray]
    rows: list[np.ndarray]
    gold: list[list[int]]
    n_concepts: int
    #: whether every row is a candidate that may be suggested (rows of the zero-shot backend, filtered
    #: when joined); else, as the matcher suggests, one reached through a derivation only is not
    all_eligible: bool = False

    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        """All rows, and whether each candidate is a gold subject of its document."""
        y = [np.isin(c, g).astype(np.int8) for c, g in zip(self.concepts, self.gold, strict=True)]
        return np.concatenate(self.rows), np.concatenate(y)

    def evaluate(self, score: Scorer, keys: Sequence[str] = ("f1@5", "ndcg")) -> dict[str, float]:
        """Annif metrics (top 10) of ranking every document's candidates by ``score``."""
        indptr, indices, data = [0], [], []
        for c, r in zip(self.concepts, self.rows, strict=True):
            s = score(r) if len(c) else np.zeros(0, dtype=np.float32)
            keep = (s > 0) & (self.all_eligible or label_matched(r))
            indices.append(c[keep])
            data.append(s[keep])
            indptr.append(indptr[-1] + int(keep.sum()))
        pred = sp.csr_matrix((np.concatenate(data), np.concatenate(indices), np.asarray(indptr)),
                             shape=(len(self.rows), self.n_concepts), dtype=np.float32)
        res = evaluate(pred, gold_matrix(self.gold, self.n_concepts), limit=10)
        return {k: round(float(res[k]), 4) for k in keys}


def candidate_rows(
    matcher: MatcherBackend, texts: Sequence[str], gold: Sequence[Sequence[int]], background: Sequence[str]
) -> CandidateRows:
    """Rows of ``texts`` with commonness from ``background`` (a text that is part of the background
    leaves itself out). ``matcher`` must be unfitted-zero-shot (no statistics of its own)."""
    n = len(matcher.context.vocab)
    stats = CorpusStats.empty(n)
    matched: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for t in background:
        c, r = matcher._candidates(t)
        matched[t] = (c, r)
        stats.df[c] += 1
    stats.n_docs = len(background)
    concepts, rows = [], []
    for t in texts:
        own = t in matched
        c, r = matched[t] if own else matcher._candidates(t)
        r = r.copy()
        stats.fill(c, r, own_gold=set() if own else None)
        concepts.append(c)
        rows.append(vocabulary_independent(r))
    return CandidateRows(concepts, rows, [list(g) for g in gold], n)


def leave_one_corpus_out(names: Sequence[str]) -> Iterator[tuple[str, list[str]]]:
    """(held-out corpus, the corpora its ranker learns from) for every corpus in turn."""
    if len(set(names)) != len(names) or len(names) < 2:
        raise ValueError(f"leave-one-corpus-out needs two or more distinct corpora, got {list(names)}")
    for held in names:
        yield held, [n for n in names if n != held]


def train_ranker(
    corpora: Mapping[str, CandidateRows], names: Sequence[str], settings: RankerSettings,
) -> GradientBoostedRanker:
    """A LightGBM ranker over the candidate rows of the named corpora."""
    parts = [corpora[n].xy() for n in names]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    return GradientBoostedRanker(settings).fit(x, y)


def held_out_scores(
    corpora: Mapping[str, CandidateRows], tests: Mapping[str, CandidateRows], settings: RankerSettings,
) -> dict[str, dict[str, float]]:
    """Per corpus of ``tests``: its figures from a ranker learnt on the other ``corpora`` only (a corpus of
    ``tests`` that is not in ``corpora`` is evaluated without being learnt from)."""
    return {held: tests[held].evaluate(train_ranker(corpora, [n for n in others if n in corpora], settings).scores)
            for held, others in leave_one_corpus_out(list(tests))}
