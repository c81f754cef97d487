"""What a corpus read did: documents read, skipped (with reasons), warnings and unknown labels."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

logger = logging.getLogger("unbis.corpus")

UNKNOWN_LABEL = "unknown label"
ADDED_LABEL = "added label"


@dataclass
class ReadReport:
    """Counts filled by the readers; ``summary()`` is the line every run ends with.

    ``first_location`` maps each skip reason, warning kind, ``"unknown label"`` and ``"added label"``
    to the ``path:line`` where it first happened, so a user can go and look.
    """

    read: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    unknown_labels: Counter[str] = field(default_factory=Counter)
    added_labels: Counter[str] = field(default_factory=Counter)
    first_location: dict[str, str] = field(default_factory=dict)
    # Messages already logged: a corpus read again (training takes two passes) does not repeat them.
    _logged: set[str] = field(default_factory=set, repr=False, compare=False)

    def _log(self, message: str) -> None:
        if message not in self._logged:
            self._logged.add(message)
            logger.warning("%s", message)

    def reset(self) -> None:
        """Empty every count in place (a re-iterated ``Corpus`` keeps the same report object)."""
        self.read = 0
        self.skipped = 0
        self.reasons.clear()
        self.warnings.clear()
        self.unknown_labels.clear()
        self.added_labels.clear()
        self.first_location.clear()

    def skip(self, reason: str, location: str, message: str) -> None:
        """Count a skipped document and log why, with its location."""
        self.skipped += 1
        self.reasons[reason] += 1
        self.first_location.setdefault(reason, location)
        self._log(f"{location}: {message} (skipped)")

    def warn(self, kind: str, location: str, message: str) -> None:
        """Count a problem that did not cost the document (e.g. a duplicate label) and log it."""
        self.warnings[kind] += 1
        self.first_location.setdefault(kind, location)
        self._log(f"{location}: {message}")

    def unknown(self, label: str, location: str) -> None:
        """Count a label that is not in the vocabulary and was dropped (``on_unknown="skip"``)."""
        self.unknown_labels[label] += 1
        self.first_location.setdefault(UNKNOWN_LABEL, location)
        # Only the first occurrence of each label is logged: a big corpus may repeat it thousands of times.
        if self.unknown_labels[label] == 1:
            self._log(f"{location}: unknown label {label!r} dropped")

    def added(self, label: str, location: str) -> None:
        """Count a label that was added to the vocabulary (``on_unknown="add"``)."""
        self.added_labels[label] += 1
        self.first_location.setdefault(ADDED_LABEL, location)
        logger.info("%s: label %r added to the vocabulary", location, label)

    def summary(self) -> str:
        """One line: ``read N, skipped M (reason: count, ...)`` then unknown/added labels and warnings."""
        line = f"read {self.read}, skipped {self.skipped}"
        if self.reasons:
            line += " (" + ", ".join(f"{r}: {n}" for r, n in self.reasons.most_common()) + ")"
        n_unknown = sum(self.unknown_labels.values())
        if n_unknown:
            # Occurrences (label assignments dropped); ``unknown_labels`` has the distinct labels.
            line += f"; unknown labels: {n_unknown} (first at {self.first_location[UNKNOWN_LABEL]})"
        if self.added_labels:
            line += (
                f"; labels added to the vocabulary: {len(self.added_labels)} "
                f"(first at {self.first_location[ADDED_LABEL]})"
            )
        if self.warnings:
            line += "; warnings: " + ", ".join(
                f"{kind}: {n} (first at {self.first_location[kind]})"
                for kind, n in self.warnings.most_common()
            )
        return line
