"""Why a document's scores moved with its batch (issue 18, item 10): the rows of a dense BLAS product
depend on how many rows are multiplied together; fixed 16-row blocks (unbis.learning.stable_matmul) do not.

A (docs x training documents) kernel times a (training documents x labels) float32 ridge dual, as in
``LinearBackend._raw``. Prints the largest difference of a row computed in batches of 1 and 7 against the
same row in one batch of 64, for plain ``@``, scipy's CSR x dense product and ``batch_stable_matmul``, with
their times.

    python benchmarks/batch_blas.py                   # 64 x 5,000 kernel, 5,000 x 7,000 dual
    python benchmarks/batch_blas.py --train 2000 --labels 3000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from unbis.learning.stable_matmul import batch_stable_matmul


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=64)
    ap.add_argument("--train", type=int, default=5000)
    ap.add_argument("--labels", type=int, default=7000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    kernel = sp.random(args.docs, args.train, density=0.5, format="csr", dtype=np.float32, random_state=0)
    dual = rng.standard_normal((args.train, args.labels), dtype=np.float32)
    ways: dict[str, Callable[[sp.csr_matrix], np.ndarray]] = {
        "BLAS (x.toarray() @ dual)": lambda k: k.toarray() @ dual,
        "CSR x dense (k @ dual)": lambda k: np.asarray(k @ dual),
        "batch_stable_matmul": lambda k: batch_stable_matmul(k.toarray(), dual),
    }
    for name, way in ways.items():
        started = time.perf_counter()
        whole = way(kernel)
        seconds = time.perf_counter() - started
        diffs = []
        for size in (1, 7):
            rows = np.vstack([way(kernel[i : i + size]) for i in range(0, args.docs, size)])
            diffs.append(float(np.abs(rows - whole).max()))
        print(f"{name:<28} {seconds:6.3f} s for {args.docs} docs   max row difference: batch 1 {diffs[0]:.2e}, "
              f"batch 7 {diffs[1]:.2e}")


if __name__ == "__main__":
    main()
