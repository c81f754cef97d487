"""A review queue: the output of an ``unbis index`` run, reviewed one document after another.

The queue is the run's JSONL (one ``{"document", "suggestions", "source"}`` per line) plus the texts,
read again from each line's ``source``. Decisions go into the feedback store like any other, under
the project that made the suggestions (so ``unbis learn`` uses them) and tagged with the queue's name.
A document counts as reviewed once the store holds a decision on it made in this queue; reviewing
ends with the suggestions not accepted recorded as rejected, so every reviewed document carries a
full answer. The queue itself is never written: progress lives in the store, so a server restart or
a second reviewer sees the same "n of N reviewed".
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from unbis.errors import InputError, NotFoundError
from unbis.feedback.store import FeedbackStore, text_digest

ExportFormat = Literal["json", "tsv", "marc"]
EXPORT_FORMATS: tuple[str, ...] = ("json", "tsv", "marc")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
BUNDLED_ID = "unbis"


@dataclass
class QueueItem:
    """One document of the queue: its name and source, the suggestions of the run, its text's digest."""

    index: int
    document: str
    source: str
    suggestions: list[dict[str, Any]]
    digest: str = ""


@dataclass
class ReviewQueue:
    """A named queue over one ``unbis index`` JSONL file."""

    name: str
    path: Path
    project: str
    items: list[QueueItem]
    skipped: dict[str, int] = field(default_factory=dict)
    _texts: OrderedDict[str, str] = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def load(cls, name: str, path: Path, project: str | None = None) -> ReviewQueue:
        """Read ``path``; the project is ``project``, else the one the run's journal names, else the
        bundled one. Lines whose text cannot be read again are skipped and counted (``skipped``)."""
        if not _NAME.match(name):
            raise InputError(f"queue name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
        if not path.is_file():
            raise NotFoundError(f"{path}: no such file (the JSONL output of `unbis index`)")
        queue = cls(name, path, project or _project_of_run(path), [])
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    document, suggestions = str(row["document"]), list(row["suggestions"])
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    raise InputError(f"{path}:{lineno}: not a line of `unbis index --jsonl` ({exc})") from exc
                source = row.get("source")
                if not source:
                    queue._skip("no source (indexed before unbis recorded it: rerun `unbis index --force`)")
                    continue
                item = QueueItem(len(queue.items), document, str(source), suggestions)
                try:
                    item.digest = text_digest(queue._read(item.source))
                except InputError:
                    queue._skip("text no longer readable at its source")
                    continue
                queue.items.append(item)
        if not queue.items:
            reasons = ", ".join(f"{r}: {n}" for r, n in queue.skipped.items()) or "it is empty"
            raise InputError(f"{path}: no document to review ({reasons})")
        return queue

    def _skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def _read(self, source: str) -> str:
        """The text of the document read from ``source`` (a file, or ``file:line`` of a multi-document
        file), through the corpus readers; the last few are kept in memory."""
        if source in self._texts:
            self._texts.move_to_end(source)
            return self._texts[source]
        from unbis.corpus.readers import read_documents

        path = Path(source)
        if not path.is_file():
            head, sep, tail = source.rpartition(":")
            if not (sep and tail.isdigit() and Path(head).is_file()):
                raise InputError(f"{source}: no such file")
            path = Path(head)
        try:
            docs = list(read_documents([path], None, labelled=False))
        except (InputError, OSError) as exc:
            raise InputError(f"{source}: {exc}") from exc
        for doc in docs:
            self._texts[doc.source] = doc.text
        if source not in self._texts and len(docs) == 1:
            self._texts[source] = docs[0].text
        while len(self._texts) > 64:
            self._texts.popitem(last=False)
        if source not in self._texts:
            raise InputError(f"{source}: document not found")
        return self._texts[source]

    def item(self, index: int) -> QueueItem:
        if not 0 <= index < len(self.items):
            raise NotFoundError(f"queue {self.name!r} has no document {index} (it has {len(self.items)})")
        return self.items[index]

    def text(self, index: int) -> str:
        return self._read(self.item(index).source)

    # -- progress and decisions, from the feedback store ---------------------------------------------
    def decisions(self, store: FeedbackStore) -> dict[int, dict[str, str]]:
        """Per item index, the latest decision on each subject URI made in this queue."""
        ids = store.document_ids(sorted({it.digest for it in self.items}))
        by_doc: dict[int, dict[str, str]] = {}
        for d in store.decisions(self.project, queue=self.name):
            by_doc.setdefault(d.document_id, {})[d.uri] = d.decision
        out: dict[int, dict[str, str]] = {}
        for it in self.items:
            doc_id = ids.get(it.digest)
            if doc_id is not None and doc_id in by_doc:
                out[it.index] = by_doc[doc_id]
        return out

    def progress(self, store: FeedbackStore) -> dict[str, Any]:
        decided = self.decisions(store)
        first_open = next((it.index for it in self.items if it.index not in decided), None)
        return {"name": self.name, "project": self.project, "file": str(self.path), "total": len(self.items),
                "reviewed": len(decided), "next": first_open, "skipped": self.skipped}

    # -- export --------------------------------------------------------------------------------------
    def reviewed(self, store: FeedbackStore) -> list[dict[str, Any]]:
        """Each reviewed document with the subjects accepted (in the run's order, then the added ones)
        and rejected."""
        decided = self.decisions(store)
        labels = {d.uri: d.label for d in store.decisions(self.project, queue=self.name)}
        out = []
        for it in self.items:
            if it.index not in decided:
                continue
            latest = decided[it.index]
            suggested = [s["uri"] for s in it.suggestions]
            accepted = [u for u in suggested if latest.get(u) == "accepted"]
            accepted += [u for u, d in latest.items() if d == "accepted" and u not in suggested]
            out.append({"document": it.document, "source": it.source,
                        "accepted": [{"uri": u, "label": labels.get(u, "")} for u in accepted],
                        "rejected": [{"uri": u, "label": labels.get(u, "")} for u, d in latest.items()
                                     if d == "rejected"]})
        return out

    def export(self, store: FeedbackStore, fmt: str, source_code: str = "unbist") -> bytes:
        """The reviewed set as JSON (a list), TSV (document, <uri>, label per accepted subject) or MARC 21
        (one record per document, 001 the document, a 650 _7 per accepted subject)."""
        rows = self.reviewed(store)
        if fmt == "json":
            return json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8")
        if fmt == "tsv":
            lines = [f"{_field(r['document'])}\t<{s['uri']}>\t{_field(s['label'])}"
                     for r in rows for s in r["accepted"]]
            return ("".join(line + "\n" for line in lines)).encode("utf-8")
        if fmt == "marc":
            return b"".join(_marc(r, source_code) for r in rows)
        raise InputError(f"export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")


def _field(value: str) -> str:
    return " ".join(value.split())


def _marc(row: dict[str, Any], source_code: str) -> bytes:
    from pymarc import Field, Indicators, Record, Subfield

    record = Record(force_utf8=True)
    record.add_field(Field(tag="001", data=row["document"]))
    for s in row["accepted"]:
        record.add_field(Field(tag="650", indicators=Indicators(" ", "7"), subfields=[
            Subfield("a", s["label"]), Subfield("0", s["uri"]), Subfield("2", source_code)]))
    data: bytes = record.as_marc()
    return data


def _project_of_run(path: Path) -> str:
    """The id the run's project is served under: its directory name, from the journal's settings line."""
    journal = path.with_name(path.name + ".progress")
    try:
        with journal.open(encoding="utf-8") as fh:
            settings = json.loads(fh.readline())
    except (OSError, json.JSONDecodeError):
        return BUNDLED_ID
    project = settings.get("project") if isinstance(settings, dict) else None
    return Path(project).name if project else BUNDLED_ID


def parse_queue_option(spec: str) -> tuple[str, Path]:
    """``NAME=PATH`` (``--queue``) into its parts."""
    name, sep, path = spec.partition("=")
    if not sep or not name or not path:
        raise InputError(f"--queue {spec!r}: expected NAME=OUT.jsonl")
    return name, Path(path)
