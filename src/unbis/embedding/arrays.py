"""Arrays in an uncompressed ``.npz``, read without pickle and, for the large ones, memory-mapped.

``numpy.load`` never memory-maps the members of an ``.npz``. A member stored without compression is a
plain ``.npy`` at a known offset inside the zip file, so it can be mapped directly: several indexing
processes then share one copy of the pages, and opening a project reads only its header.
"""

from __future__ import annotations

import json
import os
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

HEADER_KEY = "header"


def save_npz(path: Path, header: dict[str, Any], **arrays: np.ndarray) -> None:
    """Write ``arrays`` and a JSON ``header`` to ``path`` atomically (a temporary file, then a rename),
    uncompressed, so that :func:`load_npz` can memory-map them."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, **{HEADER_KEY: np.array(json.dumps(header, sort_keys=True))}, **arrays)  # type: ignore[arg-type]
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_header(path: Path) -> dict[str, Any]:
    with np.load(path, allow_pickle=False) as data:
        header: dict[str, Any] = json.loads(str(data[HEADER_KEY][()]))
    return header


def load_npz(path: Path, mmap: bool = True) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and arrays of ``path``; with ``mmap``, stored members are mapped read-only."""
    path = Path(path)
    header = read_header(path)
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            key = info.filename.removesuffix(".npy")
            if key == HEADER_KEY:
                continue
            if mmap and info.compress_type == zipfile.ZIP_STORED:
                arrays[key] = _map_member(path, fh, info)
            else:
                with zf.open(info) as member:
                    arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
    return header, arrays


def _map_member(path: Path, fh: Any, info: zipfile.ZipInfo) -> np.ndarray:
    # local file header: 30 fixed bytes, then the name and an extra field whose lengths it gives
    fh.seek(info.header_offset)
    local = fh.read(30)
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    major, _ = np.lib.format.read_magic(fh)
    if major == 1:
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    if dtype.hasobject:
        raise ValueError(f"{path}: member {info.filename} holds Python objects; refusing to load it")
    if int(np.prod(shape)) == 0:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=fh.tell(), shape=shape, order="F" if fortran else "C")
