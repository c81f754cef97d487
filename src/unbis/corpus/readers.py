"""Streaming corpus readers: paths in, ``Document``s out, one file in memory at a time.

``read_documents`` is the one entry point; ``Corpus`` makes it re-iterable (training makes several passes).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from unbis.analysis.factory import language_option
from unbis.corpus.document import Document
from unbis.corpus.formats import (
    DOC_SUFFIXES,
    EMPTY_TEXT,
    FORMATS,
    OTHER_LANGUAGE,
    SUBJECT_SUFFIXES,
    Format,
    RawDoc,
    Skip,
    read_fulltext_doc,
    read_input_file,
    read_jsonl,
    read_tsv,
    strip_gz,
)
from unbis.corpus.report import ReadReport
from unbis.errors import InputError
from unbis.textnorm import fold, nothing_to_index
from unbis.vocab.subject_index import Vocabulary

logger = logging.getLogger("unbis.corpus")

OnUnknown = Literal["error", "skip", "add"]
ON_UNKNOWN: tuple[OnUnknown, ...] = ("error", "skip", "add")
DEFAULT_MAX_BYTES = 20_000_000
DUPLICATE_LABEL = "duplicate label"
IGNORED_FILE = "ignored file"

PathLike = str | Path
Parser = Callable[[Path, int, bool], Iterator[RawDoc | Skip]]
_PARSERS: dict[Format, Parser] = {
    "input": read_input_file,
    "tsv": read_tsv,
    "jsonl": read_jsonl,
    "fulltext": read_fulltext_doc,
}


# -- finding the files -------------------------------------------------------------------------
def _walk(root: Path) -> list[Path]:
    """Every regular file under ``root``, hidden ones excluded, in sorted (deterministic) order."""
    files = [
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(files)


def _is_doc(path: Path) -> bool:
    return path.name.endswith(DOC_SUFFIXES)


def detect_format(path: PathLike) -> Format:
    """Format from the path: a directory with ``x.key``/``x.tsv`` beside ``x.txt`` is an Annif full-text
    corpus, ``*.tsv`` an Annif short-text corpus, ``*.jsonl`` JSON Lines; anything else the input format."""
    path = Path(path)
    if path.is_dir():
        names = {p.relative_to(path).as_posix() for p in _walk(path)}
        for name in names:
            base = strip_gz(name)
            if base.endswith(".txt") and any(base[:-4] + s in names for s in SUBJECT_SUFFIXES):
                return "fulltext"
        return "input"
    name = strip_gz(path.name).lower()
    if name.endswith(".tsv"):
        return "tsv"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return "input"


def _files(path: Path, fmt: Format, report: ReadReport) -> Iterator[Path]:
    """The files to parse for one given path: a directory expands to its document files."""
    if not path.is_dir():
        yield path
        return
    for file in _walk(path):
        if _is_doc(file):
            yield file
        elif not (fmt == "fulltext" and strip_gz(file.name).endswith(SUBJECT_SUFFIXES)):
            # Counted, not silent: a stray file may be a document saved under the wrong name.
            report.warn(IGNORED_FILE, str(file), "not a .txt document file; ignored")


# -- labels -> subjects ------------------------------------------------------------------------
def _to_document(
    raw: RawDoc, vocab: Vocabulary | None, on_unknown: OnUnknown, report: ReadReport, language: str | None
) -> Document:
    """Resolve raw subjects against the vocabulary, dropping duplicates (with a warning)."""
    labels: list[str] = []
    subjects: list[int] = []
    seen_labels: set[str] = set()
    seen_ids: set[int] = set()
    for subject in raw.subjects:
        display = subject.display
        key = fold(display)
        cid: int | None = None
        if vocab is not None:
            cid = vocab.resolve(subject.uri) if subject.uri else None
            if cid is None and subject.label:
                cid = vocab.resolve(subject.label)
        if key in seen_labels or (cid is not None and cid in seen_ids):
            report.warn(DUPLICATE_LABEL, subject.location, f"label {display!r} given twice; kept once")
            continue
        seen_labels.add(key)
        labels.append(display)
        if vocab is None:
            continue
        if cid is None:
            if on_unknown == "error":
                raise InputError(
                    f"{subject.location}: unknown label {display!r}: not in vocabulary {vocab.name!r} "
                    "(on_unknown='skip' drops such labels, 'add' adds them to the vocabulary)"
                )
            if on_unknown == "skip":
                report.unknown(display, subject.location)
                continue
            cid = vocab.add(display, language)
            report.added(display, subject.location)
        seen_ids.add(cid)
        subjects.append(cid)
    return Document(text=raw.text, subjects=subjects, name=raw.name, source=raw.source,
                    language=language, labels=labels)


# -- the entry points --------------------------------------------------------------------------
def _as_paths(paths: Sequence[PathLike] | PathLike) -> list[Path]:
    # A bare str is a Sequence too: without this, "corpus" would be read as paths "c", "o", ...
    if isinstance(paths, str | Path):
        return [Path(paths)]
    return [Path(p) for p in paths]


def _check_args(paths: list[Path], on_unknown: str, fmt: str | None, max_bytes: int) -> None:
    if on_unknown not in ON_UNKNOWN:
        raise InputError(f"on_unknown must be one of {', '.join(ON_UNKNOWN)}, not {on_unknown!r}")
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown corpus format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if max_bytes <= 0:
        raise InputError(f"max_bytes must be positive, not {max_bytes}")
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")


def read_documents(
    paths: Sequence[PathLike] | PathLike,
    vocab: Vocabulary | None,
    *,
    on_unknown: OnUnknown = "error",
    strict: bool = False,
    report: ReadReport | None = None,
    language: str | None = None,
    fmt: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    labelled: bool = True,
) -> Iterator[Document]:
    """Stream the documents of files and directories (recursively, sorted), in any supported format.

    Arguments are checked now (a missing path raises ``InputError`` at once); files are read lazily.
    A bad document is skipped and counted in ``report`` (``strict=True`` raises ``InputError`` instead);
    duplicate labels are kept once and counted as warnings. With ``vocab=None`` subjects stay empty and
    only ``Document.labels`` is filled. ``labelled=False`` reads text without a label header (or without
    an Annif subject file / TSV subject column) as an unlabelled document instead of skipping it.
    When the generator is exhausted the report's summary is logged (logger ``unbis.corpus``).
    """
    path_list = _as_paths(paths)
    _check_args(path_list, on_unknown, fmt, max_bytes)
    return _generate(path_list, vocab, on_unknown, strict, report if report is not None else ReadReport(),
                     language, fmt, max_bytes, labelled)


_HAS_LINE = re.compile(r":\d+$")


def _generate(
    paths: list[Path], vocab: Vocabulary | None, on_unknown: OnUnknown, strict: bool, report: ReadReport,
    language: str | None, fmt: str | None, max_bytes: int, labelled: bool,
) -> Iterator[Document]:
    wanted = language_option(language)
    for path in paths:
        path_fmt: Format = fmt if fmt is not None else detect_format(path)  # type: ignore[assignment]
        parse = _PARSERS[path_fmt]
        for file in _files(path, path_fmt, report):
            for item in parse(file, max_bytes, labelled):
                if not isinstance(item, Skip) and (reason := nothing_to_index(item.text)) is not None:
                    # Each format says "no text" itself; a text of digits and signs only is caught here.
                    # A whole-file document's source has no line: its first is named, as for an empty file.
                    where = item.source if _HAS_LINE.search(item.source) else f"{item.source}:1"
                    item = Skip(EMPTY_TEXT, where, reason)
                if isinstance(item, Skip):
                    if strict:
                        raise InputError(f"{item.location}: {item.message}")
                    report.skip(item.reason, item.location, item.message)
                    continue
                if item.language and wanted and item.language != wanted:
                    # A language version of a multilingual record, read when the corpus language is auto.
                    report.skip(OTHER_LANGUAGE, f"{item.source} ({item.name})",
                                f"a version in {item.language}; the corpus is read as {wanted}")
                    continue
                doc = _to_document(item, vocab, on_unknown, report, item.language or language)
                report.read += 1
                yield doc
    logger.info("%s", report.summary())


class Corpus:
    """A re-iterable corpus: each iteration re-reads (streams) the files and refills ``report``."""

    def __init__(
        self,
        paths: Sequence[PathLike] | PathLike,
        vocab: Vocabulary | None,
        *,
        on_unknown: OnUnknown = "error",
        strict: bool = False,
        report: ReadReport | None = None,
        language: str | None = None,
        fmt: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        labelled: bool = True,
    ) -> None:
        self.paths = _as_paths(paths)
        _check_args(self.paths, on_unknown, fmt, max_bytes)
        self.vocab = vocab
        self.on_unknown: OnUnknown = on_unknown
        self.strict = strict
        self.report = report if report is not None else ReadReport()
        self.language = language
        self.fmt = fmt
        self.max_bytes = max_bytes
        self.labelled = labelled

    def __iter__(self) -> Iterator[Document]:
        self.report.reset()
        return read_documents(
            self.paths, self.vocab, on_unknown=self.on_unknown, strict=self.strict, report=self.report,
            language=self.language, fmt=self.fmt, max_bytes=self.max_bytes, labelled=self.labelled,
        )
