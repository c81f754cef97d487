"""Stage 2 of the default pipeline: what the evidence members find, as one sparse matrix per column."""

from __future__ import annotations

from collections.abc import Sequence

import scipy.sparse as sp

from unbis.backends.base import Backend
from unbis.errors import IncompatibleModelError


def evidence_matrices(member: Backend, texts: Sequence[str], languages: Sequence[str | None], chars: int = 0,
                      jobs: int = 1) -> list[sp.csr_matrix]:
    """``member.evidence_batch`` of the first ``chars`` characters of each text (0: all; matching whole
    long texts is slow): per evidence column a documents x concepts matrix, then the found-mark.

    Parameters
    ----------
    languages : each text's language (None: the member decides).
    jobs : processes (0: every core). Training evidences the whole ranker sample at once; suggestion
        batches are already spread over worker processes and pass 1.
    """
    limit = chars or None
    out = member.evidence_batch([t[:limit] for t in texts], languages, jobs)
    if len(out) != len(member.evidence_columns()) + 1:
        raise IncompatibleModelError(f"member {member.name!r} gave {len(out)} evidence matrices for "
                                     f"{len(member.evidence_columns())} columns and the found-mark")
    return out
