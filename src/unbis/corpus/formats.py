"""Parsers for each corpus format: they yield raw records (text + raw subjects) or ``Skip`` notes.

Nothing here knows about vocabularies: ``readers.py`` resolves labels and applies the policies
(strict, on_unknown). Every record and every problem carries a ``path:line`` location.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from unbis.analysis.factory import normalise_language
from unbis.errors import InputError

Format = Literal["input", "tsv", "fulltext", "jsonl"]
FORMATS: tuple[Format, ...] = ("input", "tsv", "fulltext", "jsonl")

# Skip reasons (the words users see in the summary line).
NO_HEADER = "no header"
INVALID_UTF8 = "invalid utf-8"
BINARY = "binary"
EMPTY_TEXT = "empty text"
TOO_LARGE = "too large"
UNREADABLE = "unreadable"
BAD_JSON = "bad json"
NO_TAB = "no tab"
NO_SUBJECT_FILE = "no subject file"
OTHER_LANGUAGE = "other language"

HEADER = "%%%"
DOC_SUFFIXES = (".txt", ".txt.gz")
SUBJECT_SUFFIXES = (".tsv", ".key")  # Annif's order of preference
_URI_RE = re.compile(r"<([^<>]*)>")
_TSV_HEADERS = {"text\tsubject_uris", "text\tsubjects", "text\tlabels", "text\turis"}


@dataclass(frozen=True, slots=True)
class Skip:
    """A document (or a whole file) that could not be read, and why."""

    reason: str
    location: str
    message: str


@dataclass(frozen=True, slots=True)
class RawSubject:
    """A subject as written in the input: a URI, a label, or both (Annif ``<uri>\\tlabel`` lines)."""

    location: str
    label: str | None = None
    uri: str | None = None

    @property
    def display(self) -> str:
        """The raw string kept on ``Document.labels`` and shown in messages."""
        return self.label or self.uri or ""


@dataclass(slots=True)
class RawDoc:
    text: str
    name: str
    source: str
    subjects: list[RawSubject] = field(default_factory=list)
    language: str | None = None  # set when the record says which language its text is in


class SkipError(Exception):
    """Raised by the low-level helpers; the parsers turn it into a yielded ``Skip``."""

    def __init__(self, skip: Skip) -> None:
        super().__init__(skip.message)
        self.skip = skip


# -- low-level reading -------------------------------------------------------------------------
def strip_gz(name: str) -> str:
    return name[:-3] if name.endswith(".gz") else name


def open_binary(path: Path) -> IO[bytes]:
    """Open plain or gzip-compressed (by the ``.gz`` suffix) for binary reading."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The whole (decompressed) file, refusing one larger than ``max_bytes`` before reading it all."""
    try:
        if not path.name.endswith(".gz") and path.stat().st_size > max_bytes:
            raise SkipError(Skip(TOO_LARGE, f"{path}:1", f"file is larger than {max_bytes} bytes"))
        with open_binary(path) as fh:
            data = fh.read(max_bytes + 1)  # +1 tells "exactly at the limit" from "over it"
    except (OSError, EOFError, zlib.error) as exc:
        raise SkipError(Skip(UNREADABLE, f"{path}:1", f"cannot read file: {exc}")) from exc
    if len(data) > max_bytes:
        raise SkipError(Skip(TOO_LARGE, f"{path}:1", f"file is larger than {max_bytes} bytes"))
    return data


def decode(data: bytes, path: Path, first_line: int = 1) -> str:
    """UTF-8 text (a leading BOM dropped); NUL bytes mean a binary file, not text."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line = first_line + data.count(b"\n", 0, nul)
        raise SkipError(Skip(BINARY, f"{path}:{line}", "binary data (NUL byte), not UTF-8 text"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        message = f"invalid UTF-8 (byte {data[exc.start]:#04x}); save the file as UTF-8"
        raise SkipError(Skip(INVALID_UTF8, f"{path}:{line}", message)) from exc


def iter_lines(path: Path, max_bytes: int) -> Iterator[tuple[int, str] | Skip]:
    """(line number, text without newline) for one-record-per-line files, one line in memory at a time."""
    try:
        with open_binary(path) as fh:
            lineno = 0
            while True:
                raw = fh.readline(max_bytes + 1)
                if not raw:
                    return
                lineno += 1
                if len(raw) > max_bytes and not raw.endswith(b"\n"):
                    # Drain the rest of the over-long line without keeping it.
                    while (chunk := fh.readline(1 << 20)) and not chunk.endswith(b"\n"):
                        pass
                    yield Skip(TOO_LARGE, f"{path}:{lineno}", f"line is longer than {max_bytes} bytes")
                    continue
                if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                try:
                    yield lineno, decode(raw, path, lineno).rstrip("\r\n")
                except SkipError as exc:
                    yield exc.skip
    except (OSError, EOFError, zlib.error) as exc:
        yield Skip(UNREADABLE, f"{path}", f"cannot read file: {exc}")


# -- the project's input format ----------------------------------------------------------------
def parse_header(line: str, location: str) -> list[RawSubject]:
    """``%%%L1|<uri>|...|`` -> subjects (empty pieces dropped, so the trailing ``|`` is optional)."""
    subjects = []
    for piece in (p.strip() for p in line[len(HEADER):].split("|")):
        if len(piece) > 2 and piece.startswith("<") and piece.endswith(">"):
            subjects.append(RawSubject(location, uri=piece[1:-1].strip()))
        elif piece:
            subjects.append(RawSubject(location, label=piece))
    return subjects


def read_input_file(path: Path, max_bytes: int, labelled: bool) -> Iterator[RawDoc | Skip]:
    """One document per file: a ``%%%`` label line, a blank line, the text."""
    try:
        content = decode(read_limited(path, max_bytes), path)
    except SkipError as exc:
        yield exc.skip
        return
    first, _, rest = content.partition("\n")
    subjects: list[RawSubject] = []
    text_line = 1
    if first.startswith(HEADER):
        subjects = parse_header(first.rstrip("\r"), f"{path}:1")
        body, text_line = rest, 2
    elif labelled and content.strip():
        yield Skip(NO_HEADER, f"{path}:1", f"first line does not start with {HEADER} (the label line); "
                   "training and evaluation need labels (unbis suggest and unbis index read unlabelled text)")
        return
    else:
        body = content
    text = body.strip()
    if not text:
        yield Skip(EMPTY_TEXT, f"{path}:{text_line}", "no text" if content.strip() else "file is empty")
        return
    yield RawDoc(text=text, name=strip_gz(path.name), source=str(path), subjects=subjects)


# -- Annif short-text TSV ----------------------------------------------------------------------
def parse_subject_field(value: str, location: str) -> list[RawSubject]:
    """``<uri1> <uri2>`` (Annif), or labels separated by ``|`` or tabs (a label may contain spaces)."""
    if "<" in value:
        return [RawSubject(location, uri=u.strip()) for u in _URI_RE.findall(value) if u.strip()]
    pieces = (p.strip() for p in re.split(r"[|\t]", value))
    return [RawSubject(location, label=p) for p in pieces if p]


def read_tsv(path: Path, max_bytes: int, labelled: bool) -> Iterator[RawDoc | Skip]:
    """``text<TAB>subjects`` per line; blank lines and a ``text<TAB>subject_uris`` header are ignored."""
    for item in iter_lines(path, max_bytes):
        if isinstance(item, Skip):
            yield item
            continue
        lineno, line = item
        if not line.strip() or (lineno == 1 and line.strip().lower() in _TSV_HEADERS):
            continue
        location = f"{path}:{lineno}"
        text, tab, subjects = line.partition("\t")
        if not tab and labelled:
            yield Skip(NO_TAB, location, "no tab between text and subjects "
                       "(unbis suggest and unbis index read text without subjects)")
            continue
        if not text.strip():
            yield Skip(EMPTY_TEXT, location, "no text before the tab")
            continue
        yield RawDoc(text=text.strip(), name=location, source=location,
                     subjects=parse_subject_field(subjects, location))


# -- JSON Lines --------------------------------------------------------------------------------
def _json_subjects(obj: dict[str, Any], location: str) -> list[RawSubject]:
    """Annif's ``subjects: [{"uri":..,"label":..}]``; also plain strings and a ``labels`` list."""
    out: list[RawSubject] = []
    for item in obj.get("subjects") or []:
        if isinstance(item, dict):
            uri, label = item.get("uri"), item.get("label")
            uri = uri.strip().strip("<>") if isinstance(uri, str) and uri.strip() else None
            label = label.strip() if isinstance(label, str) and label.strip() else None
            if uri or label:
                out.append(RawSubject(location, label=label, uri=uri))
        elif isinstance(item, str) and item.strip():
            out.extend(parse_subject_field(item, location))
    for item in obj.get("labels") or []:
        if isinstance(item, str) and item.strip():
            out.append(RawSubject(location, label=item.strip()))
    return out


def _json_text(obj: dict[str, Any]) -> str:
    """``text``; Annif 1.4 records may hold their text in ``metadata`` (title, abstract) instead."""
    text = obj.get("text")
    parts = [text] if isinstance(text, str) else []
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        parts.extend(v for v in metadata.values() if isinstance(v, str))
    return "\n".join(p.strip() for p in parts if p.strip())


def _json_versions(obj: dict[str, Any]) -> dict[str, str] | None:
    """A ``text`` that maps languages to texts (MultiEURLEX: ``{"en": ..., "fr": ...}``): the versions
    in UN languages by language code; None for a plain text."""
    text = obj.get("text")
    if not isinstance(text, dict):
        return None
    out: dict[str, str] = {}
    for key, value in text.items():
        if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
            continue
        try:
            out.setdefault(normalise_language(key), value.strip())
        except InputError:
            continue  # not a UN language: no analyzer for it
    return out


def read_jsonl(path: Path, max_bytes: int, labelled: bool) -> Iterator[RawDoc | Skip]:
    """One JSON object per line: ``{"text": ..., "subjects": [...]}`` (Annif) or ``{"text", "labels"}``.
    A ``text`` object keyed by language gives one document per UN-language version, named
    ``ID#lang``, with the record's subjects."""
    for item in iter_lines(path, max_bytes):
        if isinstance(item, Skip):
            yield item
            continue
        lineno, line = item
        if not line.strip():
            continue
        location = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skip(BAD_JSON, location, f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(obj, dict):
            yield Skip(BAD_JSON, location, f"expected a JSON object, got {type(obj).__name__}")
            continue
        doc_id = next((obj[k] for k in ("document_id", "celex_id") if isinstance(obj.get(k), str | int)), None)
        name = str(doc_id) if doc_id is not None and str(doc_id) else location
        versions = _json_versions(obj)
        if versions is None:
            text = _json_text(obj)
            if not text:
                yield Skip(EMPTY_TEXT, location, 'no "text"')
                continue
            yield RawDoc(text=text, name=name, source=location, subjects=_json_subjects(obj, location))
            continue
        if not versions:
            keys = ", ".join(sorted(str(k) for k in obj["text"])) or "none"
            yield Skip(EMPTY_TEXT, location, f'no "text" in a UN language (languages: {keys})')
            continue
        subjects = _json_subjects(obj, location)  # read-only downstream: the versions share it
        for lang, text in versions.items():
            yield RawDoc(text=text, name=f"{name}#{lang}", source=location, subjects=subjects, language=lang)


# -- Annif full-text directory -----------------------------------------------------------------
def subject_file_for(doc: Path) -> Path | None:
    """``x.tsv`` or ``x.key`` beside ``x.txt`` (or ``x.txt.gz``), if any."""
    stem = strip_gz(doc.name)[: -len(".txt")]
    for suffix in SUBJECT_SUFFIXES:
        candidate = doc.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def read_subject_file(path: Path, max_bytes: int) -> list[RawSubject]:
    """Lines ``<uri>\\tlabel`` / ``<uri>`` (Annif .tsv) or ``label`` (Annif .key); raises SkipError."""
    subjects: list[RawSubject] = []
    content = decode(read_limited(path, max_bytes), path)
    for lineno, line in enumerate(content.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        location = f"{path}:{lineno}"
        if line.startswith("<") and ">" in line:
            uri, _, rest = line[1:].partition(">")
            label = rest.strip() or None
            subjects.append(RawSubject(location, label=label, uri=uri.strip() or None))
        else:
            subjects.append(RawSubject(location, label=line))
    return subjects


def read_fulltext_doc(path: Path, max_bytes: int, labelled: bool) -> Iterator[RawDoc | Skip]:
    """One Annif full-text document: the .txt is all text (no header), subjects come from its sibling."""
    try:
        text = decode(read_limited(path, max_bytes), path).strip()
        subject_path = subject_file_for(path)
        if subject_path is None and labelled:
            yield Skip(NO_SUBJECT_FILE, f"{path}:1", "no .tsv or .key subject file beside it "
                       "(unbis suggest and unbis index read text without subjects)")
            return
        subjects = read_subject_file(subject_path, max_bytes) if subject_path else []
    except SkipError as exc:
        yield exc.skip
        return
    if not text:
        yield Skip(EMPTY_TEXT, f"{path}:1", "file is empty")
        return
    yield RawDoc(text=text, name=strip_gz(path.name), source=str(path), subjects=subjects)
