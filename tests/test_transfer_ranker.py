"""The zero-shot transfer ranker: learnt on other vocabularies' corpora, chosen by leaving one corpus out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from unbis.backends.base import Context
from unbis.backends.matcher.backend import MatcherBackend
from unbis.backends.matcher.bundled import transfer_ranker, vocabulary_independent
from unbis.backends.matcher.features import COL, N_FEATURES
from unbis.backends.matcher.scoring import hand_scores
from unbis.backends.matcher.transfer import (
    CandidateRows,
    candidate_rows,
    held_out_scores,
    leave_one_corpus_out,
)
from unbis.corpus.readers import read_documents
from unbis.learning.ranker import RankerSettings
from unbis.project import default_project
from unbis.vocab.loaders import load_vocabulary

DATA = Path(__file__).parent / "data"
CORPORA = {
    "eurlex-en": (DATA / "corpus" / "eurlex-en" / "eurovoc-vocab.tsv", DATA / "corpus" / "eurlex-en" / "train", "en"),
    "csl-zh": (DATA / "corpus" / "csl-zh" / "csl-vocab.tsv", DATA / "corpus" / "csl-zh" / "dev", "zh"),
    "sdg": (DATA / "backends" / "sdg-vocab.tsv", DATA / "backends" / "sdg", "en"),
}


def _rows(name: str, limit: int = 60) -> CandidateRows:
    vocab_path, docs_path, lang = CORPORA[name]
    vocab = load_vocabulary(str(vocab_path), language=lang)
    docs = [d for d in read_documents([docs_path], vocab, on_unknown="skip", language=lang) if d.subjects][:limit]
    matcher = MatcherBackend(Context(vocab, lang), background="none", ranker="hand").fit([])
    texts = [d.text for d in docs]
    return candidate_rows(matcher, texts, [list(d.subjects) for d in docs], texts)


@pytest.fixture(scope="module")
def corpora() -> dict[str, CandidateRows]:
    return {name: _rows(name) for name in CORPORA}


def test_each_corpus_is_held_out_once_and_never_learnt_from() -> None:
    splits = list(leave_one_corpus_out(["a", "b", "c"]))
    assert [held for held, _ in splits] == ["a", "b", "c"]
    for held, learnt in splits:
        assert held not in learnt and sorted([held, *learnt]) == ["a", "b", "c"]
    with pytest.raises(ValueError):
        list(leave_one_corpus_out(["a"]))


def test_held_out_figures_do_not_depend_on_the_held_out_corpus_labels(corpora: dict[str, CandidateRows]) -> None:
    # Scramble the labels eurlex-en teaches with (not those it is evaluated on): its own held-out figures
    # must not move, those of the corpora that learnt from it must.
    scrambled = dict(corpora)
    real = corpora["eurlex-en"]
    rng = np.random.default_rng(0)
    scrambled["eurlex-en"] = CandidateRows(real.concepts, real.rows,
                                           [rng.choice(c, size=min(3, len(c)), replace=False).tolist() if len(c) else []
                                            for c in real.concepts], real.n_concepts)
    before = held_out_scores(corpora, corpora, RankerSettings(rounds=20))
    after = held_out_scores(scrambled, corpora, RankerSettings(rounds=20))
    assert after["eurlex-en"] == before["eurlex-en"]
    assert after["csl-zh"] != before["csl-zh"] or after["sdg"] != before["sdg"]


def test_transfer_rows_carry_no_concept_priors(corpora: dict[str, CandidateRows]) -> None:
    rows = np.ones((3, N_FEATURES), dtype=np.float32)
    clean = vocabulary_independent(rows)
    assert not clean[:, [COL["keyphraseness"], COL["prior"]]].any()
    assert clean[:, COL["commonness"]].all() and rows.all()  # the input is left alone
    x, _y = corpora["eurlex-en"].xy()
    assert not x[:, [COL["keyphraseness"], COL["prior"]]].any()
    assert x[:, COL["commonness"]].any()  # each corpus's own commonness, the document left out


def test_the_zero_shot_matcher_scores_with_the_transfer_ranker() -> None:
    ranker = transfer_ranker()
    assert ranker is not None
    matcher = MatcherBackend(Context(default_project().vocab, "auto")).fit([])
    assert matcher.stats_ is not None  # bundled UN commonness
    text = "Reaffirming the importance of family reunification for migrants and refugees"
    concepts, rows = matcher.evidence_rows(text, None)
    got = matcher.suggest_batch([text]).toarray()[0][concepts]
    expected = ranker.scores(vocabulary_independent(rows))
    strong = rows[:, [COL[f] for f in ("exact", "subsumed", "fuzzy", "partial")]].any(axis=1)
    assert not strong.all()  # "importance" reaches IMPORTS through a derivation only: no suggestion
    np.testing.assert_allclose(got, np.where(strong, expected, 0), rtol=1e-6)
    assert not np.allclose(got, hand_scores(rows))
