"""How much a document's ensemble scores depend on its batch, member by member (issue 18, item 10).

Scores ``--docs`` documents of a directory in one batch and in batches of 1, 2, 7 and 64, and prints, for
the final scores and for each member's raw scores, the largest difference and the number of documents
that differ by more than 1e-6. Without ``--project`` it trains a small ensemble from tests/data first.

    python benchmarks/batch_effect.py --texts ../shared/data/unsc-en --docs 300
    python benchmarks/batch_effect.py --project runs/eurlex --texts ../shared/data/unsc-en
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from unbis import service
from unbis.corpus.readers import read_documents
from unbis.project import Project

EURLEX = Path(__file__).resolve().parent.parent / "tests" / "data" / "corpus" / "eurlex-en"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", type=Path)
    ap.add_argument("--texts", type=Path, default=EURLEX / "validation")
    ap.add_argument("--docs", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.project
        if path is None:
            path = Path(tmp) / "p"
            service.train(path, [EURLEX / "train"], vocab_spec=str(EURLEX / "eurovoc-vocab.tsv"), language="en",
                          params=["ensemble.rankers=1", "ensemble.rounds=60"])
        project = Project.load(path)
    texts = [d.text for d in read_documents([args.texts], None, labelled=False)][: args.docs]
    backend = project.backend

    def final(batch: list[str]) -> sp.csr_matrix:
        return project.suggest_matrix(batch)

    scorers = {"final scores": final}
    if hasattr(backend, "members_"):
        for name, member in backend.members_.items():
            if hasattr(member, "_raw"):
                def raw(batch: list[str], name: str = name, member: object = member) -> np.ndarray:
                    x = backend.features_.transform(batch)
                    xt = backend.features_.transform(backend._title_texts(batch))
                    return member._raw(backend._member_input(name, x, xt))  # type: ignore[attr-defined]
                scorers[f"{name} raw"] = raw  # type: ignore[assignment]
    print(f"{len(texts)} documents of {args.texts}; project {args.project or 'small ensemble from tests/data'}")
    for label, score in scorers.items():
        def dense(batch: list[str], score: object = score) -> np.ndarray:
            out = score(batch)  # type: ignore[operator]
            return out.toarray() if sp.issparse(out) else np.asarray(out)
        whole = dense(texts)
        for size in (1, 2, 7, 64):
            rows = np.vstack([dense(texts[i : i + size]) for i in range(0, len(texts), size)])
            diff = np.abs(rows - whole).max(axis=1)
            print(f"{label:<24} batch {size:>2}: max difference {diff.max():.2e}, documents > 1e-6: "
                  f"{int((diff > 1e-6).sum())}")


if __name__ == "__main__":
    main()
