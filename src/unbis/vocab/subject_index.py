"""The subject index: integer ids inside, URIs and labels only here."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unbis.errors import VocabularyError
from unbis.textnorm import fold

VOCAB_FORMAT_VERSION = 1


@dataclass(slots=True)
class Concept:
    """One descriptor. Relations hold integer ids of other concepts in the same vocabulary."""

    uri: str
    labels: dict[str, str]  # language -> preferred label
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    hidden_labels: dict[str, list[str]] = field(default_factory=dict)
    notation: str | None = None
    broader: list[int] = field(default_factory=list)
    narrower: list[int] = field(default_factory=list)
    related: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # codes of micro-thesauri / collections
    schemes: list[str] = field(default_factory=list)  # SKOS concept schemes (skos:inScheme, topConceptOf)
    types: list[str] = field(default_factory=list)  # RDF types besides skos:Concept

    def all_labels(self) -> Iterator[tuple[str, str, str]]:
        """Yield (language, kind, label) with kind in pref/alt/hidden."""
        for lang, label in self.labels.items():
            yield lang, "pref", label
        for lang, labels in self.alt_labels.items():
            for label in labels:
                yield lang, "alt", label
        for lang, labels in self.hidden_labels.items():
            for label in labels:
                yield lang, "hidden", label


@dataclass(slots=True)
class Group:
    """A grouping of concepts: a UNBIS domain or micro-thesaurus, a SKOS collection."""

    code: str
    labels: dict[str, str]
    parent: str | None = None


class Vocabulary:
    """Concepts addressed by integer id (their position), with a label/URI lookup table."""

    def __init__(
        self,
        concepts: list[Concept],
        groups: dict[str, Group] | None = None,
        name: str = "vocab",
        default_language: str = "en",
    ) -> None:
        self.concepts = concepts
        self.groups = groups or {}
        self.name = name
        self.default_language = default_language
        # Built on the first lookup: folding 50,000 UNBIS labels costs about 0.7 s, which suggesting
        # (ids in, labels out) never needs.
        self._lookup_table: dict[str, int] | None = None
        self._uri_table: dict[str, int] | None = None

    # -- lookup -------------------------------------------------------------------------------
    def _build_lookup(self) -> None:
        # Priority: URI and notation, then preferred labels, then alt/hidden; the first claim wins,
        # so an alt label never steals a key that is another concept's preferred label.
        lookup: dict[str, int] = {}
        for cid, c in enumerate(self.concepts):
            lookup.setdefault(c.uri, cid)
            lookup.setdefault(fold(c.uri), cid)
            if c.notation:
                lookup.setdefault(fold(c.notation), cid)
        for kind in ("pref", "alt", "hidden"):
            for cid, c in enumerate(self.concepts):
                for _lang, k, label in c.all_labels():
                    if k == kind:
                        lookup.setdefault(fold(label), cid)
        self._lookup_table = lookup

    @property
    def _lookup(self) -> dict[str, int]:
        if self._lookup_table is None:
            self._build_lookup()
        return self._lookup_table  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.concepts)

    def id_of_uri(self, uri: str) -> int | None:
        """Integer id of the concept with exactly this URI, or None: what bundled per-concept data needs,
        without folding every label as ``resolve`` does on first use."""
        if self._uri_table is None:
            self._uri_table = {c.uri: cid for cid, c in reversed(list(enumerate(self.concepts)))}
        return self._uri_table.get(uri)

    def resolve(self, label_or_uri: str) -> int | None:
        """Integer id of the concept with this URI, notation or label in any language, or None."""
        key = label_or_uri.strip()
        if key.startswith("<") and key.endswith(">"):
            key = key[1:-1]
        cid = self._lookup.get(key)
        if cid is None:
            cid = self._lookup.get(fold(key))
        return cid

    def add(self, label: str, language: str | None = None) -> int:
        """Add a concept known only by a label (``--on-unknown add``); returns its id."""
        lang = language or self.default_language
        cid = len(self.concepts)
        uri = f"urn:unbis:added:{hashlib.sha1(fold(label).encode()).hexdigest()[:16]}"
        self.concepts.append(Concept(uri=uri, labels={lang: label}))
        self._lookup.setdefault(uri, cid)
        self._lookup.setdefault(fold(label), cid)
        if self._uri_table is not None:
            self._uri_table.setdefault(uri, cid)
        return cid

    def label(self, cid: int, language: str | None = None) -> str:
        """Preferred label in ``language``, falling back to the default language, then any."""
        labels = self.concepts[cid].labels
        lang = language or self.default_language
        return labels.get(lang) or labels.get(self.default_language) or next(iter(labels.values()), "")

    def uri(self, cid: int) -> str:
        return self.concepts[cid].uri

    @property
    def languages(self) -> list[str]:
        langs: set[str] = set()
        for c in self.concepts:
            langs.update(c.labels)
        return sorted(langs)

    def search(self, query: str, language: str | None = None, limit: int = 20) -> list[int]:
        """Concepts whose labels contain the query (folded), prefix matches first."""
        q = fold(query)
        if not q:
            return []
        prefix: list[int] = []
        infix: list[int] = []
        for cid, c in enumerate(self.concepts):
            best = None
            for lang, _kind, label in c.all_labels():
                if language and lang != language:
                    continue
                f = fold(label)
                if f.startswith(q):
                    best = "prefix"
                    break
                if q in f:
                    best = "infix"
            if best == "prefix":
                prefix.append(cid)
            elif best == "infix":
                infix.append(cid)
        return (prefix + infix)[:limit]

    def group_path(self, cid: int) -> list[list[str]]:
        """For each group of the concept, its chain of codes from the top (domain) down."""
        paths = []
        for code in self.concepts[cid].groups:
            chain = [code]
            seen = {code}
            while (g := self.groups.get(chain[0])) and g.parent and g.parent not in seen:
                chain.insert(0, g.parent)
                seen.add(g.parent)
            paths.append(chain)
        return paths

    # -- persistence --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        def concept(c: Concept) -> dict[str, Any]:
            d: dict[str, Any] = {"uri": c.uri, "labels": c.labels}
            for key in ("alt_labels", "hidden_labels", "notation", "broader", "narrower", "related", "groups",
                        "schemes", "types"):
                value = getattr(c, key)
                if value:
                    d[key] = value
            return d

        return {
            "format_version": VOCAB_FORMAT_VERSION,
            "name": self.name,
            "default_language": self.default_language,
            "groups": {code: {"labels": g.labels, "parent": g.parent} for code, g in self.groups.items()},
            "concepts": [concept(c) for c in self.concepts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocabulary:
        if data.get("format_version") != VOCAB_FORMAT_VERSION:
            raise VocabularyError(
                f"vocabulary format {data.get('format_version')!r} is not {VOCAB_FORMAT_VERSION}"
            )
        concepts = [Concept(**c) for c in data["concepts"]]
        groups = {
            code: Group(code=code, labels=g["labels"], parent=g.get("parent"))
            for code, g in data.get("groups", {}).items()
        }
        return cls(concepts, groups, name=data.get("name", "vocab"),
                   default_language=data.get("default_language", "en"))

    def save(self, path: Path) -> None:
        """Write as gzipped JSON (the caller makes it atomic)."""
        # mtime=0: identical content gives identical bytes.
        data = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as fh:
            fh.write(data)

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                return cls.from_dict(json.load(fh))
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise VocabularyError(f"{path}: cannot read vocabulary: {exc}") from exc

    def content_hash(self) -> str:
        """Hash of the URIs in id order: what a model's integer ids depend on."""
        h = hashlib.sha256()
        for c in self.concepts:
            h.update(c.uri.encode())
            h.update(b"\n")
        return h.hexdigest()[:16]


def concepts_with_labels(vocab: Vocabulary, ids: Iterable[int], language: str | None = None) -> list[str]:
    return [vocab.label(i, language) for i in ids]
