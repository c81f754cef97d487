"""The indexer's toolbox on the command line: eval's new keys and report, projects, show, export/import,
suggest of several files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

NEW_EVAL_KEYS = {"p@10", "r@10", "f1@10", "p@15", "r@15", "f1@15", "p@20", "r@20", "f1@20",
                 "psp@1", "psp@3", "psp@5", "psp@10", "psndcg@3", "psndcg@5", "psndcg@10", "propensity"}
CONTRACT = {"p@1", "p@3", "p@5", "r@5", "f1@5", "ndcg", "ndcg@5", "ndcg@10", "docs"}


def unbis(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    code = "from unbis.cli.main import run; run()"
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory, eurlex_train: Path, eurlex_vocab: Path) -> Path:
    root = tmp_path_factory.mktemp("toolbox") / "runs"
    result = unbis("train", str(root / "eurlex"), str(eurlex_train), "--vocab", str(eurlex_vocab),
                   "--language", "en", "--backend", "tfidf")
    assert result.returncode == 0, result.stderr
    return root


def test_eval_json_adds_the_fields_metrics_and_keeps_the_contract(projects: Path, eurlex_validation: Path) -> None:
    result = unbis("eval", str(projects / "eurlex"), str(eurlex_validation), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert set(metrics) >= CONTRACT | NEW_EVAL_KEYS
    # frequencies from the training corpus the project recorded (30 documents)
    assert metrics["propensity"] == {"A": 0.55, "B": 1.5, "frequencies": "training", "documents": 30}
    assert metrics["r@20"] >= metrics["r@15"] >= metrics["r@10"] >= metrics["r@5"]
    assert all(0 <= metrics[k] <= 1 for k in NEW_EVAL_KEYS - {"propensity"})
    other = json.loads(unbis("eval", str(projects / "eurlex"), str(eurlex_validation), "--json",
                             "--propensity-a", "1.5").stdout)
    assert other["propensity"]["A"] == 1.5 and other["psp@5"] != metrics["psp@5"]
    assert {k: other[k] for k in CONTRACT} == {k: metrics[k] for k in CONTRACT}


def test_eval_report_writes_markdown_html_and_plots(projects: Path, eurlex_validation: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = unbis("eval", str(projects / "eurlex"), str(eurlex_validation), "--report", str(out))
    assert result.returncode == 0, result.stderr
    for name in ("threshold.png", "scores.png", "frequency.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "## Per subject" in md and "psndcg@5" in md and "![threshold](threshold.png)" in md
    assert '<img src="frequency.png"' in page and "<table>" in page
    # the per-subject table holds every subject that is gold in the evaluation set
    support_rows = [line for line in md.split("## Per subject")[1].splitlines()
                    if line.startswith("| http") and line.split(" | ")[3] != "0"]
    gold = {label for p in eurlex_validation.glob("*.txt")
            for label in p.read_text(encoding="utf-8").splitlines()[0].removeprefix("%%%").split("|") if label}
    assert len(support_rows) == len(gold)
