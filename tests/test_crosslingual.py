"""A project trained on English documents serves documents in the other UN languages its vocabulary has
labels in, and says so when it cannot serve one (never an empty list in silence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unbis.batch import run_index
from unbis.corpus.document import Document
from unbis.errors import UnservableDocumentError
from unbis.project.project import Project, train_project
from unbis.vocab.loaders import load_vocabulary
from unbis.vocab.subject_index import Vocabulary

DATA = Path(__file__).parent / "data"
FAST = {"folds": 3, "rounds": 40, "members": "linear,knn,matcher"}

#: UN-style sentences written for the tests around the goals' official titles (A/RES/70/1) in each language.
SENTENCES = {
    "ar": ("تؤكد الجمعية العامة التزامها بهدف القضاء على الجوع وتوفير الأمن الغذائي والتغذية المحسّنة "
           "وتعزيز الزراعة المستدامة، وتدعو الدول إلى القضاء على الجوع بحلول عام 2030."),
    "zh": "大会重申致力于实现零饥饿，消除饥饿，实现粮食安全，改善营养状况和促进可持续农业，"
          "并呼吁各国到2030年实现零饥饿。",
    "ru": ("Генеральная Ассамблея подтверждает свою приверженность цели ликвидации голода, обеспечения "
           "продовольственной безопасности и улучшения питания и содействия устойчивому развитию сельского "
           "хозяйства и призывает государства к ликвидации голода к 2030 году."),
}


@pytest.fixture(scope="module")
def sdg_goals() -> Vocabulary:
    """The 17 goals with labels in the six UN languages."""
    return load_vocabulary(str(DATA / "vocab" / "sdg-goals.csv"), language="en")


@pytest.fixture(scope="module")
def english_docs(sdg_goals: Vocabulary, sdg_docs: list[Document]) -> list[Document]:
    """The English SDG paragraphs, their labels resolved in the six-language vocabulary."""
    ids = {label: sdg_goals.resolve(label) for d in sdg_docs for label in d.labels}
    return [Document(text=d.text, subjects=[i for i in (ids[x] for x in d.labels) if i is not None], name=d.name)
            for d in sdg_docs[:150]]


@pytest.fixture(scope="module", params=["auto", "off"])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sdg_goals: Vocabulary,
            english_docs: list[Document]) -> Project:
    """Trained on English paragraphs with the six-language vocabulary: with the ``semantic`` member (which
    a multilingual vocabulary brings by default) and without it (the matcher alone carries the others)."""
    out = tmp_path_factory.mktemp("xl") / f"sdg-{request.param}"
    train_project(out, english_docs, sdg_goals, "en", params={**FAST, "semantic": request.param})
    return Project.load(out)


def test_english_project_records_and_serves_every_language_of_its_labels(project: Project) -> None:
    assert project.config.language == "en"
    assert project.config.languages == ["ar", "en", "es", "fr", "ru", "zh"]
    if project.config.params["semantic"] == "auto":
        assert "semantic" in project.backend.members_ and "semantic" in project.backend.evidence_
        # one object scores and gives evidence: a batch's passages meet the labels once
        assert project.backend.members_["semantic"] is project.backend.evidence_["semantic"]
        assert project.backend.crosslingual_ranker_ is not None
    else:
        # The matcher found almost nothing right in the English paragraphs (their goals' English labels are
        # titles they rarely quote): no second ranker to learn, the matcher's own scores serve.
        assert "semantic" not in project.backend.members_
        assert project.backend.crosslingual_ranker_ is None


@pytest.mark.parametrize("language", ["ar", "zh", "ru"])
def test_documents_in_other_languages_get_their_goal(project: Project, sdg_goals: Vocabulary, language: str) -> None:
    [row] = project.suggest([SENTENCES[language]], limit=3)
    assert row, f"{language}: nothing suggested"
    assert row[0].uri == "http://metadata.un.org/sdg/2", [s.uri for s in row]


def test_a_mixed_batch_gives_each_document_what_it_gets_alone(project: Project, english_docs: list[Document]) -> None:
    texts = [english_docs[0].text, SENTENCES["zh"], english_docs[1].text]
    together = project.suggest_matrix(texts)
    for i, text in enumerate(texts):
        alone = project.suggest_matrix([text])
        assert (abs(together[i] - alone) > 1e-6).nnz == 0


def test_only_a_short_document_takes_the_mean_of_both_rankers(project: Project, english_docs: list[Document]) -> None:
    """A document like the training paragraphs is scored by the main ranker alone (the mean with the
    crosslingual ranker costs quality there); one shorter than most of them, by the mean of the two."""
    backend = project.backend
    if backend.crosslingual_ranker_ is None:
        pytest.skip("no crosslingual ranker without the semantic member")
    lengths = sorted(len(d.text) for d in english_docs)
    assert lengths[0] <= backend.short_chars_ < lengths[-1]
    long_text = next(d.text for d in english_docs if len(d.text) > 2 * backend.short_chars_)
    short_text = "Eradicate poverty and hunger."
    assert len(short_text) < backend.short_chars_
    both = backend.suggest_batch([long_text, short_text])
    ranker, backend.crosslingual_ranker_ = backend.crosslingual_ranker_, None
    try:
        main_only = backend.suggest_batch([long_text, short_text])
    finally:
        backend.crosslingual_ranker_ = ranker
    assert (abs(both[0] - main_only[0]) > 1e-6).nnz == 0  # the long one: the main ranker's scores
    assert (abs(both[1] - main_only[1]) > 1e-6).nnz > 0  # the short one: not


def test_a_language_the_project_cannot_serve_is_said_not_silenced(
    tmp_path: Path, sdg_vocab: Vocabulary, sdg_docs: list[Document],
) -> None:
    """English labels only and no member that reads Arabic: an Arabic document is an error naming the
    language (``unbis index`` records it and indexes the others)."""
    train_project(tmp_path / "en-only", sdg_docs[:150], sdg_vocab, "en", params=FAST)
    project = Project.load(tmp_path / "en-only")
    assert project.config.languages == ["en"]
    with pytest.raises(UnservableDocumentError, match="is in Arabic"):
        project.suggest([SENTENCES["ar"]])
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.ar.txt").write_text(SENTENCES["ar"], encoding="utf-8")
    (docs / "b.en.txt").write_text(sdg_docs[200].text, encoding="utf-8")
    summary = run_index(project, [docs], tmp_path / "out.jsonl", jobs=1)
    assert summary.written == 1 and summary.failed == 1
    errors = (tmp_path / "out.jsonl.errors").read_text(encoding="utf-8")
    assert "a.ar.txt" in errors and "is in Arabic" in errors


def test_language_versions_of_one_document_together() -> None:
    """The Charter's preamble in six languages, with the bundled default: a descriptor needs at least half
    of the versions, and each suggestion shows its score in every version."""
    import json

    from unbis import service
    from unbis.errors import InputError

    preamble = json.loads((DATA / "analysis" / "un_charter_preamble.json").read_text(encoding="utf-8"))["sentences"]
    versions = [(f"preamble.{lang}", preamble[lang]) for lang in ("en", "fr", "es", "ru", "ar", "zh")]
    project = service.open_project(None)
    together = service.suggest_as_one(project, versions, limit=10)
    assert together
    for s in together:
        assert set(s["versions"]) == {name for name, _ in versions}
        assert sum(score > 0 for score in s["versions"].values()) >= 3, s
    alone = service.suggest_texts(project, [text for _, text in versions], limit=100)
    for s in together:  # each version's own score is what it gives alone
        for (name, _), row in zip(versions, alone, strict=True):
            mine = {x["uri"]: x["score"] for x in row}.get(s["uri"], 0.0)
            assert s["versions"][name] == pytest.approx(mine, abs=1e-6)
    with pytest.raises(InputError, match="at least two"):
        service.suggest_as_one(project, versions[:1])
    with pytest.raises(InputError, match="different file"):
        service.suggest_as_one(project, [versions[0], versions[0]])


def test_cli_suggest_as_one_prints_each_versions_score(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from unbis.cli.main import app

    preamble = json.loads((DATA / "analysis" / "un_charter_preamble.json").read_text(encoding="utf-8"))["sentences"]
    files = []
    for lang in ("en", "fr", "ar"):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "preamble.txt").write_text(preamble[lang], encoding="utf-8")
        files.append(str(tmp_path / lang / "preamble.txt"))
    result = CliRunner().invoke(app, ["suggest", *files, "--as-one", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["suggestions"]
    assert rows and all(set(r["versions"]) == set(files) for r in rows)
    text = CliRunner().invoke(app, ["suggest", *files, "--as-one"])
    assert text.exit_code == 0 and "en/preamble.txt" in text.output and "ar/preamble.txt" in text.output
