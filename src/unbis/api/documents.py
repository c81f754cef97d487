"""Uploaded files to plain text: .txt, .pdf (pypdf), .docx (python-docx), .html."""

from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser
from pathlib import PurePath

from unbis.errors import InputError

SUPPORTED = (".txt", ".pdf", ".docx", ".html", ".htm")


class UnsupportedFileType(InputError):
    """A file whose type we cannot read (HTTP 415)."""


def extract_text(filename: str, data: bytes) -> str:
    """The text of an uploaded file, chosen by its extension; bad files raise InputError."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in SUPPORTED:
        raise UnsupportedFileType(
            f"{filename or 'upload'}: unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED)}"
        )
    if suffix == ".txt":
        return _decode(filename, data)
    if suffix == ".pdf":
        return _pdf(filename, data)
    if suffix == ".docx":
        return _docx(filename, data)
    return html_to_text(_decode(filename, data))


def _decode(filename: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{filename}: not UTF-8 text (invalid byte at offset {exc.start})") from exc


def _pdf(filename: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"{filename}: unreadable PDF ({exc})") from exc


def _docx(filename: str, data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{filename}: unreadable DOCX ({exc})") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


class _TextOnly(HTMLParser):
    """Collects visible text; script and style contents are dropped, blocks become line breaks."""

    _SKIP = {"script", "style", "noscript", "template", "head"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
