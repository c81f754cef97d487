"""Feedback store (SQLite), `unbis feedback export` and `unbis learn`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unbis import service
from unbis.cli.main import app
from unbis.corpus.readers import read_documents
from unbis.errors import InputError, NotFoundError
from unbis.feedback import FeedbackStore
from unbis.project import Project
from unbis.vocab.loaders import load_vocabulary

EURLEX = Path(__file__).parent / "data" / "corpus" / "eurlex-en"
VOCAB = EURLEX / "eurovoc-vocab.tsv"
AIDS = "http://example.org/subject/c0a1e4caf423f974"
ACP = "http://example.org/subject/3902a086d7379971"
NEW_TEXT = "Zebra quagga migration corridors across the savannah: zebra herds and quagga herds."


def test_store_records_and_latest_decision_wins(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "fb.sqlite3")
    doc = store.add_document("A text about AIDS.", name="a.txt", language="en")
    assert store.add_document("A text about AIDS.") == doc  # same text, same document
    other = store.add_document("Another text.")
    store.record(doc, "p", "v1", AIDS, "AIDS", "accepted", score=0.9)
    store.record(doc, "p", "v1", ACP, "ACP countries", "accepted")
    store.record(doc, "p", "v2", ACP, "ACP countries", "rejected")  # changed their mind
    store.record(other, "p", "v1", AIDS, "AIDS", "rejected")
    store.record(other, "q", "v1", AIDS, "AIDS", "accepted", source="added")
    decisions = store.decisions("p")
    assert [(d.document_id, d.uri, d.decision, d.model_version) for d in decisions] == [
        (doc, AIDS, "accepted", "v1"), (doc, ACP, "accepted", "v1"), (doc, ACP, "rejected", "v2"),
        (other, AIDS, "rejected", "v1")]
    assert decisions[0].created.endswith("+00:00") and decisions[0].score == 0.9
    accepted = store.accepted("p")
    assert [(a.document_id, a.name, a.uris) for a in accepted] == [(doc, "a.txt", [AIDS])]
    assert [a.uris for a in store.accepted("q")] == [[AIDS]]


def test_store_rejects_bad_input(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with pytest.raises(InputError, match="empty text"):
        store.add_document("  ")
    doc = store.add_document("x")
    with pytest.raises(InputError, match="maybe"):
        store.record(doc, "p", "v", AIDS, "AIDS", "maybe")
    with pytest.raises(NotFoundError, match="no document 42"):
        store.record(42, "p", "v", AIDS, "AIDS", "accepted")
    with pytest.raises(InputError, match="cannot open"):
        FeedbackStore(tmp_path / "fb.sqlite3" / "nested.sqlite3")


def test_export_is_readable_input_format(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    doc = store.add_document("Cooperation with the ACP countries on AIDS.", name="../weird name.txt")
    store.record(doc, "p", "v", AIDS, "AIDS", "accepted")
    store.record(doc, "p", "v", ACP, "ACP countries", "accepted", source="added")
    assert store.export_input_format("p", tmp_path / "out") == 1
    [path] = list((tmp_path / "out").iterdir())
    assert path.name == f"{doc:06d}_weird_name.txt"
    assert path.read_text("utf-8").startswith(f"%%%<{ACP}>|<{AIDS}>|\n\n")
    vocab = load_vocabulary(str(VOCAB), language="en")
    [read] = list(read_documents([tmp_path / "out"], vocab))
    assert sorted(vocab.uri(s) for s in read.subjects) == [ACP, AIDS]


def _trained(tmp_path: Path) -> Path:
    project_dir = tmp_path / "eurlex"
    service.train(project_dir, [EURLEX / "train"], vocab_spec=str(VOCAB), language="en", backend="tfidf")
    return project_dir


def test_cli_export_and_learn(tmp_path: Path) -> None:
    project_dir = _trained(tmp_path)
    before = Project.load(project_dir)
    version_before = before.version  # Project.version reads the `current` link live: keep the string
    top_before = before.suggest([NEW_TEXT], limit=1)[0]
    db = tmp_path / "fb.sqlite3"
    store = FeedbackStore(db)
    doc = store.add_document(NEW_TEXT, name="zebra.txt")
    store.record(doc, "eurlex", version_before, AIDS, "AIDS", "accepted", source="added")
    runner = CliRunner()

    out = tmp_path / "export"
    result = runner.invoke(app, ["feedback", "export", "eurlex", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.txt"))) == 1

    time.sleep(1.1)  # version names carry a timestamp to the second
    result = runner.invoke(app, ["learn", str(project_dir), "--db", str(db)])
    assert result.exit_code == 0, result.output
    after = Project.load(project_dir)
    assert after.version != version_before
    corpus = after.manifest.training["corpus"] if after.manifest else []
    assert str(EURLEX / "train") in corpus and str(project_dir / "feedback-corpus") in corpus
    top_after = after.suggest([NEW_TEXT], limit=1)[0]
    assert top_after[0].uri == AIDS and (not top_before or top_before[0].uri != AIDS)
    assert json.loads((project_dir / "current" / "project.json").read_text())["backend"] == "tfidf"

    time.sleep(1.1)  # learning again reuses the recorded corpus (the feedback directory is replaced)
    result = runner.invoke(app, ["learn", str(project_dir), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert len(list((project_dir / "feedback-corpus").glob("*.txt"))) == 1


def test_learn_without_feedback_is_a_clear_error(tmp_path: Path) -> None:
    project_dir = _trained(tmp_path)
    FeedbackStore(tmp_path / "fb.sqlite3")
    result = CliRunner().invoke(app, ["learn", str(project_dir), "--db", str(tmp_path / "fb.sqlite3")])
    assert isinstance(result.exception, InputError) and "no accepted feedback" in str(result.exception)
    result = CliRunner().invoke(app, ["learn", str(project_dir), "--db", str(tmp_path / "none.sqlite3")])
    assert isinstance(result.exception, InputError) and "no feedback database" in str(result.exception)
