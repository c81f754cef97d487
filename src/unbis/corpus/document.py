"""Documents as the rest of the system sees them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Document:
    """A text with its gold subjects (integer ids into the project vocabulary; empty when unlabelled)."""

    text: str
    subjects: list[int] = field(default_factory=list)
    name: str = ""  # file name or record id, used in index output
    source: str = ""  # "path" or "path:line" for messages
    language: str | None = None
    labels: list[str] = field(default_factory=list)  # raw label strings as read (kept when no vocabulary)
