"""One read of a training corpus that gathers what choosing its language and vocabulary needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from unbis.analysis import detect_language
from unbis.corpus.readers import read_documents


@dataclass
class CorpusScan:
    """What one read of a corpus found.

    Attributes
    ----------
    languages : the detected language of each of the first documents read (``sample`` of them).
    labels : how many documents carry each raw label string (empty when labels were not asked for).
    """

    languages: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)


def scan_corpus(corpus: Sequence[Path], *, sample: int = 20, labels: bool = True) -> CorpusScan:
    """Read ``corpus`` once (or only its first ``sample`` documents when ``labels`` is False): the
    languages of the first documents and, with ``labels``, every document's raw labels. Bad documents
    are skipped here; the training passes report them."""
    scan = CorpusScan()
    for i, doc in enumerate(read_documents(corpus, None, on_unknown="skip")):
        if i < sample:
            scan.languages[detect_language(doc.text)] += 1
        elif not labels:
            break
        if labels:
            scan.labels.update(doc.labels)
    return scan
