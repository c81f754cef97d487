"""The vocabulary's labels (preferred, alternative, hidden; every language) embedded once.

Stored compactly: one int8 row per label with its own scale (``row ≈ codes * scale``), which keeps
43,008 UNBIS labels x 512 dimensions at 22 MB instead of 88 MB and changes a cosine by about 1e-3. Rows
are ordered by concept, so a concept's best label is a ``maximum.reduceat`` over a similarity row.

The file (``.npz``, no pickle, memory-mapped) carries a header with the format version, the embedder's
name and version and the hash of the labels it embeds; a file whose header does not match the
vocabulary and embedder in use is refused (or, for a cache, rebuilt).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from unbis.embedding.arrays import load_npz, read_header, save_npz
from unbis.embedding.base import Embedder
from unbis.embedding.passages import label_text
from unbis.errors import IncompatibleModelError
from unbis.vocab.subject_index import Vocabulary

FORMAT_VERSION = 1
KINDS = ("pref", "alt", "hidden")
#: label rows compared with passages at once when the whole table is not held as float32
_BLOCK = 8192
#: largest float32 copy of the label vectors kept in memory (bytes): comparing with it is one matrix
#: product; the int8 codes alone would be converted again in every call, which costs more than the
#: product for a few passages (benchmarks/results/embedders.md)
DENSE_BYTES = 256 * 2**20


def labels_hash(vocab: Vocabulary) -> str:
    """Hash of every (concept, language, kind, label) in id order: what label embeddings depend on (the
    vocabulary's ``content_hash`` covers only its URIs)."""
    h = hashlib.sha256()
    for cid, concept in enumerate(vocab.concepts):
        for lang, kind, label in concept.all_labels():
            h.update(f"{cid}\t{lang}\t{kind}\t{label}\n".encode())
    return h.hexdigest()[:16]


@dataclass
class LabelEmbeddings:
    """Embedded labels, grouped by concept.

    Attributes
    ----------
    codes, scale:
        (labels, dim) int8 and (labels,) float32: a label's unit vector is ``codes[i] * scale[i]``.
    concept:
        (labels,) int32 concept id of each row, non-decreasing.
    language, kind:
        (labels,) uint8 indices into ``languages`` and :data:`KINDS`.
    header:
        format, embedder name and version, labels hash, vocabulary size.
    """

    codes: np.ndarray
    scale: np.ndarray
    concept: np.ndarray
    language: np.ndarray
    kind: np.ndarray
    languages: list[str]
    header: dict
    _dense: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    # -- building ---------------------------------------------------------------------------------
    @classmethod
    def build(
        cls, vocab: Vocabulary, embedder: Embedder, progress: Callable[[int, int], None] | None = None,
    ) -> LabelEmbeddings:
        """Embed every label of ``vocab`` (``progress(done, total)`` is called between batches)."""
        rows = [(cid, lang, kind, label)
                for cid, c in enumerate(vocab.concepts) for lang, kind, label in c.all_labels()]
        languages = sorted({lang for _, lang, _, _ in rows})
        texts = [label_text(label) for _, _, _, label in rows]
        step = 2048
        parts = []
        for lo in range(0, len(texts), step):
            parts.append(embedder.embed(texts[lo : lo + step]))
            if progress is not None:
                progress(min(lo + step, len(texts)), len(texts))
        vectors = np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
        codes, scale = quantize(vectors)
        lang_index = {lang: i for i, lang in enumerate(languages)}
        header = {
            "format": FORMAT_VERSION,
            "embedder": embedder.name,
            "embedder_version": embedder.version,
            "labels_hash": labels_hash(vocab),
            "concepts": len(vocab),
            "dim": embedder.dim,
        }
        return cls(
            codes=codes,
            scale=scale,
            concept=np.array([r[0] for r in rows], dtype=np.int32),
            language=np.array([lang_index[r[1]] for r in rows], dtype=np.uint8),
            kind=np.array([KINDS.index(r[2]) for r in rows], dtype=np.uint8),
            languages=languages,
            header=header,
        )

    # -- persistence ------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        save_npz(
            path,
            {**self.header, "languages": self.languages},
            codes=np.ascontiguousarray(self.codes),
            scale=np.asarray(self.scale),
            concept=np.asarray(self.concept),
            language=np.asarray(self.language),
            kind=np.asarray(self.kind),
        )

    @classmethod
    def load(cls, path: Path, mmap: bool = True) -> LabelEmbeddings:
        header, arrays = load_npz(path, mmap=mmap)
        if header.get("format") != FORMAT_VERSION:
            raise IncompatibleModelError(
                f"{path}: label embeddings of format {header.get('format')}, this version reads "
                f"{FORMAT_VERSION}: retrain the project"
            )
        languages = list(header.pop("languages"))
        return cls(
            codes=arrays["codes"],
            scale=np.asarray(arrays["scale"]),
            concept=np.asarray(arrays["concept"]),
            language=np.asarray(arrays["language"]),
            kind=np.asarray(arrays["kind"]),
            languages=languages,
            header=header,
        )

    def matches(self, vocab: Vocabulary, embedder: Embedder) -> bool:
        """Whether these are the labels of ``vocab`` embedded by ``embedder``'s weights."""
        return _header_matches(self.header, vocab, embedder)

    def check(self, vocab: Vocabulary, embedder: Embedder, where: str) -> None:
        if not self.matches(vocab, embedder):
            raise IncompatibleModelError(
                f"{where}: label embeddings made by {self.header.get('embedder_version')} for labels "
                f"{self.header.get('labels_hash')}, but this is {embedder.version} with labels "
                f"{labels_hash(vocab)}: retrain the project"
            )

    # -- scoring ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_concepts(self) -> int:
        return int(self.header["concepts"])

    def vectors(self, rows: np.ndarray | slice) -> np.ndarray:
        """The float32 unit vectors of label ``rows``."""
        return np.asarray(self.codes[rows], dtype=np.float32) * np.asarray(self.scale[rows])[:, None]

    def concept_similarity(self, queries: np.ndarray, best_weight: float = 1.0) -> np.ndarray:
        """(queries, concepts) float32: each concept's similarity with each query row, i.e.
        ``best_weight`` x its best label's cosine + (1 - ``best_weight``) x the mean cosine of its
        labels; concepts without labels score -1.

        The mean over a concept's labels in every language does not depend on which language's label
        happens to be closest to the text's own wording, so it varies less between language versions
        of one text (benchmarks/results/embedders.md); the best label reaches a concept through its one
        apt label when the others are poor (``SDG 1``)."""
        n_concepts = self.n_concepts
        out = np.full((queries.shape[0], n_concepts), -1.0, dtype=np.float32)
        if not len(self) or not queries.shape[0]:
            return out
        if self._dense is None and len(self) * self.codes.shape[1] * 4 <= DENSE_BYTES:
            self._dense = self.vectors(slice(None))
        step = len(self) if self._dense is not None else _BLOCK
        total = np.zeros_like(out) if best_weight < 1.0 else None
        for lo in range(0, len(self), step):
            hi = min(len(self), lo + step)
            block = self._dense[lo:hi] if self._dense is not None else self.vectors(slice(lo, hi))
            sims = queries @ block.T
            concepts = self.concept[lo:hi]
            starts = np.flatnonzero(np.r_[True, concepts[1:] != concepts[:-1]])
            best = np.maximum.reduceat(sims, starts, axis=1)
            ids = concepts[starts]
            np.maximum(out[:, ids], best, out=best)  # a concept's labels may straddle two blocks
            out[:, ids] = best
            if total is not None:
                total[:, ids] += np.add.reduceat(sims, starts, axis=1)
        if total is not None:
            counts = np.bincount(self.concept, minlength=n_concepts)
            has = counts > 0
            out[:, has] = best_weight * out[:, has] + (1.0 - best_weight) * total[:, has] / counts[has]
        return out

    def best_labels(self, queries: np.ndarray, concepts: np.ndarray) -> np.ndarray:
        """For each pair (``queries[j]``, ``concepts[j]``), the row of the concept's label closest to the
        query (a unit vector), or -1 for a concept without labels: :meth:`best_label` for many pairs at
        once (the pipeline describes 50 candidates per document)."""
        concepts = np.asarray(concepts, dtype=np.int64)
        lo = np.searchsorted(self.concept, concepts)
        hi = np.searchsorted(self.concept, concepts + 1)
        counts = hi - lo
        out = np.full(concepts.shape[0], -1, dtype=np.int64)
        if not counts.sum():
            return out
        owner = np.repeat(np.arange(concepts.shape[0]), counts)
        rows = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        scores = np.einsum("ij,ij->i", self.vectors(rows), queries[owner])
        # per pair, the first row of its best score (as argmax takes the first of ties)
        order = np.lexsort((np.arange(rows.size), -scores, owner))
        first = np.r_[True, owner[order][1:] != owner[order][:-1]]
        out[owner[order][first]] = rows[order][first]
        return out

    def best_label(self, query: np.ndarray, concept: int) -> int:
        """The row of ``concept``'s label closest to ``query`` (a unit vector), or -1 without labels."""
        return int(self.best_labels(query[None, :], np.array([concept]))[0])


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and a float32 scale per row (symmetric: the row's largest magnitude maps to 127)."""
    peak = np.abs(vectors).max(axis=1) if vectors.size else np.zeros(len(vectors), dtype=np.float32)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    return codes, scale


def _header_matches(header: dict, vocab: Vocabulary, embedder: Embedder) -> bool:
    return (
        header.get("format") == FORMAT_VERSION
        and header.get("embedder_version") == embedder.version
        and header.get("labels_hash") == labels_hash(vocab)
        and header.get("concepts") == len(vocab)
    )


# -- the bundled UNBIS Thesaurus ------------------------------------------------------------------
def bundled_file(embedder_name: str) -> Path:
    """Where the package ships the bundled thesaurus's label embeddings for ``embedder_name``."""
    return Path(str(resources.files("unbis.data").joinpath(f"unbis-labels-{embedder_name}.npz")))


def cache_dir() -> Path:
    base = os.environ.get("UNBIS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "unbis"
    )
    return Path(base) / "label-embeddings"


def label_embeddings_for(
    vocab: Vocabulary, embedder: Embedder, progress: Callable[[int, int], None] | None = None,
) -> LabelEmbeddings:
    """The label embeddings of ``vocab``: the file shipped in the package when it is the bundled
    thesaurus for this embedder, else a cache file keyed by labels hash and embedder version, else
    built now (and cached)."""
    shipped = bundled_file(embedder.name)
    if shipped.is_file() and _header_matches(read_header(shipped), vocab, embedder):
        return LabelEmbeddings.load(shipped)
    version_key = hashlib.sha256(embedder.version.encode()).hexdigest()[:8]
    cached = cache_dir() / f"{labels_hash(vocab)}-{embedder.name}-{version_key}.npz"
    if cached.is_file():
        try:
            found = LabelEmbeddings.load(cached)
            if found.matches(vocab, embedder):
                return found
        except (OSError, ValueError, KeyError, IncompatibleModelError):
            pass  # a damaged or stale cache file is rebuilt below
    built = LabelEmbeddings.build(vocab, embedder, progress)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        built.save(cached)
    except OSError:
        pass  # a read-only home only costs the rebuild next time
    return built
