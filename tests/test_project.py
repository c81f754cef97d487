"""Projects end to end: train -> save (atomic, versioned, manifest) -> load -> suggest, and refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from unbis import service
from unbis.analysis.factory import ANALYSIS_VERSIONS
from unbis.errors import IncompatibleModelError, NotFittedError, ParameterError
from unbis.project import Project
from unbis.project.atomic import current_version
from unbis.project.manifest import Manifest


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, eurlex_train: Path, eurlex_vocab: Path) -> Path:
    project_dir = tmp_path_factory.mktemp("proj") / "eurlex"
    service.train(project_dir, [eurlex_train], vocab_spec=str(eurlex_vocab), language="en", backend="tfidf",
                  params=["tfidf.min_df=1"])
    return project_dir


def test_train_writes_manifest_and_current_version(trained: Path) -> None:
    version = current_version(trained)
    assert version is not None and version.parent.name == "versions"
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["backend"] == "tfidf"
    assert manifest["params"]["min_df"] == 1
    assert manifest["format_version"] == 1
    assert len(manifest["vocab_hash"]) == 16
    assert manifest["training"]["train_seconds"] >= 0


def test_load_and_suggest_is_deterministic(trained: Path, eurlex_validation: Path) -> None:
    project = Project.load(trained)
    texts = [p.read_text(encoding="utf-8").split("\n", 2)[2] for p in sorted(eurlex_validation.glob("*.txt"))[:3]]
    first = project.suggest(texts, limit=5)
    again = Project.load(trained).suggest(texts, limit=5)
    assert [[s.uri for s in row] for row in first] == [[s.uri for s in row] for row in again]
    for row in first:
        scores = [s.score for s in row]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < s <= 1 for s in scores)


def test_interrupted_training_keeps_the_old_model(trained: Path, tmp_path: Path, eurlex_train: Path,
                                                  eurlex_vocab: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during the save, once the model files are in the staging directory (the last step, the
    manifest, is where it lands): the staging directory goes, `current` stays."""
    project_dir = tmp_path / "p"
    shutil.copytree(trained, project_dir, symlinks=True)
    before = current_version(project_dir)
    seen: list[list[str]] = []

    def interrupt(_self: Manifest, directory: Path) -> None:
        seen.append(sorted(p.name for p in directory.iterdir()))
        raise KeyboardInterrupt

    monkeypatch.setattr(Manifest, "save", interrupt)
    with pytest.raises(KeyboardInterrupt):
        service.train(project_dir, [eurlex_train], vocab_spec=str(eurlex_vocab), language="en",
                      backend="tfidf")
    assert seen == [["label_counts.npz", "model", "project.json", "vocab.json.gz"]]  # the interrupt came mid-save
    assert current_version(project_dir) == before
    assert not [p for p in (project_dir / "versions").iterdir() if p.name.startswith(".staging")]
    assert sorted(p.name for p in (project_dir / "versions").iterdir()) == [before.name]  # type: ignore[union-attr]
    Project.load(project_dir)  # still loads


def test_incompatible_format_is_refused_with_retrain(trained: Path, tmp_path: Path) -> None:
    project_dir = tmp_path / "p"
    shutil.copytree(trained, project_dir, symlinks=True)
    manifest_path = current_version(project_dir) / "manifest.json"  # type: ignore[operator]
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = 999
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleModelError, match="retrain"):
        Project.load(project_dir)


def test_changed_vocabulary_is_refused(trained: Path, tmp_path: Path) -> None:
    project_dir = tmp_path / "p"
    shutil.copytree(trained, project_dir, symlinks=True)
    manifest_path = current_version(project_dir) / "manifest.json"  # type: ignore[operator]
    manifest = json.loads(manifest_path.read_text())
    manifest["vocab_hash"] = "0" * 16
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleModelError, match="another vocabulary"):
        Project.load(project_dir)


def test_a_model_of_another_text_analysis_is_refused(trained: Path, tmp_path: Path) -> None:
    """Terms learnt with another analysis of the project's language would silently miss the new ones."""
    project_dir = tmp_path / "p"
    shutil.copytree(trained, project_dir, symlinks=True)
    manifest_path = current_version(project_dir) / "manifest.json"  # type: ignore[operator]
    manifest = json.loads(manifest_path.read_text())
    assert manifest["analysis"] == ANALYSIS_VERSIONS
    manifest["analysis"]["ar"] = 1  # another language's old analysis: not this English project's concern
    manifest_path.write_text(json.dumps(manifest))
    Project.load(project_dir)
    del manifest["analysis"]  # saved before the versions were recorded: all 1, and ar is 2 now
    manifest["language"] = "auto"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleModelError, match="'ar' text analysis.*retrain"):
        Project.load(project_dir)
    manifest["analysis"] = {**ANALYSIS_VERSIONS, "en": 0}
    manifest["language"] = "en"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IncompatibleModelError, match="'en' text analysis.*retrain"):
        Project.load(project_dir)


def test_untrained_project_is_an_explicit_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotFittedError, match="unbis train"):
        Project.load(tmp_path / "empty")


def test_bad_hyperparameters_are_clear(tmp_path: Path, eurlex_train: Path, eurlex_vocab: Path) -> None:
    with pytest.raises(ParameterError, match="ngram"):
        service.train(tmp_path / "x", [eurlex_train], vocab_spec=str(eurlex_vocab), language="en",
                      backend="tfidf", params=["tfidf.ngram_max=7"])
    with pytest.raises(ParameterError, match="unknown parameter"):
        service.train(tmp_path / "x", [eurlex_train], vocab_spec=str(eurlex_vocab), language="en",
                      backend="tfidf", params=["tfidf.colour=blue"])
    with pytest.raises(ParameterError, match="expected int"):
        service.train(tmp_path / "x", [eurlex_train], vocab_spec=str(eurlex_vocab), language="en",
                      backend="tfidf", params=["tfidf.min_df=two"])
    assert not (tmp_path / "x" / "current").exists()


def test_tfidf_scores_in_unit_interval(trained: Path, eurlex_validation: Path) -> None:
    project = Project.load(trained)
    texts = [p.read_text(encoding="utf-8") for p in sorted(eurlex_validation.glob("*.txt"))]
    m = project.suggest_matrix(texts)
    assert m.shape == (len(texts), len(project.vocab))
    assert np.all(m.data > 0) and np.all(m.data <= 1.0001)
