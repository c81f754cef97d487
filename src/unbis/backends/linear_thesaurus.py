"""Ridge that learns from the thesaurus as well as the documents: the ``linear`` backend with one
extra training row per concept, the text of its labels (see ``linear``'s ``concept_weight``).

As a pipeline member beside ``linear`` it gives the ranker a second opinion that reaches labels no
training document carries; the ranker needs both scores to tell when the thesaurus rows help (for
keywords that abstracts contain verbatim they do not). Measurements:
``benchmarks/results/pipeline-decisions.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from unbis.backends.linear import LinearBackend, LinearParams


@dataclass(frozen=True)
class LinearThesaurusParams(LinearParams):
    """As ``linear``, with the thesaurus rows on (``concept_weight`` 1). As a pipeline member beside
    ``linear`` it runs with ``concept_weight=0.5 alpha=0.3`` (``pipeline.members.MEMBER_DEFAULTS``),
    where the other ridge already fits the documents closely."""

    concept_weight: float = 1.0


class LinearThesaurusBackend(LinearBackend):
    name = "linear_thesaurus"
    Params = LinearThesaurusParams
