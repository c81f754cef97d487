"""Output formats of ``unbis index``: each turns a batch of results into the bytes appended in one write.

* ``jsonl`` — ``{"document": name, "suggestions": [{"uri", "label", "score"}, ...], "source": path}`` per
  line, best first (``source``: where the text was read, for ``unbis serve --queue``).
* ``tsv`` — Annif's suggestion lines ``<uri>\\tlabel\\tscore`` with the document name as first column.
* ``marc`` — one MARC 21 (ISO 2709, UTF-8) record per document: ``001`` the document name, a ``650 _7``
  per suggestion (``$a`` label, ``$0`` URI, ``$2`` thesaurus code, ``$8`` link) and an ``883`` naming the
  machine generation and its confidence (``$c`` score) for the same ``$8`` link.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Literal

from unbis.batch.results import DocResult, ErrorRecord

OutputFormat = Literal["jsonl", "tsv", "marc"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("jsonl", "tsv", "marc")
#: MARC source code of the UNBIS Thesaurus (Library of Congress "Subject heading and term source codes").
UNBIS_SOURCE_CODE = "unbist"
GENERATOR = "unbis-indexer"


def jsonl_line(name: str, suggestions: Sequence[dict], source: str | None = None) -> str:
    """The JSONL contract of ``unbis index``, one line with its newline; ``source`` (the file, or
    ``file:line``, the document was read from) lets a review queue show the document's text."""
    line: dict[str, object] = {"document": name, "suggestions": list(suggestions)}
    if source is not None:
        line["source"] = source
    return json.dumps(line, ensure_ascii=False) + "\n"


def encode_jsonl(results: Sequence[DocResult], source_code: str = UNBIS_SOURCE_CODE) -> bytes:
    return "".join(jsonl_line(r.name, r.suggestions, r.source) for r in results).encode("utf-8")


def _tsv_field(value: str) -> str:
    # A tab or newline inside a name or label would shift the columns of every later line.
    return " ".join(value.split())


def encode_tsv(results: Sequence[DocResult], source_code: str = UNBIS_SOURCE_CODE) -> bytes:
    lines = [
        f"{_tsv_field(r.name)}\t<{s['uri']}>\t{_tsv_field(s['label'])}\t{s['score']:.6f}\n"
        for r in results for s in r.suggestions
    ]
    return "".join(lines).encode("utf-8")


def marc_record(result: DocResult, source_code: str = UNBIS_SOURCE_CODE) -> bytes:
    """One ISO 2709 record (pymarc) for one document."""
    from pymarc import Field, Indicators, Record, Subfield

    record = Record(force_utf8=True)
    record.add_field(Field(tag="001", data=result.name))
    for i, s in enumerate(result.suggestions, start=1):
        link = f"{i}\\c"
        record.add_field(Field(tag="650", indicators=Indicators(" ", "7"), subfields=[
            Subfield("8", link), Subfield("a", s["label"]), Subfield("0", s["uri"]), Subfield("2", source_code),
        ]))
        record.add_field(Field(tag="883", indicators=Indicators("0", " "), subfields=[
            Subfield("8", link), Subfield("a", "machine generated"), Subfield("c", f"{s['score']:.6f}"),
            Subfield("q", GENERATOR),
        ]))
    data: bytes = record.as_marc()
    return data


def encode_marc(results: Sequence[DocResult], source_code: str = UNBIS_SOURCE_CODE) -> bytes:
    return b"".join(marc_record(r, source_code) for r in results)


ENCODERS: dict[OutputFormat, Callable[[Sequence[DocResult], str], bytes]] = {
    "jsonl": encode_jsonl,
    "tsv": encode_tsv,
    "marc": encode_marc,
}


def encode_errors(records: Sequence[ErrorRecord]) -> bytes:
    """The errors file: one JSON object per failed document (document, source, reason, message)."""
    return "".join(json.dumps(r.as_json(), ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def source_code_for(vocab_name: str) -> str:
    """``$2`` of the 650 fields: ``unbist`` for the UNBIS Thesaurus, else the vocabulary's own name."""
    return UNBIS_SOURCE_CODE if "unbis" in vocab_name.lower() else vocab_name
