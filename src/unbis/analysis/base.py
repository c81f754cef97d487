"""The analyzer contract: text in, normalised terms out (with offsets when evidence is needed)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import NamedTuple


class Token(NamedTuple):
    term: str  # normalised (folded, stemmed) form
    start: int  # character offsets into the original text
    end: int


class Analyzer(ABC):
    """Turns text of one language into index terms. Instances are cheap to share and thread-safe."""

    language: str

    @abstractmethod
    def tokens(self, text: str) -> list[Token]:
        """Terms with character offsets into ``text`` (for evidence highlighting)."""

    def terms(self, text: str) -> list[str]:
        """Terms only: the fast path for vectorisers. Override when it can skip offset bookkeeping."""
        return [t.term for t in self.tokens(text)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.language!r})"
