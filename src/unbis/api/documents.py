"""Uploaded files to plain text: .txt, .pdf (pypdf), .docx (its XML, streamed), .html — all bounded.

Uploads come from anyone who reaches the port, so every extractor is bounded (:class:`Limits`): the bytes
a DOCX unpacks to and its number of parts, the pages of a PDF, the characters of the extracted text and
the seconds spent parsing. Going over a size bound is :class:`LimitExceeded` with HTTP 413, over a count
or time bound 422; a malformed file is an ``InputError`` (400) and an unknown type 415. Nothing a file
contains may surface as another exception (a 500): the third-party parsers' own errors are caught.

Why the DOCX is read without python-docx: python-docx builds the whole ``word/document.xml`` tree in
memory (lxml uses several times the XML size), so a 1 MB upload unpacking to 1 GB grew the server by
about 1 GB. Here the zip directory is checked first (declared sizes, part count; ``zipfile`` never
returns more than the declared size and fails on a CRC mismatch, so a lying header gives a 400), then
the XML is parsed incrementally, with entities and network access off, clearing each element once read.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath
from typing import IO

from unbis.errors import InputError

SUPPORTED = (".txt", ".pdf", ".docx", ".html", ".htm")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class UnsupportedFileType(InputError):
    """A file whose type we cannot read (HTTP 415)."""


class LimitExceeded(InputError):
    """An upload over one of the extraction bounds; ``status`` is 413 (a size) or 422 (a count or time)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    """Bounds on what one upload may cost the server.

    Parameters
    ----------
    max_unpacked : bytes a DOCX may unpack to (all parts together, as declared in its zip directory).
    max_parts : zip entries a DOCX may hold.
    max_pages : pages of a PDF.
    max_chars : characters of extracted text (a suggestion never needs more; the tf-idf of a longer
        text costs memory for nothing).
    max_seconds : wall-clock seconds of parsing, checked between pages, XML elements and HTML chunks.
    """

    max_unpacked: int = 64 * 1024 * 1024
    max_parts: int = 1000
    max_pages: int = 1000
    max_chars: int = 5_000_000
    max_seconds: float = 30.0


DEFAULT_LIMITS = Limits()


class _Clock:
    def __init__(self, filename: str, limits: Limits) -> None:
        self.filename = filename
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds

    def check(self) -> None:
        if time.monotonic() >= self.deadline:
            raise LimitExceeded(f"{self.filename}: parsing took over the limit of {self.limits.max_seconds:g} "
                                "seconds (max_seconds)", 422)


def extract_text(filename: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of an uploaded file, chosen by its extension; bad files raise InputError."""
    filename = filename or "upload"
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUPPORTED:
        raise UnsupportedFileType(f"{filename}: unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED)}")
    clock = _Clock(filename, limits)
    if suffix == ".txt":
        text = _decode(filename, data)
    elif suffix == ".pdf":
        text = _pdf(filename, data, limits, clock)
    elif suffix == ".docx":
        text = _docx(filename, data, limits, clock)
    else:
        text = html_to_text(_decode(filename, data), clock)
    return _bounded(filename, text, limits)


def _bounded(filename: str, text: str, limits: Limits) -> str:
    if len(text) > limits.max_chars:
        raise LimitExceeded(f"{filename}: extracted text over the limit of {limits.max_chars} characters "
                            "(max_chars)", 413)
    return text


def _decode(filename: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{filename}: not UTF-8 text (invalid byte at offset {exc.start})") from exc


# -- PDF ----------------------------------------------------------------------------------------------
def _pdf(filename: str, data: bytes, limits: Limits, clock: _Clock) -> str:
    from pypdf import PdfReader

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise InputError(f"{filename}: unreadable PDF (no %PDF header)")
    parts: list[str] = []
    chars = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        n_pages = len(reader.pages)
        if n_pages > limits.max_pages:
            raise LimitExceeded(f"{filename}: {n_pages} pages, over the limit of {limits.max_pages} pages "
                                "(max_pages)", 422)
        for page in reader.pages:
            clock.check()
            text = page.extract_text() or ""
            chars += len(text)
            if chars > limits.max_chars:
                raise LimitExceeded(f"{filename}: extracted text over the limit of {limits.max_chars} "
                                    "characters (max_chars)", 413)
            parts.append(text)
    except InputError:
        raise
    except MemoryError as exc:
        raise LimitExceeded(f"{filename}: PDF content over the memory the server grants one upload", 413) from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on hostile files; each is a bad file
        raise InputError(f"{filename}: unreadable PDF ({type(exc).__name__}: {exc})") from exc
    return "\n".join(parts)


# -- DOCX ---------------------------------------------------------------------------------------------
def _docx(filename: str, data: bytes, limits: Limits, clock: _Clock) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise InputError(f"{filename}: unreadable DOCX (not a zip archive: {exc})") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_parts:
            raise LimitExceeded(f"{filename}: {len(infos)} parts, over the limit of {limits.max_parts} parts "
                                "(max_parts)", 422)
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.max_unpacked:
            raise LimitExceeded(f"{filename}: unpacks to {unpacked} bytes, over the limit of "
                                f"{limits.max_unpacked} bytes (max_unpacked)", 413)
        try:
            member = archive.getinfo("word/document.xml")
        except KeyError:
            raise InputError(f"{filename}: unreadable DOCX (no word/document.xml)") from None
        try:
            with archive.open(member) as stream:
                return "\n".join(_docx_lines(stream, filename, limits, clock))
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - zip (bad CRC, lying sizes), zlib and XML errors: a bad file
            if "Resource limit exceeded" in str(exc):  # libxml2's own bounds (a text node over 10 MB, depth)
                raise LimitExceeded(f"{filename}: document.xml over libxml2's size limits ({exc})", 413) from exc
            raise InputError(f"{filename}: unreadable DOCX ({type(exc).__name__}: {exc})") from exc


def _docx_lines(stream: IO[bytes], filename: str, limits: Limits,
                clock: _Clock) -> Iterator[str]:
    """One line per paragraph outside tables; table rows as their cells' text joined by tabs."""
    from lxml import etree

    paragraph: list[str] = []
    rows: list[list[str]] = []  # the open table rows (tables nest)
    cells: list[list[str]] = []  # the paragraphs of the open cells
    chars = 0
    context = etree.iterparse(stream, events=("start", "end"), resolve_entities=False, no_network=True,
                              huge_tree=False, load_dtd=False)
    for n, (event, elem) in enumerate(context):
        if n % 4096 == 0:
            clock.check()
        tag = elem.tag
        if event == "start":
            if tag == _W + "tr":
                rows.append([])
            elif tag == _W + "tc":
                cells.append([])
            continue
        if tag == _W + "t":
            paragraph.append(elem.text or "")
        elif tag == _W + "tab":
            paragraph.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            paragraph.append("\n")
        elif tag == _W + "p":
            text = "".join(paragraph)
            paragraph = []
            chars += len(text) + 1
            if chars > limits.max_chars:
                raise LimitExceeded(f"{filename}: extracted text over the limit of {limits.max_chars} "
                                    "characters (max_chars)", 413)
            if cells:
                cells[-1].append(text)
            else:
                yield text
        elif tag == _W + "tc" and cells:
            text = " ".join(cells.pop())
            if rows:
                rows[-1].append(text)
        elif tag == _W + "tr" and rows:
            line = "\t".join(rows.pop())
            if cells:  # a table inside a cell: its rows are text of that cell
                cells[-1].append(line)
            else:
                yield line
        if tag in (_W + "p", _W + "tbl"):
            elem.clear()  # free what was read, and the siblings before it: memory stays bounded
            parent = elem.getparent()
            while parent is not None and elem.getprevious() is not None:
                del parent[0]


# -- HTML ---------------------------------------------------------------------------------------------
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


def html_to_text(html: str, clock: _Clock | None = None) -> str:
    """Visible text, one line per block; fed in chunks so that ``clock`` can stop a slow parse."""
    parser = _TextOnly()
    chunk = 64 * 1024
    for i in range(0, len(html), chunk):
        if clock is not None:
            clock.check()
        parser.feed(html[i : i + chunk])
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
