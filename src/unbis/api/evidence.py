"""Evidence spans: where in the text a suggested concept's labels occur.

The thesaurus matcher explains its own matches (``backend.explain``); for backends that cannot, we look
for the concept's labels in the text, so a trained project's suggestions still get highlights when
their labels are literally present.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from unbis.project import Project

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
MAX_SPANS = 20


def evidence_for(project: Project, text: str, subjects: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """``{subject: [{"start", "end", "label", "language"}, ...]}`` for the given subjects."""
    explain = getattr(project.backend, "explain", None)
    if callable(explain):
        found = explain(text, list(subjects))
        return {
            int(cid): [{"start": int(e.start), "end": int(e.end), "label": e.label, "language": e.language}
                       for e in spans[:MAX_SPANS]]
            for cid, spans in found.items()
        }
    out: dict[int, list[dict[str, Any]]] = {}
    for cid in subjects:
        spans: list[dict[str, Any]] = []
        for lang, _kind, label in project.vocab.concepts[cid].all_labels():
            for m in _label_pattern(label).finditer(text):
                spans.append({"start": m.start(), "end": m.end(), "label": label, "language": lang})
                if len(spans) >= MAX_SPANS:
                    break
        if spans:
            out[cid] = sorted(spans, key=lambda s: (s["start"], s["end"]))
    return out


@lru_cache(maxsize=20000)
def _label_pattern(label: str) -> re.Pattern[str]:
    """Case-insensitive, whitespace-tolerant; word-bounded except in CJK (segmented text has spaces)."""
    if _CJK.search(label):
        body = r"\s*".join(re.escape(ch) for ch in label if not ch.isspace())
        return re.compile(body)
    body = r"\s+".join(re.escape(word) for word in label.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
