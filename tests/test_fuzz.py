"""Fuzzing (hypothesis): every corpus reader, vocabulary loader, language analyzer and upload extractor gets
arbitrary bytes and structured mutations of real samples. Each answers with a result or a clear error
(``UnbisError`` naming the file, with its line where the format has lines), never another exception.

Examples per test are kept small (``FUZZ``) so that the whole module runs in well under a minute in CI;
raise ``UNBIS_FUZZ_EXAMPLES`` for a longer local run.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unbis.analysis import UN_LANGUAGES, get_analyzer
from unbis.api.documents import extract_text
from unbis.corpus.readers import read_documents
from unbis.errors import UnbisError
from unbis.vocab.loaders import load_vocabulary

DATA = Path(__file__).parent / "data"
EURLEX = DATA / "corpus" / "eurlex-en"
FUZZ = settings(max_examples=int(os.environ.get("UNBIS_FUZZ_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
VOCAB = load_vocabulary(EURLEX / "eurovoc-vocab.tsv", language="en")


def sample_bytes(path: Path, limit: int = 3000) -> bytes:
    return path.read_bytes()[:limit]


INPUT_DOC = sample_bytes(sorted((EURLEX / "train").glob("*.txt"))[0])
TSV_CORPUS = "text\tsubject_uris\n" + "".join(
    f"{p.read_text('utf-8').split(chr(10), 2)[-1][:300].replace(chr(9), ' ').replace(chr(10), ' ')}\t"
    "<http://example.org/subject/3902a086d7379971>\n" for p in sorted((EURLEX / "train").glob("*.txt"))[:3])
JSONL_CORPUS = "".join(json.dumps({"text": t, "subjects": ["ACP countries", "AIDS"], "language": "en"}) + "\n"
                       for t in ["aid to ACP countries", "AIDS in Africa", "customs duties"])
VOCAB_SAMPLES = {name: (DATA / "vocab" / name).read_bytes() for name in ("mini.tsv", "mini.csv", "mini-skos.ttl")}
NT_SAMPLE = (b'<http://ex.org/c1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
             b'<http://www.w3.org/2004/02/skos/core#Concept> .\n'
             b'<http://ex.org/c1> <http://www.w3.org/2004/02/skos/core#prefLabel> "peace"@en .\n')
RDF_SAMPLE = (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
              b'xmlns:skos="http://www.w3.org/2004/02/skos/core#"><skos:Concept rdf:about="http://ex.org/c1">'
              b'<skos:prefLabel xml:lang="en">peace</skos:prefLabel></skos:Concept></rdf:RDF>')


@st.composite
def mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    """A real sample with a few structural edits: bytes inserted, deleted, replaced, lines duplicated or
    swapped, or the file cut short."""
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "dupline", "truncate", "special"]))
        i = draw(st.integers(0, len(data)))
        if kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[i : i + draw(st.integers(1, 64))]
        elif kind == "replace" and data:
            data[min(i, len(data) - 1)] = draw(st.integers(0, 255))
        elif kind == "dupline":
            lines = bytes(data).split(b"\n")
            j = draw(st.integers(0, len(lines) - 1))
            lines.insert(j, lines[j])
            data = bytearray(b"\n".join(lines))
        elif kind == "truncate":
            del data[i:]
        else:  # characters that parsers treat specially
            data[i:i] = draw(st.sampled_from([b"\t", b"\r", b"\x00", b"%%%", b"<", b">", b"|", b'"', b"{", b"\\",
                                              b"\xef\xbb\xbf", b"\xff", "𠀀".encode(), b"\n\n"]))
    return bytes(data)


def bytes_or_mutation(sample: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=600), mutated(sample))


def clear_or_result(run: Callable[[], Any], path: Path | str, lines: bool) -> Any:
    """Run a reader; an error must be an UnbisError naming ``path`` (and a line when ``lines``)."""
    try:
        return run()
    except UnbisError as exc:
        message = str(exc)
        assert str(path) in message, message
        if lines:  # a line where the problem is in one; a problem of the whole file says so
            assert re.search(re.escape(str(path)) + r"(:\d+|: .*\bfile\b)", message), message
        return exc


# -- corpus readers ---------------------------------------------------------------------------------
def _read_all(path: Path, fmt: str | None, strict: bool, labelled: bool = True) -> Any:
    docs = list(read_documents(path, VOCAB, on_unknown="skip", strict=strict, fmt=fmt, labelled=labelled))
    for doc in docs:
        assert isinstance(doc.text, str) and doc.text.strip()
        assert all(0 <= s < len(VOCAB) for s in doc.subjects)
    return docs


CORPUS_CASES = {
    "input": ("doc.txt", INPUT_DOC, "input"),
    "tsv": ("corpus.tsv", TSV_CORPUS.encode(), "tsv"),
    "jsonl": ("corpus.jsonl", JSONL_CORPUS.encode(), "jsonl"),
}


@pytest.mark.parametrize("case", sorted(CORPUS_CASES))
@pytest.mark.parametrize("gz", [False, True])
def test_corpus_readers(case: str, gz: bool) -> None:
    name, sample, fmt = CORPUS_CASES[case]

    @FUZZ
    @given(data=bytes_or_mutation(sample), strict=st.booleans(), labelled=st.booleans(), raw_gz=st.booleans())
    def run(data: bytes, strict: bool, labelled: bool, raw_gz: bool) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / (name + (".gz" if gz else ""))
            path.write_bytes((data if raw_gz else gzip.compress(data)) if gz else data)
            clear_or_result(lambda: _read_all(path, fmt, strict, labelled), path, lines=True)
            clear_or_result(lambda: _read_all(path, None, strict, labelled), path, lines=True)  # detected

    run()


@FUZZ
@given(text=bytes_or_mutation(INPUT_DOC.split(b"\n", 2)[-1]),
       subjects=bytes_or_mutation(b"<http://example.org/subject/3902a086d7379971>\tACP countries\nAIDS\n"),
       strict=st.booleans(), key=st.booleans())
def test_fulltext_directory(text: bytes, subjects: bytes, strict: bool, key: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        root.mkdir()
        (root / "doc.txt").write_bytes(text)
        (root / ("doc.key" if key else "doc.tsv")).write_bytes(subjects)
        (root / "other.txt.gz").write_bytes(gzip.compress(text))
        (root / "other.tsv").write_bytes(subjects)
        try:
            _read_all(root, "fulltext", strict)
        except UnbisError as exc:
            assert re.search(re.escape(str(root)) + r"/\S+:\d+", str(exc)), str(exc)


# -- vocabulary loaders ----------------------------------------------------------------------------
VOCAB_CASES = {"voc.tsv": VOCAB_SAMPLES["mini.tsv"], "voc.csv": VOCAB_SAMPLES["mini.csv"],
               "voc.ttl": VOCAB_SAMPLES["mini-skos.ttl"], "voc.nt": NT_SAMPLE, "voc.rdf": RDF_SAMPLE}


@pytest.mark.parametrize("name", sorted(VOCAB_CASES))
def test_vocabulary_loaders(name: str) -> None:
    @FUZZ
    @given(data=bytes_or_mutation(VOCAB_CASES[name]), language=st.sampled_from(["en", "fr", "zh"]))
    def run(data: bytes, language: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            vocab = clear_or_result(lambda: load_vocabulary(path, language=language), path, lines=False)
            if not isinstance(vocab, Exception):
                assert len(vocab) > 0  # an empty vocabulary is an error, never a silent result
                for cid in range(len(vocab)):
                    assert vocab.uri(cid) and isinstance(vocab.label(cid), str)

    run()


# -- analyzers ---------------------------------------------------------------------------------------
UN_SAMPLE = json.loads((DATA / "analysis" / "un_charter_preamble.json").read_text("utf-8"))


@pytest.mark.parametrize("language", UN_LANGUAGES)
def test_analyzers(language: str) -> None:
    analyzer = get_analyzer(language)
    sample = UN_SAMPLE["sentences"][language][:400]

    @FUZZ
    @given(text=st.one_of(st.text(max_size=300), st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
                          mutated(sample.encode()).map(lambda b: b.decode("utf-8", "replace"))))
    def run(text: str) -> None:
        tokens = analyzer.tokens(text)
        for token in tokens:
            assert 0 <= token.start <= token.end <= len(text), (token, len(text))
            assert isinstance(token.term, str) and token.term
        assert [t.term for t in tokens] == analyzer.terms(text)

    run()


# -- upload extractors -------------------------------------------------------------------------------
def _docx_sample() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("The Security Council discussed peacekeeping operations.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "refugees", "Africa"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_sample() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": "peace"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


EXTRACT_CASES = {"up.docx": _docx_sample(), "up.pdf": _pdf_sample(), "up.html": b"<html><body><p>peace &amp; "
                 b"security</p><script>x()</script><br>refugees</body></html>", "up.txt": b"peace and security"}


@pytest.mark.parametrize("name", sorted(EXTRACT_CASES))
def test_upload_extractors(name: str) -> None:
    @FUZZ
    @given(data=bytes_or_mutation(EXTRACT_CASES[name]))
    def run(data: bytes) -> None:
        text = clear_or_result(lambda: extract_text(name, data), name, lines=False)
        assert isinstance(text, str | UnbisError)

    run()
