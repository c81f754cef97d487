"""Hostile and malformed uploads: every bound of the extractors answers 413/422 naming it, bad files 400/415,
never a 500 (the server's memory under a real 1 GB DOCX bomb: benchmarks/upload_bomb.py)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bombs import docx_bomb
from unbis.api.app import create_app
from unbis.api.documents import Limits, extract_text
from unbis.errors import InputError

URL = "/api/projects/unbis/suggest"
TEXT = "The Security Council discussed peacekeeping operations and refugees in Africa."


def client_with(tmp_path: Path, **limits: float) -> TestClient:
    return TestClient(create_app(None, tmp_path / "fb.sqlite3", limits=Limits(**limits)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(None, tmp_path_factory.mktemp("fb") / "fb.sqlite3")  # default limits, default max body
    with TestClient(app) as c:
        yield c


def assert_problem(response, status: int, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    for word in words:
        assert word in response.json()["detail"], response.json()["detail"]


def docx_bytes(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, value in enumerate(row):
                t.cell(i, j).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_docx_bomb_of_1_gb_is_413_naming_the_bound(client: TestClient) -> None:
    bomb = docx_bomb(1 << 30)
    assert len(bomb) < 10 * 1024 * 1024  # under the default body limit: the extractor must stop it
    assert_problem(client.post(URL, files={"file": ("bomb.docx", bomb)}), 413, "bomb.docx", "max_unpacked")


def test_docx_lying_about_its_size_is_400(client: TestClient) -> None:
    # The headers say 1 MB; the stream inflates to 100 MB. zipfile stops at the declared size and the
    # truncated XML (or the CRC) fails: a 400, with no more than 1 MB read.
    r = client.post(URL, files={"file": ("liar.docx", docx_bomb(100 << 20, declared=1 << 20))})
    assert_problem(r, 400, "liar.docx", "unreadable DOCX")


def test_docx_extraction_paragraphs_and_tables(tmp_path: Path) -> None:
    data = docx_bytes("First paragraph.", "Second one.", table=[["peacekeeping", "refugees"], ["a", "b"]])
    assert extract_text("d.docx", data) == "First paragraph.\nSecond one.\npeacekeeping\trefugees\na\tb"


def test_docx_over_parts_is_422(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(12):
            z.writestr(f"part{i}.xml", "<x/>")
    with client_with(tmp_path, max_parts=10) as c:
        assert_problem(c.post(URL, files={"file": ("many.docx", out.getvalue())}), 422, "12 parts", "max_parts")


def test_pdf_over_pages_is_422(tmp_path: Path) -> None:
    with client_with(tmp_path, max_pages=2) as c:
        assert_problem(c.post(URL, files={"file": ("long.pdf", pdf_bytes(3))}), 422, "3 pages", "max_pages")


@pytest.mark.parametrize("name", ["t.txt", "t.html", "t.docx"])
def test_extracted_text_over_chars_is_413(tmp_path: Path, name: str) -> None:
    data = docx_bytes(TEXT * 3) if name.endswith(".docx") else (TEXT * 3).encode()
    with client_with(tmp_path, max_chars=len(TEXT) * 2) as c:
        assert_problem(c.post(URL, files={"file": (name, data)}), 413, name, "max_chars")
    with client_with(tmp_path, max_chars=len(TEXT) * 4) as c:
        assert c.post(URL, files={"file": (name, data)}).status_code == 200


@pytest.mark.parametrize("name", ["slow.html", "slow.docx", "slow.pdf"])
def test_parse_time_over_the_limit_is_422(tmp_path: Path, name: str) -> None:
    data = {"slow.html": f"<p>{TEXT}</p>".encode(), "slow.docx": docx_bytes(TEXT), "slow.pdf": pdf_bytes(1)}[name]
    with client_with(tmp_path, max_seconds=0) as c:
        assert_problem(c.post(URL, files={"file": (name, data)}), 422, name, "max_seconds")


def _broken_crc_docx() -> bytes:
    data = bytearray(docx_bytes(TEXT))
    i = data.index(b"word/document.xml") + len(b"word/document.xml")  # first local header's data
    data[i + 40] ^= 0xFF  # flip a byte of the compressed stream
    return bytes(data)


def _zip_without_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


def _docx_with_entity_bomb(levels: int = 8) -> bytes:
    """Nested entities: ``levels`` = 8 expands to 10^9 characters (libxml2 refuses that on its own); 3 to
    10,000, which libxml2 would expand if we let it."""
    laughs = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(levels))
              + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
              f'<w:p><w:r><w:t>&{chr(97 + levels)};</w:t></w:r></w:p></w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", laughs)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data"), [
    ("truncated.docx", docx_bytes(TEXT)[:300]),
    ("nodoc.docx", _zip_without_document()),
    ("crc.docx", _broken_crc_docx()),
    ("laughs.docx", _docx_with_entity_bomb()),
    ("notxml.docx", (lambda: (b := io.BytesIO(), zipfile.ZipFile(b, "w").writestr("word/document.xml", "<a><b>"),
                              b.getvalue())[2])()),
    ("garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20),
    ("truncated.pdf", pdf_bytes(1)[:200]),
    ("header.pdf", b"not a pdf at all"),
])
def test_malformed_files_are_400(client: TestClient, name: str, data: bytes) -> None:
    r = client.post(URL, files={"file": (name, data)})
    assert r.status_code in (400, 413, 422), r.text  # a clear client error naming the file, never a 500
    assert name in r.json()["detail"]


@pytest.mark.parametrize("levels", [3, 8])
def test_entities_are_never_expanded(levels: int) -> None:
    # resolve_entities=False: an entity stays a reference, so no text grows from it, however small
    try:
        text = extract_text("laughs.docx", _docx_with_entity_bomb(levels))
    except InputError as exc:
        assert "laughs.docx" in str(exc)
    else:
        assert len(text) < 100, len(text)
