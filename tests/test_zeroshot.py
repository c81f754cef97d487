"""The bundled zero-shot default: matcher and semantic evidence joined, scored by the bundled ranker."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest

from unbis.backends.base import Context
from unbis.backends.matcher.features import COL
from unbis.backends.matcher.features import FEATURES as MATCH_FEATURES
from unbis.backends.zeroshot import (
    FEATURES,
    META_FILE,
    ZeroShotBackend,
    bundled_ranker,
    join_candidates,
    label_columns,
)
from unbis.embedding.passages import passage_spans, split_passages
from unbis.errors import IncompatibleModelError
from unbis.project import Project, default_project

UDHR = Path(__file__).parent / "data" / "udhr"
COLUMN = {name: i for i, name in enumerate(FEATURES)}


@pytest.fixture(scope="module")
def project() -> Project:
    return default_project()


def test_passage_spans_point_at_the_passages_in_the_text() -> None:
    rng = random.Random(7)
    words = ["a", "bb", "Security", "Council", "\n\n", "  ", "x" * 40, "中文"]
    for _ in range(200):
        text = "".join(rng.choice(words) + rng.choice([" ", "\t", "\n  ", ""]) for _ in range(rng.randint(0, 300)))
        for chars, most in [(50, 8), (80, 3), (60, 2), (600, 8)]:
            spans = passage_spans(text, chars, most)
            assert [p for p, _, _ in spans] == split_passages(text, chars, most)
            for passage, start, end in spans:
                assert re.sub(r"\s+", " ", text[start:end]).strip() == passage


def test_candidates_are_real_matches_and_the_closest_in_meaning() -> None:
    width = len(MATCH_FEATURES)
    matched = np.array([3, 5, 8])
    rows = np.zeros((3, width), dtype=np.float32)
    rows[0, COL["exact"]] = 1.0
    rows[1, COL["derived"]] = 1.0  # a derivation alone: no candidate unless close in meaning
    rows[2, COL["fuzzy"]] = 0.5
    sims = np.array([[0.1, 0.9, 0.2, 0.3, 0.0, 0.2, 0.1, 0.8, 0.1, 0.0],
                     [0.2, 0.5, 0.7, 0.1, 0.0, 0.1, 0.1, 0.1, 0.6, 0.0]], dtype=np.float32)
    concepts, out = join_candidates(matched, rows, sims, proposed=2)
    assert concepts.tolist() == [1, 3, 7, 8]  # matches 3 and 8, and the two best in meaning (1: 0.9, 7: 0.8)
    assert out.shape == (4, len(FEATURES))
    assert out[:, COLUMN["matched"]].tolist() == [0, 1, 0, 1]
    np.testing.assert_allclose(out[:, COLUMN["sem_best"]], [0.9, 0.3, 0.8, 0.6])
    np.testing.assert_allclose(out[:, COLUMN["sem_first"]], [0.9, 0.3, 0.8, 0.1])
    np.testing.assert_allclose(out[:, COLUMN["sem_top_mean"]], [0.7, 0.2, 0.45, 0.35], atol=1e-6)
    np.testing.assert_allclose(out[:, COLUMN["sem_gap"]], [0.0, -0.6, -0.1, -0.3], atol=1e-6)
    assert out[:, COLUMN["sem_proposed"]].tolist() == [1, 0, 1, 0]
    np.testing.assert_array_equal(out[1, :width], rows[0])
    np.testing.assert_array_equal(out[3, :width], rows[2])
    assert not out[[0, 2], :width].any()  # found by meaning only: no match evidence
    assert not out[:, -2:].any()  # no label columns asked for
    # with a derivation close in meaning, it is a candidate and keeps its match evidence
    concepts, out = join_candidates(np.array([1]), rows[1:2], sims, proposed=1)
    assert concepts.tolist() == [1] and out[0, COL["derived"]] == 1.0
    assert out[0, COLUMN["matched"]] == 0  # found by meaning: a derivation is no match


def test_the_bundled_default_joins_matches_and_meaning(project: Project) -> None:
    backend = project.backend
    assert isinstance(backend, ZeroShotBackend) and bundled_ranker() is not None
    ranker = bundled_ranker()
    assert ranker is not None and ranker.boosters_[0].num_feature() == len(FEATURES)
    text = (UDHR / "en" / "udhr_art26.txt").read_text(encoding="utf-8")
    concepts, rows = backend.candidates([text])[0]
    scores = backend.suggest_batch([text]).toarray()[0]
    ranked = backend.ranker.scores(rows)
    matched = rows[:, COLUMN["matched"]] == 1
    assert matched.any() and (~matched).any()
    floor = backend.params.meaning_floor
    bar = floor * ranked.max()
    assert floor > 0 and ((~matched) & (ranked < bar)).any()  # some found by meaning are too weak
    np.testing.assert_allclose(scores[concepts], np.where(matched | (ranked >= bar), ranked, 0), rtol=1e-6)
    assert scores.nonzero()[0].size == int((matched | (ranked >= bar)).sum())


def test_label_columns_say_how_much_of_a_label_is_written(project: Project) -> None:
    backend = project.backend
    assert isinstance(backend, ZeroShotBackend)
    vocab = project.vocab
    ids = [vocab.resolve(label) for label in ("HUMAN RIGHTS", "TREATIES BETWEEN STATES AND INTERNATIONAL ORGANIZATIONS",
                                              "PREVENTIVE DIPLOMACY")]
    assert None not in ids
    text = "Cooperation between international organizations and States on human rights."
    cols = label_columns(backend.matcher_, text, np.array(ids))
    assert cols[0, 0] == 1.0 and 0.3 < cols[1, 0] < 1.0 and cols[2, 0] == 0.0
    assert cols[0, 1] < cols[1, 1]  # two words against five (the stop word "and" aside)
    security = vocab.resolve("INTERNATIONAL SECURITY")
    council = label_columns(backend.matcher_, "The Security Council met on international peace.", np.array([security]))
    assert council[0, 0] == 0.5  # "international" only: the "security" of the Security Council does not count
    french = label_columns(backend.matcher_, "La coopération en matière de droits de l'homme.", np.array(ids[:1]))
    assert french[0, 0] == 1.0  # read against the French label, DROITS DE L'HOMME


def test_the_six_language_versions_agree(project: Project) -> None:
    """Five UDHR articles: every version gets suggestions, and each language's top 10 overlaps the
    English one's."""
    means = {}
    for language in ("ar", "zh", "ru", "fr", "es"):
        overlaps = []
        for path in sorted((UDHR / "en").glob("*.txt")):
            english = project.suggest([path.read_text(encoding="utf-8")], limit=10)[0]
            other = project.suggest([(UDHR / language / path.name).read_text(encoding="utf-8")], limit=10)[0]
            assert english and other, f"{language} {path.name}: no suggestion"
            a, b = {s.subject for s in english}, {s.subject for s in other}
            overlaps.append(len(a & b) / len(a | b))
        means[language] = float(np.mean(overlaps))
    assert min(means.values()) > 0.1 and np.mean(list(means.values())) >= 0.25, means


def test_a_concept_found_by_meaning_is_explained_by_its_passage(project: Project) -> None:
    text = (UDHR / "ru" / "udhr_art25.txt").read_text(encoding="utf-8")
    backend = project.backend
    assert isinstance(backend, ZeroShotBackend)
    concepts, rows = backend.candidates([text])[0]
    by_meaning = [int(c) for c, r in zip(concepts, rows, strict=True) if not r[COLUMN["matched"]]]
    assert by_meaning
    found = backend.explain(text, by_meaning)
    assert set(found) == set(by_meaning)
    for cid, spans in found.items():
        (span,) = spans
        assert 0 <= span.start < span.end <= len(text) and text[span.start:span.end].strip()
        assert (span.language, span.label) in {(lang, label) for lang, _k, label in
                                               project.vocab.concepts[cid].all_labels()}


def test_a_saved_zeroshot_project_loads_and_refuses_another_format(project: Project, tmp_path: Path) -> None:
    backend = ZeroShotBackend(Context(project.vocab, "auto")).fit([])
    backend.save(tmp_path)
    text = (UDHR / "fr" / "udhr_art04.txt").read_text(encoding="utf-8")
    again = ZeroShotBackend.load(tmp_path, Context(project.vocab, "auto"), backend.params_dict())
    assert (again.suggest_batch([text]) != backend.suggest_batch([text])).nnz == 0
    meta = json.loads((tmp_path / META_FILE).read_text())
    (tmp_path / META_FILE).write_text(json.dumps({**meta, "features": meta["features"][:-1]}))
    with pytest.raises(IncompatibleModelError, match="retrain"):
        ZeroShotBackend.load(tmp_path, Context(project.vocab, "auto"), backend.params_dict())
