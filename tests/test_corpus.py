"""Corpus readers: every format, every kind of bad input, label policies, streaming, the report."""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

import pytest

from unbis.corpus import Corpus, Document, ReadReport, detect_format, read_documents
from unbis.corpus.scan import scan_corpus
from unbis.errors import InputError
from unbis.vocab import Concept, Vocabulary

DATA = Path(__file__).parent / "data" / "corpus"
SEED_LABELS = [
    "COOPERATION BETWEEN ORGANIZATIONS", "FRANCOPHONIE", "FRENCH LANGUAGE", "INTERCULTURAL COMMUNICATION",
    "CIVILIZATION", "PREVENTIVE DIPLOMACY", "DEMOCRACY", "RULE OF LAW", "CONFERENCES", "HUMAN RIGHTS",
    "INFORMATION TECHNOLOGY", "CONSULTATIONS", "PEACEBUILDING", "INFORMATION EXCHANGE",
    "SPECIALIZED AGENCIES", "POVERTY MITIGATION", "ENERGY RESOURCES", "SUSTAINABLE DEVELOPMENT",
]


def tsv_vocab(path: Path) -> Vocabulary:
    """A tiny reader for Annif's ``<uri>\\tlabel`` vocabulary files (the real loaders live in vocab/)."""
    concepts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        uri, _, label = line.partition("\t")
        concepts.append(Concept(uri=uri.strip("<>"), labels={"en": label}))
    return Vocabulary(concepts)


def small_vocab() -> Vocabulary:
    return Vocabulary([
        Concept(uri="http://ex.org/peace", labels={"en": "PEACE", "fr": "PAIX"},
                alt_labels={"en": ["peacemaking"]}),
        Concept(uri="http://ex.org/water", labels={"en": "WATER", "zh": "水"}, notation="W1"),
        Concept(uri="http://ex.org/women", labels={"en": "WOMEN"}),
    ])


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# -- the project's input format on real samples ------------------------------------------------
def test_seed_document_resolves_all_18_descriptors() -> None:
    vocab = Vocabulary([Concept(uri=f"http://ex.org/{i}", labels={"en": lab})
                        for i, lab in enumerate(SEED_LABELS)])
    report = ReadReport()
    docs = list(read_documents([DATA / "seed"], vocab, report=report, language="zh"))
    assert len(docs) == 1
    doc = docs[0]
    assert doc.labels == SEED_LABELS
    assert doc.subjects == list(range(18))
    assert doc.name == "000_c7475b1adc391e1b.txt"
    assert doc.source.endswith("seed/000_c7475b1adc391e1b.txt")
    assert doc.language == "zh"
    # Pre-segmented Chinese is kept as is, the header and the blank line are not part of the text.
    assert doc.text.startswith("大会 决议")
    assert report.summary() == "read 1, skipped 0"


def test_eurlex_samples_all_labels_resolve_and_dirs_recurse_sorted() -> None:
    vocab = tsv_vocab(DATA / "eurlex-en" / "eurovoc-vocab.tsv")
    report = ReadReport()
    docs = list(read_documents([DATA / "eurlex-en"], vocab, report=report))  # on_unknown="error"
    assert len(docs) == 40 and report.read == 40 and report.skipped == 0
    sources = [d.source for d in docs]
    assert sources == sorted(sources)
    assert "/train/" in sources[0] and "/validation/" in sources[-1]
    assert all(d.subjects and len(d.subjects) == len(d.labels) for d in docs)
    assert {vocab.label(i) for d in docs for i in d.subjects} == {lab for d in docs for lab in d.labels}


def test_csl_raw_chinese_with_vocab() -> None:
    vocab = tsv_vocab(DATA / "csl-zh" / "csl-vocab.tsv")
    docs = list(Corpus([DATA / "csl-zh" / "dev"], vocab, language="zh"))
    assert len(docs) == 40
    assert sum(len(d.subjects) for d in docs) >= 40
    assert " " not in docs[0].text.split("\n")[0]  # raw, unsegmented title kept as is


def test_header_variants(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "%%%PEACE|WATER\n\nno trailing bar")
    write(tmp_path / "b.txt", "%%%\n\nno labels at all")
    write(tmp_path / "c.txt", "%%% peace | | W1 |\r\n\r\nspaces, an empty piece, a notation, CRLF")
    docs = list(read_documents([tmp_path], small_vocab()))
    assert [d.subjects for d in docs] == [[0, 1], [], [0, 1]]
    assert docs[1].labels == [] and docs[1].text == "no labels at all"
    assert docs[2].labels == ["peace", "W1"]


def test_vocab_none_keeps_raw_labels_and_one_scan_counts_them(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "%%%Foo|bar|\n\ntext")
    docs = list(read_documents([tmp_path / "a.txt"], None))
    assert docs[0].subjects == [] and docs[0].labels == ["Foo", "bar"]
    for i in range(3):
        write(tmp_path / f"b{i}.txt", "%%%Foo|\n\nThe peace and security of nations is the subject of this text.")
    scan = scan_corpus([tmp_path], sample=2)
    assert scan.labels == {"Foo": 4, "bar": 1}  # every document's labels, past the language sample
    assert sum(scan.languages.values()) == 2
    assert scan_corpus([tmp_path], sample=2, labels=False).labels == {}


# -- Annif formats -----------------------------------------------------------------------------
def test_annif_short_text_tsv(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path / "docs.tsv", "\n".join([
        "text\tsubject_uris",
        "Peace talks\t<http://ex.org/peace> <http://ex.org/water>",
        "Drinking water\tWATER|women",
        "",
        "a line without any tab",
        "\t<http://ex.org/peace>",
        "Only text, no subjects\t",
    ]) + "\n")
    assert detect_format(path) == "tsv"
    report = ReadReport()
    with caplog.at_level(logging.WARNING, logger="unbis.corpus"):
        docs = list(read_documents([path], small_vocab(), report=report))
    assert [d.subjects for d in docs] == [[0, 1], [1, 2], []]
    assert docs[0].name == docs[0].source == f"{path}:2"
    assert docs[1].labels == ["WATER", "women"]
    assert report.reasons == {"no tab": 1, "empty text": 1}
    assert report.first_location["no tab"] == f"{path}:5"
    assert f"{path}:5" in caplog.text


def test_tsv_without_tab_is_text_when_unlabelled(tmp_path: Path) -> None:
    path = write(tmp_path / "docs.tsv", "just a text\nanother\t<http://ex.org/water>\n")
    docs = list(read_documents([path], small_vocab(), labelled=False))
    assert [(d.text, d.subjects) for d in docs] == [("just a text", []), ("another", [1])]


def test_annif_fulltext_directory(tmp_path: Path) -> None:
    write(tmp_path / "d1.txt", "About peace.")
    write(tmp_path / "d1.tsv", "<http://ex.org/peace>\tPEACE\n<http://ex.org/nowhere>\tWomen\n")
    write(tmp_path / "sub" / "d2.txt", "About water.")
    write(tmp_path / "sub" / "d2.key", "water\npaix\n")
    write(tmp_path / "d3.txt", "No subject file.")
    assert detect_format(tmp_path) == "fulltext"
    report = ReadReport()
    docs = list(read_documents([tmp_path], small_vocab(), report=report))
    # An unknown URI falls back to its label (Women); the .key holds labels in any language (paix).
    assert [(d.name, d.subjects) for d in docs] == [("d1.txt", [0, 2]), ("d2.txt", [1, 0])]
    assert docs[0].text == "About peace."
    assert report.reasons == {"no subject file": 1}
    assert report.first_location["no subject file"] == f"{tmp_path / 'd3.txt'}:1"
    # Unlabelled, the lone .txt is a document too.
    assert len(list(read_documents([tmp_path], small_vocab(), labelled=False))) == 3


def test_jsonl_annif_and_labels_variants(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Peace", "subjects": [{"uri": "http://ex.org/peace", "label": "PEACE"}]}),
        json.dumps({"text": "Water", "labels": ["water", "WOMEN"], "document_id": "doc-7"}),
        json.dumps({"subjects": [{"label": "PEACE"}], "metadata": {"title": "A title", "abstract": "Abs"}}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"text": "  ", "labels": ["PEACE"]}),
    ]
    path = write(tmp_path / "docs.jsonl", "\n".join(lines) + "\n")
    assert detect_format(path) == "jsonl"
    report = ReadReport()
    docs = list(read_documents([path], small_vocab(), report=report))
    assert [d.subjects for d in docs] == [[0], [1, 2], [0]]
    assert docs[0].name == f"{path}:1" and docs[1].name == "doc-7" and docs[1].source == f"{path}:2"
    assert docs[2].text == "A title\nAbs"
    assert report.reasons == {"bad json": 2, "empty text": 1}
    assert report.first_location["bad json"] == f"{path}:4"


def test_jsonl_text_by_language_gives_one_document_per_un_language(tmp_path: Path) -> None:
    """MultiEURLEX records: ``text`` maps language codes to the same act in each language."""
    lines = [
        json.dumps({"celex_id": "32006D0213", "labels": ["PEACE"],
                    "text": {"bg": "Мир", "en": "Peace in the region", "fr": "La paix", "es": " "}}),
        json.dumps({"celex_id": "32003R1012", "text": {"bg": "Вода", "de": "Wasser"}}),
        json.dumps({"document_id": "plain", "text": "Water", "labels": ["WATER"]}),
    ]
    path = write(tmp_path / "multi.jsonl", "\n".join(lines) + "\n")
    report = ReadReport()
    docs = list(read_documents([path], small_vocab(), report=report))
    assert [(d.name, d.language, d.subjects) for d in docs] == [
        ("32006D0213#en", "en", [0]), ("32006D0213#fr", "fr", [0]), ("plain", None, [1])]
    assert report.reasons == {"empty text": 1}  # the record with no UN-language version
    report = ReadReport()
    docs = list(read_documents([path], small_vocab(), report=report, language="fr"))
    assert [(d.name, d.text, d.language) for d in docs] == [
        ("32006D0213#fr", "La paix", "fr"), ("plain", "Water", "fr")]
    assert report.reasons == {"other language": 1, "empty text": 1}
    assert report.first_location["other language"] == f"{path}:1 (32006D0213#en)"


def test_fmt_override_and_bad_arguments(tmp_path: Path) -> None:
    path = write(tmp_path / "docs.txt", "Peace\tPEACE\n")
    assert detect_format(path) == "input"
    assert [d.subjects for d in read_documents([path], small_vocab(), fmt="tsv")] == [[0]]
    with pytest.raises(InputError, match="unknown corpus format"):
        read_documents([path], None, fmt="xml")
    with pytest.raises(InputError, match="on_unknown"):
        read_documents([path], None, on_unknown="ignore")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no such file"):
        read_documents([tmp_path / "missing"], None)  # raised at call time, before any iteration


# -- bad input ---------------------------------------------------------------------------------
def test_each_bad_input_is_skipped_with_location_and_the_rest_is_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "01_ok.txt", "%%%PEACE|\n\nfine")
    write(tmp_path / "02_noheader.txt", "PEACE\n\ntext without a label line")
    write(tmp_path / "03_utf8.txt", b"%%%PEACE|\n\nline two\n\xff\xfe broken")
    write(tmp_path / "04_binary.txt", b"%%%PEACE|\n\n\x89PNG\x00\x00")
    write(tmp_path / "05_empty.txt", "%%%PEACE|\n\n   \n")
    write(tmp_path / "06_zero.txt", "")
    write(tmp_path / "07_big.txt", "%%%PEACE|\n\n" + "x" * 500)
    write(tmp_path / "08_ok.txt", "%%%WATER|water|W1|<http://ex.org/water>|PEACE\n\nduplicates")
    report = ReadReport()
    with caplog.at_level(logging.WARNING, logger="unbis.corpus"):
        docs = list(read_documents([tmp_path], small_vocab(), report=report, max_bytes=300))
    assert [d.name for d in docs] == ["01_ok.txt", "08_ok.txt"]
    assert docs[1].subjects == [1, 0] and docs[1].labels == ["WATER", "PEACE"]
    assert report.read == 2 and report.skipped == 6
    assert report.reasons == {
        "no header": 1, "invalid utf-8": 1, "binary": 1, "empty text": 2, "too large": 1
    }
    assert report.first_location["no header"] == f"{tmp_path / '02_noheader.txt'}:1"
    assert report.first_location["invalid utf-8"] == f"{tmp_path / '03_utf8.txt'}:4"
    assert report.first_location["binary"] == f"{tmp_path / '04_binary.txt'}:3"
    assert report.first_location["too large"] == f"{tmp_path / '07_big.txt'}:1"
    assert report.warnings == {"duplicate label": 3}
    assert report.first_location["duplicate label"] == f"{tmp_path / '08_ok.txt'}:1"
    assert f"{tmp_path / '03_utf8.txt'}:4: invalid UTF-8" in caplog.text
    assert report.summary() == (
        "read 2, skipped 6 (empty text: 2, no header: 1, invalid utf-8: 1, binary: 1, too large: 1); "
        f"warnings: duplicate label: 3 (first at {tmp_path / '08_ok.txt'}:1)"
    )


def test_unlabelled_files_are_plain_text(tmp_path: Path) -> None:
    write(tmp_path / "S_RES_1.txt", "MILITARY STAFF COMMITTEE\n\nBy Article 47 of the Charter")
    write(tmp_path / "labelled.txt", "%%%PEACE\n\nstill parsed")
    docs = list(read_documents([tmp_path], None, labelled=False))
    assert [(d.name, d.labels) for d in docs] == [("S_RES_1.txt", []), ("labelled.txt", ["PEACE"])]
    assert docs[0].text.startswith("MILITARY STAFF COMMITTEE\n\nBy Article 47")


def test_strict_raises_on_first_problem_with_path_and_line(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "%%%PEACE\n\nfine")
    write(tmp_path / "b.txt", "no header here")
    docs = read_documents([tmp_path], small_vocab(), strict=True)
    assert next(docs).name == "a.txt"
    with pytest.raises(InputError, match=r"b\.txt:1: first line does not start with %%%"):
        next(docs)


def test_bad_line_in_tsv_does_not_stop_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "docs.tsv", b"one\tPEACE\ntwo \xc3\x28\tWATER\nthree\x00\tWATER\nfour\tWOMEN\n")
    report = ReadReport()
    docs = list(read_documents([path], small_vocab(), report=report, max_bytes=1000))
    assert [d.text for d in docs] == ["one", "four"]
    assert report.first_location == {"invalid utf-8": f"{path}:2", "binary": f"{path}:3"}


def test_overlong_tsv_line_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "docs.tsv", "short\tPEACE\n" + "y" * 5000 + "\tWATER\nlast\tWOMEN\n")
    report = ReadReport()
    docs = list(read_documents([path], small_vocab(), report=report, max_bytes=100))
    assert [d.text for d in docs] == ["short", "last"]
    assert report.first_location["too large"] == f"{path}:2"


def test_unreadable_gzip_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "a.txt.gz", b"not gzip at all")
    write(tmp_path / "b.txt", "%%%PEACE\n\nfine")
    report = ReadReport()
    assert [d.name for d in read_documents([tmp_path], small_vocab(), report=report)] == ["b.txt"]
    assert report.reasons == {"unreadable": 1}


def test_non_document_files_in_a_directory_are_counted(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "%%%PEACE\n\nfine")
    write(tmp_path / "README.md", "# notes")
    write(tmp_path / ".hidden" / "x.txt", "ignored without a word")
    report = ReadReport()
    assert len(list(read_documents([tmp_path], small_vocab(), report=report))) == 1
    assert report.warnings == {"ignored file": 1}


# -- unknown labels ----------------------------------------------------------------------------
def _unknown_corpus(tmp_path: Path) -> Path:
    write(tmp_path / "a.txt", "%%%PEACE|\n\nfine")
    write(tmp_path / "b.txt", "%%%WATER|TREATIES|\n\nhas an unknown label")
    write(tmp_path / "c.txt", "%%%treaties|<http://ex.org/other>\n\nthe same again, and an unknown URI")
    return tmp_path


def test_on_unknown_error_names_file_and_line(tmp_path: Path) -> None:
    docs = read_documents([_unknown_corpus(tmp_path)], small_vocab())
    assert next(docs).subjects == [0]
    with pytest.raises(InputError, match=r"b\.txt:1: unknown label 'TREATIES'"):
        next(docs)


def test_on_unknown_skip_counts_and_reports(tmp_path: Path) -> None:
    root = _unknown_corpus(tmp_path)
    report = ReadReport()
    docs = list(read_documents([root], small_vocab(), on_unknown="skip", report=report))
    assert [d.subjects for d in docs] == [[0], [1], []]
    assert docs[2].labels == ["treaties", "http://ex.org/other"]
    assert report.unknown_labels == {"TREATIES": 1, "treaties": 1, "http://ex.org/other": 1}
    assert report.summary() == f"read 3, skipped 0; unknown labels: 3 (first at {root / 'b.txt'}:1)"


def test_on_unknown_add_grows_the_vocabulary(tmp_path: Path) -> None:
    vocab = small_vocab()
    report = ReadReport()
    docs = list(read_documents([_unknown_corpus(tmp_path)], vocab, on_unknown="add", report=report))
    assert len(vocab) == 5  # TREATIES (once: 'treaties' then resolves to it) and the unknown URI
    assert docs[1].subjects == [1, 3] and docs[2].subjects == [3, 4]
    assert vocab.label(3) == "TREATIES"
    assert report.added_labels == {"TREATIES": 1, "http://ex.org/other": 1}
    assert "labels added to the vocabulary: 2" in report.summary()


# -- gzip and BOM ------------------------------------------------------------------------------
def test_gzip_inputs(tmp_path: Path) -> None:
    write(tmp_path / "dir" / "a.txt.gz", gzip.compress("%%%PEACE|\n\ncompressed 水".encode()))
    tsv = write(tmp_path / "docs.tsv.gz", gzip.compress("Water 水\tWATER\n".encode()))
    jsonl = write(tmp_path / "docs.jsonl.gz", gzip.compress(b'{"text": "xy", "labels": ["WOMEN"]}\n'))
    big = write(tmp_path / "big" / "b.txt.gz", gzip.compress(("%%%PEACE\n\n" + "z" * 10_000).encode()))
    assert detect_format(tsv) == "tsv" and detect_format(jsonl) == "jsonl"
    docs = list(read_documents([tmp_path / "dir", tsv, jsonl], small_vocab()))
    assert [(d.name, d.subjects) for d in docs] == [("a.txt", [0]), (f"{tsv}:1", [1]), (f"{jsonl}:1", [2])]
    assert docs[0].text == "compressed 水" and docs[1].text == "Water 水"
    report = ReadReport()
    # The limit applies to the decompressed size, which the file system cannot tell.
    assert list(read_documents([big.parent], small_vocab(), report=report, max_bytes=1000)) == []
    assert report.reasons == {"too large": 1}


def test_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "\ufeff%%%PEACE|\n\nwith a BOM")
    tsv = write(tmp_path / "docs.tsv", "\ufeffWater\tWATER\n")
    docs = list(read_documents([tmp_path / "a.txt", tsv], small_vocab()))
    assert [(d.text, d.subjects) for d in docs] == [("with a BOM", [0]), ("Water", [1])]


# -- streaming and re-iteration ----------------------------------------------------------------
def test_reading_is_lazy_file_by_file(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "%%%PEACE\n\nfirst")
    second = write(tmp_path / "b.txt", "%%%PEACE\n\noriginal second")
    docs = read_documents([tmp_path], small_vocab())
    first = next(docs)
    assert isinstance(first, Document) and first.text == "first"
    # Had b.txt been read already, the old text would come out: it is read only when reached.
    write(second, "%%%WATER\n\nrewritten second")
    assert [(d.text, d.subjects) for d in docs] == [("rewritten second", [1])]


def test_tsv_is_read_line_by_line(tmp_path: Path) -> None:
    path = write(tmp_path / "docs.tsv", "one\tPEACE\ntwo\tWATER\n")
    docs = read_documents([path], small_vocab())
    assert next(docs).text == "one"
    with path.open("a", encoding="utf-8") as fh:  # appended after the first line was read
        fh.write("three\tWOMEN\n")
    assert [d.text for d in docs] == ["two", "three"]


def test_corpus_is_reiterable_and_resets_its_report(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "%%%PEACE\n\nfine")
    write(tmp_path / "b.txt", "no header")
    corpus = Corpus(tmp_path, small_vocab())  # a single path is accepted as well as a list
    report = corpus.report
    assert [d.name for d in corpus] == ["a.txt"]
    assert [d.name for d in corpus] == ["a.txt"]
    assert corpus.report is report and report.read == 1 and report.skipped == 1
    assert report.summary() == "read 1, skipped 1 (no header: 1)"


def test_summary_is_logged_when_a_read_ends(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path / "a.txt", "%%%PEACE\n\nfine")
    with caplog.at_level(logging.INFO, logger="unbis.corpus"):
        list(read_documents([tmp_path], small_vocab()))
    assert "read 1, skipped 0" in caplog.text
