"""Ridge that learns from the thesaurus as well as the documents: the ``linear`` backend with one
extra training row per concept, the text of its labels (see ``linear``'s ``concept_weight``).

As an ensemble member beside ``linear`` it gives the ranker a second opinion that reaches labels no
training document carries. eurlex-en train, repeated 3-fold CV (fold seeds 42, 1, 2), F1@5 / nDCG:
0.4265 / 0.5643 with ``linear,knn,matcher``, 0.4303 / 0.5697 with this member added (every seed
gained); csl-zh 5-fold CV level (0.3586 / 0.6451 and 0.3581 / 0.6445). Replacing ``linear`` by it
gained less on eurlex-en and lost 0.01 on csl-zh, whose labels are keywords the abstracts contain
verbatim: the ranker needs both scores to tell when the thesaurus rows help.

A default member since its memory fell within Annif's: eurlex-en training peak RSS 642 MiB without
it, 722 MiB with it (`/usr/bin/time -v unbis train`; Annif's ensemble: 913 MiB). On abo-en (27k
concepts, ~100 documents, so only 2,500 concepts get rows) 5-fold CV with fold seeds 42, 1, 2 is level:
F1@5 / nDCG / P@1 0.329 / 0.447 / 0.567 without it, 0.330 / 0.448 / 0.570 with it
(benchmarks/ours_eval.py)."""

from __future__ import annotations

from dataclasses import dataclass

from unbis.backends.linear import LinearBackend, LinearParams


@dataclass(frozen=True)
class LinearThesaurusParams(LinearParams):
    """As ``linear``, with the thesaurus rows on (``concept_weight`` 1: 3 was lower on eurlex-en CV). As
    an ensemble member beside ``linear`` it runs with ``concept_weight=0.5 alpha=0.3`` (the ensemble's
    MEMBER_DEFAULTS), where the other ridge already fits the documents closely."""

    concept_weight: float = 1.0


class LinearThesaurusBackend(LinearBackend):
    name = "linear_thesaurus"
    Params = LinearThesaurusParams
