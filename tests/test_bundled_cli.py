"""`@unbis` names the bundled zero-shot project wherever the CLI takes a project directory."""

from __future__ import annotations

import json
from pathlib import Path

from run_cli import unbis

DATA = Path(__file__).parent / "data"
SEED = DATA / "corpus" / "seed"
SENTENCES = DATA / "matcher" / "un-sentences"
EVAL_KEYS = {"p@1", "p@3", "p@5", "r@5", "f1@5", "ndcg", "ndcg@5", "ndcg@10", "docs"}




def test_index_with_the_bundled_project(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = unbis("index", "@unbis", str(SENTENCES), "--jsonl", str(out), "--limit", "5", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["document"] for line in lines) == sorted(p.name for p in SENTENCES.glob("*.txt"))
    assert all(0 < len(line["suggestions"]) <= 5 for line in lines)
    assert all(s["uri"].startswith("http://metadata.un.org/thesaurus/") for line in lines for s in line["suggestions"])


def test_eval_with_the_bundled_project(tmp_path: Path) -> None:
    result = unbis("eval", "@unbis", str(SEED), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert set(metrics) >= EVAL_KEYS
    assert metrics["docs"] == 1
    assert metrics["ndcg"] > 0  # the seed's UNBIS descriptors are found: the labels are resolved as UNBIS


def test_optimize_refuses_the_bundled_project() -> None:
    result = unbis("optimize", "@unbis", str(SEED))
    assert result.returncode == 2
    assert "@unbis is the bundled zero-shot project" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_directory_named_like_the_bundled_project_is_not_needed(tmp_path: Path) -> None:
    # "@unbis" is a name, not a path: it works from any working directory, and a real directory
    # path that does not exist is still an error naming it.
    missing = tmp_path / "nowhere"
    result = unbis("eval", str(missing), str(SEED), "--json")
    assert result.returncode != 0
    assert "nowhere" in result.stderr


def test_suggest_refuses_a_text_without_words(tmp_path: Path) -> None:
    """Digits and signs give no word to index from: an error naming the file, not guessed centuries."""
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("57/43 - 1999-11-15 (S/2001/1373)\n", encoding="utf-8")
    result = unbis("suggest", str(numbers))
    assert result.returncode == 2
    assert f"{numbers}:1: no words (only digits and signs)" in result.stderr
    assert result.stdout == ""
