"""The compiled labels of a vocabulary, kept in the start-up cache (:mod:`unbis.cache`).

Compiling the English labels of UNBIS (analysing 7,000 labels, finding which contain which) costs about
0.3 s, paid by every ``unbis suggest``. The result is plain data except for the Aho-Corasick automaton,
which is rebuilt from its stored keys in about 20 ms. The entry is keyed by the labels themselves, the
options, and the source of the code that analyses and compiles them, so any change to either gives a
new entry (an old one is never read).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import ahocorasick
import numpy as np

from unbis.backends.matcher.labels import LabelIndex, compile_labels
from unbis.vocab.subject_index import Vocabulary

_CODE = [Path(__file__).with_name("labels.py"), Path(__file__).with_name("units.py"),
         *sorted((Path(__file__).parent.parent.parent / "analysis").glob("*.py"))]


def _labels_key(vocab: Vocabulary, language: str, qualifiers: bool) -> str:
    h = hashlib.sha256(f"{language}\x1e{qualifiers}\x1e{len(vocab)}".encode())
    for path in _CODE:
        h.update(path.read_bytes())
    try:
        from importlib.metadata import version

        h.update(version("PyStemmer").encode())
    except Exception:  # noqa: BLE001 - no metadata: the code hash still guards the entry
        pass
    for cid, c in enumerate(vocab.concepts):
        for lang, kind, label in c.all_labels():
            if lang == language:
                h.update(f"{cid}\x1f{kind}\x1f{label}\x1e".encode())
    return h.hexdigest()[:20]


def _pack_strings(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    return np.frombuffer(b"".join(data), dtype=np.uint8), offsets


def _unpack_strings(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    raw = blob.tobytes()
    bounds = offsets.tolist()
    return [raw[bounds[i]:bounds[i + 1]].decode("utf-8") for i in range(len(bounds) - 1)]


def _pack_lists(values: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum([len(v) for v in values], out=offsets[1:])
    flat = np.fromiter((x for v in values for x in v), dtype=np.int32, count=int(offsets[-1]))
    return flat, offsets


def _unpack_lists(flat: np.ndarray, offsets: np.ndarray) -> list[list[int]]:
    items, bounds = flat.tolist(), offsets.tolist()
    return [items[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]


def _to_arrays(index: LabelIndex) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    keys, values = zip(*index.automaton.items(), strict=True) if len(index.automaton) else ((), ())
    arrays: dict[str, np.ndarray] = {
        "concept": index.concept, "kind": index.kind, "n_units": index.n_units, "ambiguity": index.ambiguity,
        "generality": index.generality, "part_units": np.asarray(index.part_units, dtype=np.int32),
        "auto_pid": np.asarray([v[1] for v in values], dtype=np.int32),
        "auto_n": np.asarray([v[2] for v in values], dtype=np.int32),
    }
    for name, (flat, offsets) in (("text", _pack_strings(index.text)), ("keys", _pack_strings(list(keys))),
                                  ("parts", _pack_lists(index.parts)), ("part_labels", _pack_lists(index.part_labels)),
                                  ("auto_lids", _pack_lists([v[0] for v in values]))):
        arrays[f"{name}_data"], arrays[f"{name}_offsets"] = flat, offsets
    return arrays, {"language": index.language}


def _from_arrays(a: dict[str, np.ndarray], meta: dict[str, Any]) -> LabelIndex:
    automaton = ahocorasick.Automaton()
    keys = _unpack_strings(a["keys_data"], a["keys_offsets"])
    lids = _unpack_lists(a["auto_lids_data"], a["auto_lids_offsets"])
    for key, ids, pid, n in zip(keys, lids, a["auto_pid"].tolist(), a["auto_n"].tolist(), strict=True):
        automaton.add_word(key, (tuple(ids), pid, n))
    if keys:
        automaton.make_automaton()
    return LabelIndex(
        language=meta["language"],
        concept=np.array(a["concept"]), text=_unpack_strings(a["text_data"], a["text_offsets"]),
        kind=np.array(a["kind"]), n_units=np.array(a["n_units"]),
        parts=[tuple(p) for p in _unpack_lists(a["parts_data"], a["parts_offsets"])],
        part_units=a["part_units"].tolist(),
        part_labels=_unpack_lists(a["part_labels_data"], a["part_labels_offsets"]),
        ambiguity=np.array(a["ambiguity"]), generality=np.array(a["generality"]), automaton=automaton,
    )


def cached_label_index(vocab: Vocabulary, language: str, qualifiers: bool = True) -> LabelIndex:
    """:func:`compile_labels` of ``vocab`` in ``language``, through the start-up cache."""
    from unbis.cache import cache_dir, cached_arrays

    if cache_dir() is None:
        return compile_labels(vocab, language, qualifiers=qualifiers)
    arrays, meta = cached_arrays(f"labels-{language}", _labels_key(vocab, language, qualifiers),
                                 lambda: _to_arrays(compile_labels(vocab, language, qualifiers=qualifiers)))
    return _from_arrays(arrays, meta)
