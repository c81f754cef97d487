"""SKOS vocabularies (Turtle, RDF/XML, N-Triples, JSON-LD) read with rdflib (the ``skos`` extra)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unbis.errors import VocabularyError
from unbis.vocab.subject_index import Concept, Group, Vocabulary

if TYPE_CHECKING:
    from rdflib import Graph

#: file extension -> rdflib parser name
SKOS_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".nt": "nt",
    ".jsonld": "json-ld",
}

_LINE_PATTERNS = (re.compile(r"at line (\d+)"), re.compile(r"line[: ]+(\d+)", re.IGNORECASE))


def _error_line(exc: BaseException) -> int | None:
    """Best-effort line number from an rdflib / SAX / JSON parse error."""
    for attr in ("lineno", "line"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    get_line = getattr(exc, "getLineNumber", None)  # xml.sax.SAXParseException
    if callable(get_line):
        line = get_line()
        return line if isinstance(line, int) else None
    for pattern in _LINE_PATTERNS:
        if match := pattern.search(str(exc)):
            return int(match.group(1))
    return None


def _nt_error_line(path: Path) -> int | None:
    """rdflib's N-Triples errors carry no line number; N-Triples is one statement a line, so retry each."""
    from rdflib import Graph

    for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n"), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                Graph().parse(data=line, format="nt")
            except Exception:
                return lineno
    return None


def _parse(path: Path) -> Graph:
    try:
        from rdflib import Graph
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise VocabularyError(f"{path}: reading SKOS needs rdflib: pip install 'unbis-indexer[skos]'") from exc
    fmt = SKOS_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise VocabularyError(f"{path}: unknown SKOS extension; use one of {', '.join(SKOS_FORMATS)}")
    graph = Graph()
    try:
        graph.parse(path, format=fmt)
    except OSError as exc:
        raise VocabularyError(f"{path}: cannot read: {exc}") from exc
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        line = _error_line(exc) if fmt != "nt" else _nt_error_line(path)
        where = f"{path}:{line}" if line is not None else str(path)
        message = " ".join(str(exc).split())
        raise VocabularyError(f"{where}: invalid {fmt}: {message}") from exc
    return graph


def _by_language(graph: Graph, subject: Any, predicate: Any, fallback: str) -> dict[str, list[str]]:
    """Literal values of ``predicate`` grouped by language tag (untagged -> ``fallback``), sorted."""
    out: dict[str, list[str]] = {}
    for obj in graph.objects(subject, predicate):
        lang = getattr(obj, "language", None) or fallback
        text = " ".join(str(obj).split())
        if text:
            out.setdefault(lang, []).append(text)
    return {lang: sorted(set(values)) for lang, values in sorted(out.items())}


def load_skos(path: Path | str, language: str = "en") -> Vocabulary:
    """Concepts (``skos:Concept``, ``owl:deprecated true`` skipped) with labels, relations and groups.

    Untagged literals count as ``language``. ``skos:Collection`` s become groups (a collection that is a
    member of another one gets it as ``parent``); a concept's groups are the collections listing it.
    Concepts are ordered by URI so integer ids do not depend on the file's statement order.
    """
    from rdflib import RDF, RDFS, SKOS, Literal, URIRef
    from rdflib.namespace import OWL

    path = Path(path)
    graph = _parse(path)

    def deprecated(node: Any) -> bool:
        return any(isinstance(o, Literal) and o.toPython() is True for o in graph.objects(node, OWL.deprecated))

    uris = sorted(
        str(s) for s in set(graph.subjects(RDF.type, SKOS.Concept)) if isinstance(s, URIRef) and not deprecated(s)
    )
    if not uris:
        raise VocabularyError(f"{path}: no (non-deprecated) skos:Concept found")
    index = {uri: cid for cid, uri in enumerate(uris)}

    groups: dict[str, Group] = {}
    members: dict[str, list[str]] = {}
    for coll in sorted(set(graph.subjects(RDF.type, SKOS.Collection)), key=str):
        code = str(coll)
        labels = {k: v[0] for k, v in _by_language(graph, coll, SKOS.prefLabel, language).items()}
        for k, v in _by_language(graph, coll, RDFS.label, language).items():
            labels.setdefault(k, v[0])
        groups[code] = Group(code=code, labels=labels)
        for member in graph.objects(coll, SKOS.member):
            members.setdefault(str(member), []).append(code)
    for code, group in groups.items():
        parents = sorted(p for p in members.get(code, []) if p in groups)
        group.parent = parents[0] if parents else None

    concepts: list[Concept] = []
    for uri in uris:
        node = URIRef(uri)
        pref = _by_language(graph, node, SKOS.prefLabel, language)
        notations = sorted(str(n) for n in graph.objects(node, SKOS.notation))

        def linked(predicate: Any, node: Any = node) -> list[int]:
            return sorted({index[str(o)] for o in graph.objects(node, predicate) if str(o) in index})

        concepts.append(
            Concept(
                uri=uri,
                labels={lang: values[0] for lang, values in pref.items()},
                alt_labels=_by_language(graph, node, SKOS.altLabel, language),
                hidden_labels=_by_language(graph, node, SKOS.hiddenLabel, language),
                notation=notations[0] if notations else None,
                broader=linked(SKOS.broader),
                narrower=linked(SKOS.narrower),
                related=linked(SKOS.related),
                groups=sorted(members.get(uri, [])),
                schemes=sorted({str(o) for p in (SKOS.inScheme, SKOS.topConceptOf) for o in graph.objects(node, p)}),
                types=sorted(str(o) for o in graph.objects(node, RDF.type) if o != SKOS.Concept),
            )
        )
    _complete_inverses(concepts)
    return Vocabulary(concepts, groups, name=path.stem, default_language=language)


def _complete_inverses(concepts: list[Concept]) -> None:
    """Make broader/narrower mutual and related symmetric: SKOS files often state only one direction."""
    for cid, concept in enumerate(concepts):
        for b in concept.broader:
            if cid not in concepts[b].narrower:
                concepts[b].narrower.append(cid)
        for n in concept.narrower:
            if cid not in concepts[n].broader:
                concepts[n].broader.append(cid)
        for r in concept.related:
            if cid not in concepts[r].related:
                concepts[r].related.append(cid)
    for concept in concepts:
        concept.broader.sort()
        concept.narrower.sort()
        concept.related.sort()
