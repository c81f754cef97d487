"""--include / --exclude: parts of a vocabulary by UNBIS domain or micro-thesaurus, SKOS scheme,
collection, type or URI, for suggesting and for training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from unbis import service
from unbis.errors import ParameterError
from unbis.vocab.skos import load_skos
from unbis.vocab.subset import SubjectFilter
from unbis.vocab.unbis import load_unbis

SKOS = Path(__file__).parent / "data" / "vocab" / "subset-skos.ttl"
SEED = Path(__file__).parent / "data" / "corpus" / "seed" / "000_c7475b1adc391e1b.txt"


def _in_domain(code: str) -> np.ndarray:
    vocab = load_unbis()
    return np.array([any(path[0] == code for path in vocab.group_path(i)) for i in range(len(vocab))])


def test_unbis_domain_and_micro_thesaurus_rules() -> None:
    vocab = load_unbis()
    geo = _in_domain("17")
    assert 0 < geo.sum() < len(vocab)
    np.testing.assert_array_equal(SubjectFilter.parse(["domain:17"]).mask(vocab), geo)
    np.testing.assert_array_equal(SubjectFilter.parse(exclude=["domain:17"]).mask(vocab), ~geo)
    # by label, in another language too
    french = vocab.groups["17"].labels["fr"]
    np.testing.assert_array_equal(SubjectFilter.parse([f"domain:{french.upper()}"]).mask(vocab), geo)
    europe = np.array([any(p[-1] == "17.04.00" for p in vocab.group_path(i)) for i in range(len(vocab))])
    np.testing.assert_array_equal(SubjectFilter.parse(["mt:17.04.00"]).mask(vocab), europe)
    np.testing.assert_array_equal(SubjectFilter.parse(["domain:17"], ["microthesaurus:europe"]).mask(vocab),
                                  geo & ~europe)
    both = SubjectFilter.parse(["domain:17|10"]).mask(vocab)
    np.testing.assert_array_equal(both, geo | _in_domain("10"))


def test_skos_scheme_collection_type_and_uri_rules() -> None:
    vocab = load_skos(SKOS)
    uris = [vocab.uri(i) for i in range(len(vocab))]

    def kept(*include: str, exclude: tuple[str, ...] = ()) -> set[str]:
        mask = SubjectFilter.parse(include, exclude).mask(vocab)
        return {u.rsplit("/", 1)[-1] for u, k in zip(uris, mask, strict=True) if k}

    assert kept("scheme:http://example.org/places") == {"africa", "kenya"}
    assert kept(exclude=("scheme:http://example.org/places",)) == {"water", "energy", "solar"}
    assert kept("type:http://example.org/Place") == {"africa", "kenya"}
    assert kept("collection:http://example.org/renewables") == {"solar", "kenya"}  # nested collection too
    assert kept("uri:http://example.org/geo/*") == {"africa", "kenya"}
    assert kept("*", exclude=("http://example.org/geo/*",)) == {"water", "energy", "solar"}
    assert kept("scheme:http://example.org/topics", exclude=("collection:http://example.org/renewables",)) == {
        "water", "energy"}


def test_rules_that_name_nothing_are_errors() -> None:
    vocab = load_unbis()
    with pytest.raises(ParameterError, match="no domain '99'.*17 \\(geographical descriptors\\)"):
        SubjectFilter.parse(["domain:99"]).mask(vocab)
    with pytest.raises(ParameterError, match="matches no subject"):
        SubjectFilter.parse(["scheme:http://example.org/none"]).mask(vocab)
    with pytest.raises(ParameterError, match="leave no subject"):
        SubjectFilter.parse(["domain:17"], ["domain:17"]).mask(vocab)
    with pytest.raises(ParameterError, match="KIND:VALUE"):
        SubjectFilter.parse(["colour:red"])


def test_suggest_with_include_and_exclude() -> None:
    project = service.open_project(None)
    text = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    geo = _in_domain("17")
    vocab = project.vocab
    [only] = service.suggest_texts(project, [text], limit=10, include=["domain:17"])
    assert only and all(geo[vocab.resolve(s["uri"])] for s in only)
    [none] = service.suggest_texts(project, [text], limit=10, exclude=["domain:17"])
    assert none and not any(geo[vocab.resolve(s["uri"])] for s in none)
    [plain] = service.suggest_texts(project, [text], limit=5000)
    assert [s for s in plain if geo[vocab.resolve(s["uri"])]][:len(only)] == only  # same scores, same order


def test_train_with_include_learns_and_suggests_only_that_part(tmp_path: Path, eurlex_train: Path,
                                                               eurlex_validation: Path, eurlex_vocab: Path) -> None:
    pattern = "http://example.org/subject/[0-7]*"
    result = service.train(tmp_path / "half", [eurlex_train], vocab_spec=str(eurlex_vocab), language="en",
                           backend="tfidf", include=[f"uri:{pattern}"])
    project = service.open_project(tmp_path / "half")
    assert project.config.subjects == {"include": [f"uri:{pattern}"], "exclude": []}
    keep = SubjectFilter.parse([f"uri:{pattern}"]).mask(project.vocab)
    freq = project.label_frequencies()
    assert freq is not None and freq.counts[~keep].sum() == 0 and freq.counts[keep].sum() > 0
    texts = [p.read_text(encoding="utf-8").split("\n", 1)[1] for p in sorted(eurlex_validation.glob("*.txt"))]
    rows = service.suggest_texts(project, texts, limit=20)
    assert all(rows) and all(keep[project.vocab.resolve(s["uri"])] for row in rows for s in row)
    assert result.report.read == 30
