"""A document in none of the six UN languages is refused with its language named, never read as English.

EU acts in German, Greek, Portuguese ... (tests/data/langid, from multieurlex-smoke: PROVENANCE.md) are
what the language detector, restricted to the UN languages, used to call English or French."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from run_cli import unbis
from unbis.analysis.langdetect import FOREIGN_CHUNK_CHARS, foreign_language
from unbis.errors import UnservableDocumentError
from unbis.project import default_project

DATA = Path(__file__).parent / "data"
LANGID = DATA / "langid"
FOREIGN = {"de": "de", "el": "el", "pt": "pt", "pl": "pl", "bg": "bg", "it": "it", "hr": {"hr", "bs", "sr"}}


def _text(name: str) -> str:
    return (LANGID / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", sorted(FOREIGN))
def test_an_eu_act_in_another_language_is_foreign(lang: str) -> None:
    found = foreign_language(_text(f"32006D0213.{lang}.txt"))
    expected = FOREIGN[lang]
    assert found in expected if isinstance(expected, set) else found == expected


@pytest.mark.parametrize("lang", ["ar", "zh", "en", "fr", "ru", "es"])
def test_un_texts_are_not_foreign(lang: str) -> None:
    for path in sorted((DATA / "udhr" / lang).glob("*.txt")):
        assert foreign_language(path.read_text(encoding="utf-8")) is None, path


def test_the_whole_document_decides_not_its_opening() -> None:
    """An English text that opens with a Swedish abstract (as theses do) is English: its opening alone
    reads as Swedish, the chunks spread through it do not."""
    text = _text("swedish-opening.en.txt")
    assert foreign_language(text[:FOREIGN_CHUNK_CHARS]) == "sv"
    assert foreign_language(text) is None


def test_a_text_too_short_to_judge_is_not_called_foreign() -> None:
    assert foreign_language("Entscheidung der Kommission vom 6. März 2006") is None


def test_the_project_refuses_it_and_names_the_language() -> None:
    project = default_project()
    with pytest.raises(UnservableDocumentError, match="is in German"):
        project.suggest([_text("32006D0213.de.txt")])


def test_cli_reports_the_foreign_file_and_indexes_the_others(tmp_path: Path) -> None:
    de, en = LANGID / "32006D0213.de.txt", DATA / "udhr" / "en" / "udhr_art23.txt"
    alone = unbis("suggest", str(de))
    assert alone.returncode == 2 and f"{de} is in German" in alone.stderr, alone.stderr
    result = unbis("suggest", str(de), str(en), "--json")
    assert result.returncode == 2, result.stderr
    assert "is in German" in result.stderr and str(de) in result.stderr
    rows = {row["file"]: row for row in json.loads(result.stdout)}
    assert "German" in rows[str(de)]["error"] and rows[str(en)]["suggestions"]

    docs = tmp_path / "docs"
    docs.mkdir()
    for path in (de, en):
        (docs / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = unbis("index", "@unbis", str(docs), "--jsonl", str(out))
    assert [json.loads(line)["document"] for line in out.read_text(encoding="utf-8").splitlines()] == [en.name]
    errors = [json.loads(line) for line in Path(f"{out}.errors").read_text(encoding="utf-8").splitlines()]
    assert [e["document"] for e in errors] == [de.name] and "is in German" in errors[0]["message"]


def test_eval_skips_it_with_the_reason_and_scores_the_others(tmp_path: Path) -> None:
    """Scored as if it were English, a German document would only lower the figures: it is counted as
    skipped, with its language, and the seed is evaluated alone."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seed = DATA / "corpus" / "seed"
    for path in seed.glob("*.txt"):
        (corpus / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    german = _text("32006D0213.de.txt")
    (corpus / "de.txt").write_text("%%%PEACE|\n\n" + german, encoding="utf-8")
    result = unbis("eval", "@unbis", str(corpus), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["docs"] == len(list(seed.glob("*.txt")))
    assert "not in a UN language: 1" in result.stderr and "German" in result.stderr
