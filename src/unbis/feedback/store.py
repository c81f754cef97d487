"""The feedback store: documents and decisions in one SQLite file (stdlib ``sqlite3``, WAL mode,
``synchronous=FULL``: every commit is synced before the API answers).

Each decision records the document, the project, the model version that made the suggestion and the
time. The latest decision on a (document, project, subject) wins, so an indexer can change their mind.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from unbis.errors import InputError, NotFoundError

DECISIONS = ("accepted", "rejected")
SOURCES = ("suggested", "added", "learn")
ENV_DB = "UNBIS_FEEDBACK_DB"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    name TEXT,
    language TEXT,
    text TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    project TEXT NOT NULL,
    model_version TEXT NOT NULL,
    uri TEXT NOT NULL,
    label TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    source TEXT NOT NULL CHECK (source IN ('suggested', 'added', 'learn')),
    score REAL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_project ON decisions(project, document_id);
"""
# Added later: the review queue a decision was made in (NULL: the main page or the API).
_MIGRATIONS = (("decisions", "queue", "ALTER TABLE decisions ADD COLUMN queue TEXT"),)


def default_db_path() -> Path:
    """``$UNBIS_FEEDBACK_DB``, else ``$XDG_DATA_HOME/unbis/feedback.sqlite3`` (``~/.local/share``)."""
    if env := os.environ.get(ENV_DB):
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "unbis" / "feedback.sqlite3"


@dataclass(frozen=True)
class Decision:
    id: int
    document_id: int
    project: str
    model_version: str
    uri: str
    label: str
    decision: str
    source: str
    score: float | None
    created: str
    queue: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AcceptedDocument:
    """A document with the subjects an indexer finally accepted (for retraining and export)."""

    document_id: int
    name: str
    text: str
    uris: list[str]


def text_digest(text: str) -> str:
    """The key a document is stored under: the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore:
    """Thread-safe by construction: every call opens its own short-lived connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
                for table, column, sql in _MIGRATIONS:
                    if column not in {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}:
                        db.execute(sql)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"{path}: cannot open the feedback database: {exc}") from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # closing() closes the connection; `with db` commits (or rolls back on error).
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            # Per connection, and said explicitly (builds differ in their default): in WAL mode NORMAL may
            # lose the last commits on power loss; FULL syncs the WAL at every commit, so a decision
            # answered with 201 is on disk.
            db.execute("PRAGMA synchronous=FULL")
            db.row_factory = sqlite3.Row
            yield db

    # -- writing -------------------------------------------------------------------------------
    def add_document(self, text: str, name: str | None = None, language: str | None = None) -> int:
        """Store a document once (keyed by the SHA-256 of its text); return its id."""
        if not text.strip():
            raise InputError("empty text: nothing to record feedback on")
        digest = text_digest(text)
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO documents (digest, name, language, text, created) VALUES (?, ?, ?, ?, ?)",
                (digest, name, language, text, _now()),
            )
            row = db.execute("SELECT id FROM documents WHERE digest = ?", (digest,)).fetchone()
        return int(row["id"])

    def record(
        self, document_id: int, project: str, model_version: str, uri: str, label: str, decision: str,
        source: str = "suggested", score: float | None = None, queue: str | None = None,
    ) -> Decision:
        """Store one decision on one subject for one document (``queue``: the review queue it was made in)."""
        if decision not in DECISIONS:
            raise InputError(f"decision {decision!r}: expected one of {', '.join(DECISIONS)}")
        if source not in SOURCES:
            raise InputError(f"source {source!r}: expected one of {', '.join(SOURCES)}")
        created = _now()
        with self._connect() as db:
            if db.execute("SELECT 1 FROM documents WHERE id = ?", (document_id,)).fetchone() is None:
                raise NotFoundError(f"no document {document_id} in {self.path}")
            cur = db.execute(
                "INSERT INTO decisions (document_id, project, model_version, uri, label, decision, source, score,"
                " created, queue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (document_id, project, model_version, uri, label, decision, source, score, created, queue),
            )
            new_id = int(cur.lastrowid or 0)
        return Decision(new_id, document_id, project, model_version, uri, label, decision, source, score, created,
                        queue)

    # -- reading -------------------------------------------------------------------------------
    def decisions(
        self, project: str | None = None, document_id: int | None = None, queue: str | None = None,
    ) -> list[Decision]:
        """Every decision, oldest first, optionally for one project, document and/or review queue."""
        where: list[str] = []
        args: list[str | int] = []
        if queue is not None:
            where.append("queue = ?")
            args.append(queue)
        if project is not None:
            where.append("project = ?")
            args.append(project)
        if document_id is not None:
            where.append("document_id = ?")
            args.append(document_id)
        sql = "SELECT * FROM decisions" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        with self._connect() as db:
            return [Decision(**dict(row)) for row in db.execute(sql, args)]

    def accepted(self, project: str) -> list[AcceptedDocument]:
        """Documents with at least one accepted subject, the latest decision per subject winning."""
        latest: dict[tuple[int, str], str] = {}
        for d in self.decisions(project):
            latest[(d.document_id, d.uri)] = d.decision
        by_doc: dict[int, list[str]] = {}
        for (doc_id, uri), decision in latest.items():
            if decision == "accepted":
                by_doc.setdefault(doc_id, []).append(uri)
        if not by_doc:
            return []
        marks = ",".join("?" * len(by_doc))
        with self._connect() as db:
            rows = db.execute(f"SELECT id, digest, name, text FROM documents WHERE id IN ({marks}) ORDER BY id",
                              list(by_doc)).fetchall()
        return [AcceptedDocument(int(r["id"]), r["name"] or r["digest"][:16], r["text"], by_doc[int(r["id"])])
                for r in rows]

    def document_ids(self, digests: list[str]) -> dict[str, int]:
        """The ids of the stored documents with these SHA-256 text digests."""
        out: dict[str, int] = {}
        with self._connect() as db:
            for start in range(0, len(digests), 500):
                chunk = digests[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for r in db.execute(f"SELECT id, digest FROM documents WHERE digest IN ({marks})", chunk):
                    out[r["digest"]] = int(r["id"])
        return out

    # -- export ----------------------------------------------------------------------------------
    def export_input_format(self, project: str, out_dir: Path) -> int:
        """Write each accepted document as ``NNNN_name.txt`` in the input format (``%%%<uri>|...|``,
        a blank line, the text); returns the number of files written."""
        out_dir.mkdir(parents=True, exist_ok=True)
        docs = self.accepted(project)
        for doc in docs:
            header = "%%%" + "".join(f"<{uri}>|" for uri in sorted(doc.uris))
            stem = re.sub(r"[^\w.-]+", "_", Path(doc.name).stem)[:60] or "doc"
            path = out_dir / f"{doc.document_id:06d}_{stem}.txt"
            path.write_text(f"{header}\n\n{doc.text.strip()}\n", encoding="utf-8")
        return len(docs)
