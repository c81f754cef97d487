"""The `unbis` command line as scripts call it: train -> suggest -> index -> eval, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from run_cli import unbis

EVAL_KEYS = {"p@1", "p@3", "p@5", "r@5", "f1@5", "ndcg", "ndcg@5", "ndcg@10", "docs"}




@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, eurlex_train: Path, eurlex_vocab: Path) -> Path:
    out = tmp_path_factory.mktemp("cli") / "proj"
    result = unbis("train", str(out), str(eurlex_train), "--vocab", str(eurlex_vocab), "--language", "en",
                   "--backend", "tfidf")
    assert result.returncode == 0, result.stderr
    assert "read " in result.stderr and "skipped" in result.stderr
    return out


def test_suggest_json_shape(project: Path, eurlex_validation: Path) -> None:
    doc = sorted(eurlex_validation.glob("*.txt"))[0]
    result = unbis("suggest", str(doc), "--project", str(project), "--limit", "3", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["suggestions"]) == 3
    assert set(data["suggestions"][0]) == {"uri", "label", "score"}


def test_suggest_reads_stdin(project: Path, eurlex_validation: Path) -> None:
    text = sorted(eurlex_validation.glob("*.txt"))[1].read_text(encoding="utf-8")
    result = unbis("suggest", "-", "--project", str(project), "--json", stdin=text)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["suggestions"]


def test_index_writes_one_line_per_document(project: Path, eurlex_validation: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = unbis("index", str(project), str(eurlex_validation), "--jsonl", str(out), "--limit", "4")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    names = sorted(p.name for p in eurlex_validation.glob("*.txt"))
    assert sorted(line["document"] for line in lines) == names
    assert all(0 < len(line["suggestions"]) <= 4 for line in lines)
    first = lines[0]["suggestions"]
    assert [s["score"] for s in first] == sorted((s["score"] for s in first), reverse=True)


def test_eval_json_has_the_contract_keys(project: Path, eurlex_validation: Path, tmp_path: Path) -> None:
    per_subject = tmp_path / "subjects.tsv"
    result = unbis("eval", str(project), str(eurlex_validation), "--json", "--results-file", str(per_subject))
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert set(metrics) >= EVAL_KEYS
    assert metrics["docs"] == len(list(eurlex_validation.glob("*.txt")))
    assert 0 <= metrics["f1@5"] <= 1 and 0 < metrics["ndcg"] <= 1
    header, *rows = per_subject.read_text(encoding="utf-8").splitlines()
    assert header.split("\t")[:3] == ["URI", "Label", "Support"]
    assert sum(int(r.split("\t")[3]) for r in rows) == metrics["True positives"]


def test_eval_confidence_gives_intervals_around_the_figures(project: Path, eurlex_validation: Path) -> None:
    plain = json.loads(unbis("eval", str(project), str(eurlex_validation), "--json").stdout)
    assert "confidence_95" not in plain  # the contract's flat object unless asked for
    result = unbis("eval", str(project), str(eurlex_validation), "--json", "--confidence")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert {k: metrics[k] for k in EVAL_KEYS} == {k: plain[k] for k in EVAL_KEYS}
    for key in ("f1@5", "ndcg"):
        lo, hi = metrics["confidence_95"][key]
        assert lo <= metrics[key] <= hi and lo < hi
    table = unbis("eval", str(project), str(eurlex_validation), "--confidence").stdout
    assert "95% interval" in next(line for line in table.splitlines() if line.startswith("ndcg "))


def test_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    result = unbis("train", str(tmp_path / "p"), str(tmp_path / "nope"), "--backend", "tfidf")
    assert result.returncode == 2
    assert "nope" in result.stderr and "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_untrained_project_error(tmp_path: Path, eurlex_validation: Path) -> None:
    (tmp_path / "p").mkdir()
    result = unbis("eval", str(tmp_path / "p"), str(eurlex_validation), "--json")
    assert result.returncode == 2
    assert "unbis train" in result.stderr


def test_optimize_stores_limit_and_threshold(project: Path, eurlex_validation: Path) -> None:
    result = unbis("optimize", str(project), str(eurlex_validation))
    assert result.returncode == 0, result.stderr
    best = json.loads(result.stdout)
    assert 1 <= best["limit"] <= 15 and 0 <= best["threshold"] < 1
    config = json.loads((project / "current" / "project.json").read_text(encoding="utf-8"))
    assert (config["limit"], config["threshold"]) == (best["limit"], best["threshold"])


def test_suggest_reports_a_bad_file_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe not utf-8")
    result = unbis("suggest", str(bad), "--json")
    assert result.returncode == 2
    assert f"{bad}:1" in result.stderr and "UTF-8" in result.stderr
    assert "Traceback" not in result.stderr


def test_train_sets_members_parameters_of_the_default_pipeline(tmp_path: Path, eurlex_train: Path,
                                                              eurlex_vocab: Path) -> None:
    project = tmp_path / "p"
    done = unbis("train", str(project), str(eurlex_train), "--vocab", str(eurlex_vocab), "--language", "en",
                 "--param", "ensemble.folds=3", "--param", "linear.alpha=0.5", "--param", "knn.k=4")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((project / "current" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["backend"] == "ensemble"
    assert manifest["params"]["folds"] == 3 and manifest["params"]["linear.alpha"] == 0.5
    assert manifest["params"]["knn.k"] == 4
    bad = unbis("train", str(tmp_path / "q"), str(eurlex_train), "--vocab", str(eurlex_vocab),
                "--param", "knn.k=0")
    assert bad.returncode == 2 and "k must be >= 1" in bad.stderr
    assert not (tmp_path / "q" / "current").exists()


def test_suggest_says_why_a_document_got_no_suggestion(tmp_path: Path) -> None:
    """An empty list is explained on standard error; standard output keeps its shape."""
    doc = tmp_path / "doc.txt"
    doc.write_text("The Security Council condemns the attacks on Lebanese territory.\n", encoding="utf-8")
    result = unbis("suggest", str(doc), "--threshold", "0.99", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"suggestions": []}
    assert f"{doc}: no suggestion: none scores at least the threshold 0.99" in result.stderr
    kept = unbis("suggest", str(doc), str(doc), "--threshold", "0.99")
    assert kept.stdout.count("Suggestions for") == 2 and kept.stderr.count("no suggestion") == 2
    found = unbis("suggest", str(doc))
    assert "LEBANON" in found.stdout and "no suggestion" not in found.stderr
