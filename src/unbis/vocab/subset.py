"""Parts of a vocabulary: ``--include`` / ``--exclude`` rules that keep or drop subjects.

A rule is ``KIND:VALUE`` (several values of one kind separated by ``|``, as in Annif 1.4's
``include_scheme=a|b``):

======================  ================================================================================
``domain:17``           a UNBIS domain, by code or label in any language (``domain:geographical descriptors``)
``mt:17.04.00``         a UNBIS micro-thesaurus (``microthesaurus:`` too), by code or label
``collection:URI``      a SKOS collection (a member of a member counts)
``scheme:URI``          a SKOS concept scheme (``skos:inScheme`` / ``skos:topConceptOf``)
``type:URI``            an RDF type of the concept besides ``skos:Concept``
``uri:PATTERN``         concept URIs, with shell wildcards (``uri:http://example.org/geo/*``); a value
                        without a kind is a URI pattern too, and ``*`` is every subject
======================  ================================================================================

Annif applies its rules in the order written, starting from the whole vocabulary. Here the order of
the two options cannot be told apart on a command line, so the rule is: with any ``--include``, only
subjects matched by an include are kept (Annif's ``exclude=*`` followed by the includes); then every
subject matched by an ``--exclude`` is dropped. A rule that matches nothing, or a subset left empty, is
an error naming the rule, never a silently empty result.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from unbis.errors import ParameterError
from unbis.textnorm import fold
from unbis.vocab.subject_index import Vocabulary

KINDS = ("domain", "mt", "collection", "scheme", "type", "uri")
_ALIASES = {"microthesaurus": "mt", "micro-thesaurus": "mt", "micro_thesaurus": "mt"}


@dataclass(frozen=True)
class Rule:
    kind: str
    values: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Rule:
        kind, sep, value = text.partition(":")
        kind = _ALIASES.get(kind.strip().lower(), kind.strip().lower())
        if not sep or kind not in KINDS or kind == "uri" and not value:
            if kind in ("http", "https", "urn") or not sep:
                return cls("uri", (text.strip(),))  # a bare URI pattern
            raise ParameterError(f"subject rule {text!r}: expected KIND:VALUE with KIND one of {', '.join(KINDS)}")
        values = tuple(v.strip() for v in value.split("|") if v.strip())
        if not values:
            raise ParameterError(f"subject rule {text!r}: no value after {kind}:")
        return cls(kind, values)

    def __str__(self) -> str:
        return f"{self.kind}:{'|'.join(self.values)}"


@dataclass(frozen=True)
class SubjectFilter:
    """The ``--include`` and ``--exclude`` rules of a project or a request."""

    include: tuple[Rule, ...] = ()
    exclude: tuple[Rule, ...] = ()
    _cache: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> SubjectFilter:
        return cls(tuple(Rule.parse(r) for r in include), tuple(Rule.parse(r) for r in exclude))

    @classmethod
    def from_json(cls, data: dict[str, list[str]] | None) -> SubjectFilter:
        data = data or {}
        return cls.parse(data.get("include", []), data.get("exclude", []))

    def to_json(self) -> dict[str, list[str]]:
        return {"include": [str(r) for r in self.include], "exclude": [str(r) for r in self.exclude]}

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def __and__(self, other: SubjectFilter) -> SubjectFilter:
        """Both filters at once (a project's own rules and a request's)."""
        return SubjectFilter(self.include + other.include, self.exclude + other.exclude)

    def mask(self, vocab: Vocabulary) -> np.ndarray:
        """A bool array over subject ids: True for the subjects kept."""
        key = vocab.content_hash()
        if key in self._cache:
            return self._cache[key]
        n = len(vocab)
        keep = np.zeros(n, dtype=bool) if self.include else np.ones(n, dtype=bool)
        for rule in self.include:
            keep |= matches(vocab, rule)
        for rule in self.exclude:
            keep &= ~matches(vocab, rule)
        if not keep.any():
            raise ParameterError(f"the subject rules {self.to_json()} leave no subject of vocabulary {vocab.name!r}")
        self._cache[key] = keep
        return keep


def _groups(vocab: Vocabulary, rule: Rule, want_domain: bool | None) -> set[str]:
    """Group codes named by the rule's values (by code or by a label in any language)."""
    found: set[str] = set()
    for value in rule.values:
        folded = fold(value)
        hits = {code for code, g in vocab.groups.items()
                if (want_domain is None or (g.parent is None) == want_domain)
                and (code == value or folded in {fold(label) for label in g.labels.values()})}
        if not hits:
            kinds = [c for c, g in vocab.groups.items() if want_domain is None or (g.parent is None) == want_domain]
            shown = ", ".join(f"{c} ({vocab.groups[c].labels.get(vocab.default_language, '')})" for c in kinds[:20])
            raise ParameterError(f"subject rule {rule}: no {rule.kind} {value!r} in vocabulary {vocab.name!r}"
                                 + (f"; it has: {shown}{', ...' if len(kinds) > 20 else ''}" if kinds else
                                    f"; it has no {rule.kind}s"))
        found |= hits
    # a group's sub-groups belong to it (a micro-thesaurus to its domain, a nested collection to its parent)
    changed = True
    while changed:
        more = {code for code, g in vocab.groups.items() if g.parent in found} - found
        found |= more
        changed = bool(more)
    return found


def matches(vocab: Vocabulary, rule: Rule) -> np.ndarray:
    """A bool array over subject ids: the subjects the rule names; a rule naming nothing is an error."""
    concepts = vocab.concepts
    if rule.kind in ("domain", "mt", "collection"):
        codes = _groups(vocab, rule, {"domain": True, "mt": False, "collection": None}[rule.kind])
        hit = np.fromiter((any(g in codes for g in c.groups) for c in concepts), dtype=bool, count=len(concepts))
    elif rule.kind in ("scheme", "type"):
        wanted = set(rule.values)
        attr = "schemes" if rule.kind == "scheme" else "types"
        hit = np.fromiter((bool(wanted & set(getattr(c, attr))) for c in concepts), dtype=bool, count=len(concepts))
    else:
        hit = np.fromiter((any(fnmatch.fnmatchcase(c.uri, p) for p in rule.values) for c in concepts), dtype=bool,
                          count=len(concepts))
    if not hit.any():
        raise ParameterError(f"subject rule {rule} matches no subject of vocabulary {vocab.name!r}")
    return hit
