"""Vocabularies: the bundled UNBIS Thesaurus, its builder, the file loaders and the ``vocab`` CLI."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unbis.cli.vocab_cmd import app
from unbis.errors import VocabularyError
from unbis.vocab import (
    Vocabulary,
    add_alt_labels,
    build_unbis,
    load_csv,
    load_skos,
    load_tsv,
    load_unbis,
    load_vocabulary,
    mint_uri,
    normalise_group_code,
    vocab_from_labels,
)

DATA = Path(__file__).parent / "data" / "vocab"
SIX = ["ar", "en", "es", "fr", "ru", "zh"]
T = "http://metadata.un.org/thesaurus/"
needs_rdflib = pytest.mark.skipif(
    importlib.util.find_spec("rdflib") is None, reason="the 'skos' extra (rdflib) is not installed"
)


@pytest.fixture(scope="module")
def unbis() -> Vocabulary:
    return load_unbis()


# -- bundled UNBIS -----------------------------------------------------------------------------
def test_bundled_unbis_counts(unbis: Vocabulary) -> None:
    assert unbis.name == "unbis" and unbis.default_language == "en"
    # 7,139 numeric descriptors (1000000-1007138 minus one gap, plus 2000002 COVID-19) + 30 c_ concepts
    assert len(unbis) == 7169
    assert sum(1 for c in unbis.concepts if c.uri.startswith(T + "c_")) == 30
    assert all(re.fullmatch(re.escape(T) + r"(\d{7}|c_[0-9a-f]{8})", c.uri) for c in unbis.concepts)
    domains = [g for g in unbis.groups.values() if g.parent is None]
    micro = [g for g in unbis.groups.values() if g.parent is not None]
    assert (len(domains), len(micro)) == (18, 143)
    assert all(re.fullmatch(r"\d\d", g.code) for g in domains)
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d\d", g.code) and g.parent == g.code[:2] for g in micro)
    assert all(sorted(g.labels) == SIX for g in unbis.groups.values())


def test_bundled_unbis_languages(unbis: Vocabulary) -> None:
    assert unbis.languages == SIX
    complete = sum(1 for c in unbis.concepts if sorted(c.labels) == SIX)
    assert complete >= len(unbis) - 2  # ANTIMICROBIAL RESISTANCE (en only), SLOVENES (no zh)
    # No GPL alternative labels inside the package.
    assert not any(c.alt_labels for c in unbis.concepts)


def test_bundled_unbis_resolves_every_language(unbis: Vocabulary) -> None:
    cid = unbis.resolve("SUSTAINABLE DEVELOPMENT")
    assert cid is not None and unbis.uri(cid) == T + "1006319"
    assert unbis.resolve("可持续发展") == cid
    for lang, label in unbis.concepts[cid].labels.items():
        assert unbis.resolve(label) == cid, lang
        assert unbis.resolve(label.lower()) == cid, lang
    assert unbis.resolve(f"<{T}1006319>") == cid
    assert unbis.label(cid, "zh") == "可持续发展"


def test_bundled_unbis_folded_lookup(unbis: Vocabulary) -> None:
    cid = unbis.resolve("ENFANTS ABANDONNES")
    assert cid is not None and unbis.uri(cid) == T + "1000001"
    assert unbis.resolve("enfants abandonnés") == cid
    assert unbis.resolve("  Enfants   Abandonnés ") == cid
    assert unbis.resolve("enfants abandonnées") is None


def test_bundled_unbis_groups_and_related(unbis: Vocabulary) -> None:
    cid = unbis.resolve("ABANDONED CHILDREN")
    assert cid is not None
    concept = unbis.concepts[cid]
    assert concept.groups == ["14.05.03"]
    assert unbis.group_path(cid) == [["14", "14.05.03"]]
    assert unbis.groups["14.05.03"].labels["en"] == "social development"
    assert [unbis.uri(r) for r in concept.broader] == [T + "1000952"]  # CHILDREN (broader)
    # micro-thesauri are groups, never concepts
    assert unbis.resolve("040202") is None and unbis.resolve(T + "040202") is None


def test_bundled_unbis_hash_is_stable(unbis: Vocabulary, tmp_path: Path) -> None:
    # Models store this hash; it changes only if the bundled file's concept order changes.
    assert unbis.content_hash() == "d3d4140b6add1613"
    unbis.save(tmp_path / "copy.json.gz")
    assert Vocabulary.load(tmp_path / "copy.json.gz").content_hash() == unbis.content_hash()


def test_load_unbis_cache_and_fresh_copy(unbis: Vocabulary) -> None:
    assert load_unbis() is unbis
    fresh = load_unbis(fresh=True)
    assert fresh is not unbis and fresh.content_hash() == unbis.content_hash()


@pytest.mark.parametrize(
    ("code", "canonical"), [("040202", "04.02.02"), ("04.02.02", "04.02.02"), ("04", "04"), (" 150000", "15.00.00")]
)
def test_normalise_group_code(code: str, canonical: str) -> None:
    assert normalise_group_code(code) == canonical


def test_normalise_group_code_rejects_descriptor() -> None:
    with pytest.raises(VocabularyError, match="1000001"):
        normalise_group_code("1000001")


# -- builder -----------------------------------------------------------------------------------
def test_build_unbis_from_sample() -> None:
    vocab, report = build_unbis(DATA / "unbis-mini")
    uris = [c.uri for c in vocab.concepts]
    # 140503 and 080302 are micro-thesauri: groups, not concepts; ids ordered by identifier
    assert uris == [T + i for i in ["1000001", "1000327", "1000952", "2000002", "c_cc2b6392", "c_e88b31d2"]]
    assert (report.domains, report.micro_thesauri) == (3, 3)
    slovenes = vocab.concepts[vocab.resolve("SLOVENES") or 0]
    assert slovenes.labels["ru"] == "СЛОВЕНЦЫ" and "zh" not in slovenes.labels  # misfiled zh label moved
    adaptation = vocab.concepts[vocab.resolve("CLIMATE CHANGE ADAPTATION") or 0]
    assert adaptation.labels["zh"] == "适应气候变化"  # leading space removed
    assert report.incomplete_languages == {"1000327": ["ar", "zh", "fr", "ru", "es"], "c_cc2b6392": ["zh"]}
    assert "c_e88b31d2" in report.without_group
    assert any("080100" in n for n in report.notes)  # CHILDREN's micro-thesaurus is not in the sample
    abandoned = vocab.resolve("ABANDONED CHILDREN")
    assert abandoned is not None
    assert vocab.concepts[abandoned].broader == [vocab.resolve("CHILDREN")]
    assert vocab.group_path(abandoned) == [["14", "14.05.03"]]


def test_build_unbis_missing_source(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match=str(tmp_path)):
        build_unbis(tmp_path)


# -- alternative labels (GPL list, loaded from a path) -------------------------------------------
def test_add_alt_labels() -> None:
    vocab = load_unbis(fresh=True)
    added = add_alt_labels(vocab, DATA / "unbis-en-altlabels-excerpt.lst")
    # 6 alt labels + 2 old preferred labels (AIDS, CZECH REPUBLIC); HIV/AIDS and COTE D'IVOIRE already there
    assert added == 8
    abduction = vocab.resolve("ABDUCTION")
    assert abduction is not None and vocab.resolve("kidnapping") == abduction
    assert vocab.concepts[abduction].alt_labels == {"en": ["CHILD ABDUCTION", "KIDNAPPING"]}
    assert vocab.uri(vocab.resolve("AIDS") or 0) == T + "1000181"
    assert vocab.label(vocab.resolve("CZECH REPUBLIC") or 0) == "CZECHIA"
    assert vocab.resolve("ECODEVELOPMENT") == vocab.resolve("SUSTAINABLE DEVELOPMENT")
    assert "HIV/AIDS" not in vocab.concepts[vocab.resolve("AIDS") or 0].alt_labels["en"]
    assert add_alt_labels(vocab, DATA / "unbis-en-altlabels-excerpt.lst") == 0  # idempotent


def test_add_alt_labels_malformed(tmp_path: Path) -> None:
    bad = tmp_path / "alt.lst"
    lines = (DATA / "unbis-en-altlabels-excerpt.lst").read_text(encoding="utf-8").splitlines()[:2]
    bad.write_text("\n".join([*lines, "BROKEN LINE WITHOUT FIELDS"]) + "\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=re.escape(f"{bad}:3:")):
        add_alt_labels(load_unbis(fresh=True), bad)


# -- SKOS ----------------------------------------------------------------------------------------
@needs_rdflib
def test_load_skos_turtle() -> None:
    vocab = load_skos(DATA / "mini-skos.ttl")
    assert [c.uri for c in vocab.concepts] == [T + "1000001", T + "1000952", T + "1007107"]
    assert vocab.resolve("WAIFS") is None  # owl:deprecated
    abandoned, children, youth = 0, 1, 2
    c = vocab.concepts[abandoned]
    assert c.labels == {"en": "ABANDONED CHILDREN", "fr": "ENFANTS ABANDONNES", "zh": "被遗弃儿童"}
    assert c.alt_labels == {"en": ["DESERTED CHILDREN"]}
    assert c.hidden_labels == {"en": ["ABANDONNED CHILDREN"]}
    assert c.notation == "14.05.03.1" and vocab.resolve("14.05.03.1") == abandoned
    assert c.broader == [children] and vocab.concepts[children].narrower == [abandoned]  # inverse filled in
    assert vocab.concepts[youth].related == [children]  # related made symmetric
    assert vocab.concepts[youth].alt_labels == {"en": ["YOUNG PEOPLE"]}  # untagged literal -> language
    assert c.groups == [T + "140503"]
    assert vocab.groups[T + "140503"].parent == T + "14"
    assert vocab.group_path(abandoned) == [[T + "14", T + "140503"]]
    assert vocab.groups[T + "14"].labels == {"en": "SOCIAL QUESTIONS", "fr": "QUESTIONS SOCIALES"}


@needs_rdflib
@pytest.mark.parametrize(("suffix", "fmt"), [(".nt", "nt"), (".rdf", "xml"), (".jsonld", "json-ld")])
def test_load_skos_other_formats(tmp_path: Path, suffix: str, fmt: str) -> None:
    import rdflib

    turtle = load_skos(DATA / "mini-skos.ttl")
    out = tmp_path / f"mini{suffix}"
    graph = rdflib.Graph().parse(DATA / "mini-skos.ttl", format="turtle")
    graph.serialize(out, format=fmt, encoding="utf-8")
    vocab = load_vocabulary(out)
    assert vocab.content_hash() == turtle.content_hash()
    assert vocab.to_dict()["concepts"] == turtle.to_dict()["concepts"]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("bad.ttl", '@prefix s: <http://www.w3.org/2004/02/skos/core#> .\n\n<http://x/1> a s:Concept\n'
                    '  s:prefLabel "A"@en .\n', 4),
        ("bad.nt", '<http://x/1> <http://x/p> "a" .\n<http://x/1> <http://x/p> "b"\n', 2),
        ("bad.rdf", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                    '<rdf:Description rdf:about="http://x/1">\n</rdf:RDF>\n', 4),
    ],
)
@needs_rdflib
def test_load_skos_malformed(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError, match=re.escape(f"{path}:{line}:")):
        load_skos(path)


@needs_rdflib
def test_load_skos_without_concepts(tmp_path: Path) -> None:
    path = tmp_path / "empty.ttl"
    path.write_text("<http://x/1> <http://x/p> <http://x/2> .\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match="no .*skos:Concept"):
        load_skos(path)


# -- TSV / CSV -----------------------------------------------------------------------------------
def test_load_tsv() -> None:
    vocab = load_tsv(DATA / "mini.tsv", language="en")
    assert [c.uri for c in vocab.concepts] == [T + "1000001", T + "1000952", T + "1007107"]
    assert vocab.concepts[0].notation == "14.05.03.1" and vocab.concepts[1].notation is None
    assert vocab.resolve("youth") == 2 and vocab.name == "mini"
    fr = load_tsv(DATA / "mini.tsv", language="fr")
    assert fr.concepts[0].labels == {"fr": "ABANDONED CHILDREN"} and fr.default_language == "fr"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("<http://x/1>\tA\n<http://x/2>\tB\n<http://x/3>\n", 3),  # one column
        ("<http://x/1>\tA\n\n<http://x/1>\tA again\n", 3),  # repeated URI
        ("<http://x/1>\tA\n<http://x/2>\tB\tn\textra\n", 2),  # four columns
        ("<http://x/1>\tA\n<http://x/2>\t\n", 2),  # empty label
    ],
)
def test_load_tsv_malformed(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError, match=re.escape(f"{path}:{line}:")):
        load_tsv(path)


def test_load_tsv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.tsv"
    path.write_bytes("<http://x/1>\tA\n<http://x/2>\tENFANTS ABANDONNÉS\n".encode("latin-1"))
    with pytest.raises(VocabularyError, match=re.escape(f"{path}:2: not UTF-8")):
        load_tsv(path)


def test_load_csv() -> None:
    vocab = load_csv(DATA / "mini.csv", language="fr")
    assert len(vocab) == 4 and vocab.default_language == "fr"
    first = vocab.concepts[0]
    assert first.labels == {"en": "ABANDONED CHILDREN", "fr": "ENFANTS ABANDONNES", "es": "NIÑOS ABANDONADOS"}
    assert first.alt_labels == {"en": ["DESERTED CHILDREN", "FOUNDLINGS"]} and first.notation == "14.05.03.1"
    assert vocab.concepts[1].uri == T + "1000952" and vocab.concepts[1].notation is None
    youth = vocab.concepts[vocab.resolve("JEUNESSE") or 0]
    assert youth.alt_labels == {"en": ["YOUNG PEOPLE", "YOUTHS, ADOLESCENTS"]} and "es" not in youth.labels
    assert vocab.resolve("foundlings") == 0
    assert load_csv(DATA / "mini.csv", language="ru").default_language == "en"  # no ru column


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("uri,label_en\nhttp://x/1,A\nhttp://x/2,B,extra\n", 3, "3 fields"),
        ("uri,label_en,colour\nhttp://x/1,A,red\n", 1, "unknown column"),
        ("label_en,notation\nA,1\n", 1, "'uri'"),
        ('uri,label_en\nhttp://x/1,"A\nstill A"\nhttp://x/2,\n', 4, "no label"),
        ("uri,label_en\nhttp://x/1,A\nhttp://x/1,B\n", 3, "repeats line 2"),
    ],
)
def test_load_csv_malformed(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError, match=re.escape(f"{path}:{line}:") + ".*" + re.escape(message)):
        load_csv(path)


# -- derived from a corpus -----------------------------------------------------------------------
def test_vocab_from_labels() -> None:
    docs = [["climate change", "WATER"], ["Climate  change", "Water"], ["Water", "Énergie"]]
    vocab = vocab_from_labels(docs, "en", name="corpus")
    # one concept per folded label, most frequent spelling (smallest on ties), sorted by folded label
    assert [c.labels["en"] for c in vocab.concepts] == ["Climate change", "Énergie", "Water"]
    assert vocab.resolve("CLIMATE CHANGE") == 0 and vocab.resolve("energie") == 1
    assert vocab.uri(2) == mint_uri("Water") and vocab.uri(2).startswith("urn:unbis:label:")
    reordered = vocab_from_labels([list(reversed(d)) for d in reversed(docs)], "en")
    assert reordered.to_dict()["concepts"] == vocab.to_dict()["concepts"]
    # same scheme as the development data's made-up URIs
    assert mint_uri("AIDS", "http://example.org/subject/") == "http://example.org/subject/c0a1e4caf423f974"


def test_vocab_from_no_labels() -> None:
    with pytest.raises(VocabularyError, match="no labels"):
        vocab_from_labels([[], ["  "]], "en")


# -- dispatcher ----------------------------------------------------------------------------------
@needs_rdflib
def test_load_vocabulary_dispatch(tmp_path: Path) -> None:
    assert load_vocabulary(None) is load_unbis() and load_vocabulary("unbis") is load_unbis()
    assert load_vocabulary(DATA / "mini.tsv", "fr").concepts[0].labels == {"fr": "ABANDONED CHILDREN"}
    assert len(load_vocabulary(str(DATA / "mini.csv"))) == 4
    assert len(load_vocabulary(DATA / "mini-skos.ttl")) == 3
    saved = tmp_path / "v.json.gz"
    load_csv(DATA / "mini.csv").save(saved)
    assert load_vocabulary(saved).content_hash() == load_csv(DATA / "mini.csv").content_hash()


@pytest.mark.parametrize(("name", "message"), [("missing.tsv", "no such vocabulary"), ("v.xlsx", "unknown")])
def test_load_vocabulary_errors(tmp_path: Path, name: str, message: str) -> None:
    if name.endswith(".xlsx"):
        (tmp_path / name).write_bytes(b"PK")
    with pytest.raises(VocabularyError, match=re.escape(str(tmp_path / name)) + ".*" + message):
        load_vocabulary(tmp_path / name)


def test_load_vocabulary_corrupt_json_gz(tmp_path: Path) -> None:
    path = tmp_path / "broken.json.gz"
    path.write_bytes(b"not gzip")
    with pytest.raises(VocabularyError, match=re.escape(str(path))):
        load_vocabulary(path)


# -- CLI -----------------------------------------------------------------------------------------
runner = CliRunner()


def test_cli_show_summary() -> None:
    result = runner.invoke(app, ["show"])
    assert result.exit_code == 0, result.output
    assert "7169" in result.output and "d3d4140b6add1613" in result.output and "161" in result.output


def test_cli_show_concept() -> None:
    result = runner.invoke(app, ["show", "可持续发展"])
    assert result.exit_code == 0, result.output
    for text in ["SUSTAINABLE DEVELOPMENT", "DESARROLLO SOSTENIBLE", "Устойчивое развитие", T + "1006319",
                 "03.03.00", "ECONOMIC DEVELOPMENT"]:
        assert text in result.output
    by_id = runner.invoke(app, ["show", "1006319", "--language", "fr"])
    assert by_id.exit_code == 0 and "DEVELOPPEMENT DURABLE" in by_id.output.splitlines()[0]


@needs_rdflib
def test_cli_show_other_vocab_and_errors() -> None:
    result = runner.invoke(app, ["show", "--vocab", str(DATA / "mini-skos.ttl"), "DESERTED CHILDREN"])
    assert result.exit_code == 0 and "ABANDONED CHILDREN" in result.output and "CHILDREN" in result.output
    missing = runner.invoke(app, ["show", "NO SUCH DESCRIPTOR"])
    assert missing.exit_code == 1 and "no concept" in missing.output
    bad = runner.invoke(app, ["show", "--vocab", "/nonexistent/v.tsv"])
    assert bad.exit_code == 1 and "no such vocabulary" in bad.output


def test_cli_search() -> None:
    result = runner.invoke(app, ["search", "enfants aband", "--language", "fr", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0] == {"uri": T + "1000001", "label": "ENFANTS ABANDONNES", "notation": None}
    table = runner.invoke(app, ["search", "sustainable", "--limit", "3"])
    assert table.exit_code == 0 and "SUSTAINABLE" in table.output
    assert len(json.loads(runner.invoke(app, ["search", "sustainable", "-n", "3", "--json"]).output)) == 3
    assert runner.invoke(app, ["search", "zzzzqqq"]).exit_code == 1


def test_id_of_uri_is_the_uri_lookup_of_resolve() -> None:
    from unbis.vocab.loaders import load_unbis

    vocab = load_unbis(fresh=True)
    for cid in (0, 17, len(vocab) - 1):
        uri = vocab.uri(cid)
        assert vocab.id_of_uri(uri) == vocab.resolve(uri) == cid
    assert vocab.id_of_uri("http://example.org/none") is None
    added = vocab.add("a label no concept has")
    assert vocab.id_of_uri(vocab.uri(added)) == added
