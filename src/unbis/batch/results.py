"""What travels between the reader, the workers and the writers: plain, picklable records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Item:
    """One document to index: ``source`` (path or path:line) is its unique key for resuming."""

    source: str
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class DocResult:
    """The suggestions for one document (``{"uri", "label", "score"}``, best first), or why it failed."""

    source: str
    name: str
    suggestions: tuple[dict[str, Any], ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """A line of the errors file: a document that could not be indexed, and why."""

    document: str
    source: str
    reason: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"document": self.document, "source": self.source, "reason": self.reason,
                "message": self.message}
