"""Reading and writing learned state: ``.npz`` arrays (never pickled), sparse matrices and JSON.

Every model's state goes through these, so that no file of ours is ever loaded with pickle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy stubs mistype **kwds


def load_arrays(path: Path, mmap: bool = False) -> dict[str, np.ndarray]:
    """Load an ``.npz`` safely (no pickle)."""
    with np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None) as data:
        return {k: data[k] for k in data.files}


def save_sparse(path: Path, matrix: sp.spmatrix) -> None:
    sp.save_npz(path, sp.csr_matrix(matrix), compressed=False)


def load_sparse(path: Path) -> sp.csr_matrix:
    return sp.csr_matrix(sp.load_npz(path))


def save_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
