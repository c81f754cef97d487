"""Reading a vocabulary text file whole, with errors that name the path and line."""

from __future__ import annotations

from pathlib import Path

from unbis.errors import VocabularyError


def read_text(path: Path) -> str:
    """UTF-8 text of ``path`` (a byte-order mark is dropped); bad bytes are reported with their line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise VocabularyError(f"{path}: cannot read: {exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise VocabularyError(f"{path}:{line}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
