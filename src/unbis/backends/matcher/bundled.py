"""What the package brings to a zero-shot matcher: statistics of UN text and a ranker learnt elsewhere.

- ``data/un-stats.json.gz`` (built by ``benchmarks/un_stats.py``; provenance in ``data/PROVENANCE.md``):
  in how many UN documents each UNBIS concept's labels match (so that a label matched in nearly every
  UN document, like 大会 or "resolution", is discounted as commonness), and the concepts whose one-word
  label is a plural with a sense of its own (SECURITIES, WELLS: the singular is everywhere in UN text,
  the plural nearly nowhere). Concepts are keyed by URI, so any vocabulary holding UNBIS concepts uses
  them and the figures are the same in every language.
- ``data/matcher-ranker.txt`` (built by ``benchmarks/transfer_ranker.py``): a LightGBM ranker over the
  matcher's vocabulary-independent evidence, learnt on corpora labelled with other thesauri (EuroVoc,
  YSO, CSL, SDG goals); the zero-shot scorer instead of hand weights.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from unbis.backends.matcher.scoring import CorpusStats
from unbis.learning.ranker import GradientBoostedRanker, RankerSettings
from unbis.vocab.subject_index import Vocabulary

STATS_FILE = "un-stats.json.gz"
RANKER_FILE = "matcher-ranker.txt"
STATS_FORMAT = 1


@cache
def _stats() -> dict[str, Any] | None:
    path = files("unbis") / "data" / STATS_FILE
    if not path.is_file():
        return None
    data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    if data.get("format_version") != STATS_FORMAT:
        raise ValueError(f"{STATS_FILE}: format {data.get('format_version')}, expected {STATS_FORMAT}")
    return data  # type: ignore[no-any-return]


def _ids(vocab: Vocabulary, uris: list[str]) -> list[int]:
    found = (vocab.id_of_uri(u) for u in uris)
    return [i for i in found if i is not None]


def un_background(vocab: Vocabulary) -> CorpusStats | None:
    """Per-concept document frequencies of label matches over the bundled UN documents, for the
    concepts of ``vocab`` (by URI); None when none of them is known."""
    data = _stats()
    if data is None:
        return None
    stats = CorpusStats.empty(len(vocab))
    known = 0
    for uri, count in data["concept_df"].items():
        cid = vocab.id_of_uri(uri)
        if cid is not None:
            stats.df[cid] = count
            known += 1
    if not known:
        return None
    stats.n_docs = int(data["n_docs"])
    return stats


def plural_senses(vocab: Vocabulary) -> frozenset[int]:
    """The concepts of ``vocab`` whose one-word plural label names a sense of its own."""
    data = _stats()
    return frozenset(_ids(vocab, data["plural_sense"])) if data else frozenset()


@cache
def transfer_ranker() -> GradientBoostedRanker | None:
    """The bundled zero-shot ranker, or None when the package has none."""
    path = files("unbis") / "data" / RANKER_FILE
    if not path.is_file():
        return None
    return GradientBoostedRanker.load(Path(str(path)), RankerSettings())


#: corpus-statistics columns that know a concept's own history: never used by the transfer ranker
CONCEPT_PRIOR_COLUMNS = ("keyphraseness", "prior")


def vocabulary_independent(rows: np.ndarray) -> np.ndarray:
    """``rows`` with the concept-prior columns zeroed: what the transfer ranker learns from and reads."""
    from unbis.backends.matcher.features import COL

    out = rows.copy()
    for name in CONCEPT_PRIOR_COLUMNS:
        out[:, COL[name]] = 0.0
    return out
