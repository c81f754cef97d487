"""The bundled UNBIS Thesaurus: building it from the scraped sources, loading it, optional alt labels.

Conventions (they are what the bundled ``unbis.json.gz`` contains):

- Concepts are the *descriptors* only: the numeric ids (``1000000``… and ``2000002``) and the newer
  ``c_…`` concepts, ordered by their identifier string, so integer ids are stable between builds.
  URIs are ``http://metadata.un.org/thesaurus/<ID>``.
- Micro-thesauri and domains are :class:`Group` s, never concepts. Group codes use one canonical dotted
  form: domains ``"04"``, micro-thesauri ``"04.02.02"`` (the form of ``categories/`` and the hierarchy);
  the 6-digit form ``040202`` found in ``related`` lists is converted with :func:`normalise_group_code`.
  A micro-thesaurus's ``parent`` is its domain code.
- The remaining entries of a topic's ``related`` list (other descriptors) are untyped in the source, but
  all 4,909 run one way, form no cycle and read as broader terms (SUBMARINES -> SHIPS, ORGANIZED CRIME ->
  CRIME), so they are stored as ``broader`` with the inverse ``narrower`` filled in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from unbis.errors import VocabularyError
from unbis.textnorm import fold
from unbis.vocab.subject_index import Concept, Group, Vocabulary

UNBIS_BASE_URI = "http://metadata.un.org/thesaurus/"
UNBIS_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
#: file name of the bundled thesaurus inside the ``unbis.data`` package
BUNDLED_FILE = "unbis.json.gz"

_SIX_DIGITS = re.compile(r"\d{6}")
_DOTTED = re.compile(r"\d{2}\.\d{2}\.\d{2}")
_DOMAIN = re.compile(r"\d{2}")
# Alt-label file URIs: http://metadata.un.org/thesaurus#1000003 (older '#' form) or '/'-form.
_ALT_URI = re.compile(r"^<?https?://metadata\.un\.org/thesaurus[#/](?P<id>[^>\s]+)>?$")
# Script every language's labels should be written in: a label without it was filed under the wrong language.
_SCRIPT_OF = {"ar": "ARABIC", "zh": "CJK", "ru": "CYRILLIC"}


def normalise_group_code(code: str) -> str:
    """Canonical group code: ``"040202"`` or ``"04.02.02"`` -> ``"04.02.02"``; a domain stays ``"04"``."""
    code = code.strip()
    if _SIX_DIGITS.fullmatch(code):
        return f"{code[0:2]}.{code[2:4]}.{code[4:6]}"
    if _DOTTED.fullmatch(code) or _DOMAIN.fullmatch(code):
        return code
    raise VocabularyError(f"not a UNBIS domain or micro-thesaurus code: {code!r}")


def _clean(label: str) -> str:
    # The source has stray leading spaces and doubled inner spaces (22 labels): collapse them.
    return " ".join(label.split())


def _scripts(text: str) -> set[str]:
    return {unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha()}


def _fix_misfiled(labels: dict[str, str]) -> list[str]:
    """Move a label written in another language's script into that language's empty slot.

    The source files one Russian label under ``zh`` (SLOVENES: zh=СЛОВЕНЦЫ, no ru). Returns notes.
    """
    notes = []
    for lang, label in list(labels.items()):
        want = _SCRIPT_OF.get(lang)
        scripts = _scripts(label)
        if want is None or want in scripts:
            continue
        for other, script in _SCRIPT_OF.items():
            if other != lang and script in scripts and other not in labels:
                labels[other] = labels.pop(lang)
                notes.append(f"moved {lang} label {label!r} to {other}")
                break
    return notes


def _read_json_objects(path: Path) -> list[Any]:
    """Read a file of one JSON array or of JSON values written one after another (``categories/``)."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return values
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise VocabularyError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
        values.append(value)


def _category_labels(path: Path) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value in _read_json_objects(path):
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, dict) or "text" not in item or "language" not in item:
                raise VocabularyError(f"{path}: expected objects with 'text' and 'language', got {item!r}")
            labels[item["language"]] = _clean(item["text"])
    return labels


@dataclass
class BuildReport:
    """What :func:`build_unbis` found in the source data (printed by the build script)."""

    descriptors: int = 0
    micro_thesauri: int = 0
    domains: int = 0
    related_links: int = 0
    without_group: list[str] = field(default_factory=list)
    incomplete_languages: dict[str, list[str]] = field(default_factory=dict)  # id -> missing languages
    notes: list[str] = field(default_factory=list)


def build_unbis(source: Path) -> tuple[Vocabulary, BuildReport]:
    """Build the UNBIS vocabulary from a directory holding ``unbis-topics.json`` and ``categories/``."""
    topics_path = source / "unbis-topics.json"
    try:
        topics = json.loads(topics_path.read_text(encoding="utf-8"))["topics"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise VocabularyError(f"{topics_path}: cannot read UNBIS topics: {exc}") from exc
    report = BuildReport()

    groups = _build_groups(source / "categories", report)
    descriptors = sorted(
        (t for t in topics if not _SIX_DIGITS.fullmatch(t["identifier"])), key=lambda t: t["identifier"]
    )
    index = {t["identifier"]: cid for cid, t in enumerate(descriptors)}
    concepts: list[Concept] = []
    for topic in descriptors:
        ident = topic["identifier"]
        labels = {lang: _clean(v) for lang, v in topic["labels"].items() if v and v.strip()}
        report.notes.extend(f"{ident}: {n}" for n in _fix_misfiled(labels))
        missing = [lang for lang in UNBIS_LANGUAGES if lang not in labels]
        if missing:
            report.incomplete_languages[ident] = missing
        concept_groups: list[str] = []
        related: list[int] = []
        for ref in topic.get("related", []):
            if _SIX_DIGITS.fullmatch(ref):
                code = normalise_group_code(ref)
                if code not in groups:
                    report.notes.append(f"{ident}: unknown micro-thesaurus {ref}")
                    continue
                concept_groups.append(code)
            elif ref in index and ref != ident:
                related.append(index[ref])
            else:
                report.notes.append(f"{ident}: related id {ref!r} is not a descriptor")
        if not concept_groups:
            report.without_group.append(ident)
        report.related_links += len(related)
        ordered = {lang: labels[lang] for lang in UNBIS_LANGUAGES if lang in labels}
        ordered.update({lang: v for lang, v in labels.items() if lang not in ordered})
        concepts.append(
            Concept(uri=UNBIS_BASE_URI + ident, labels=ordered, broader=related, groups=concept_groups)
        )
    for cid, concept in enumerate(concepts):
        for parent in concept.broader:
            concepts[parent].narrower.append(cid)
    report.descriptors = len(concepts)
    report.domains = sum(1 for g in groups.values() if g.parent is None)
    report.micro_thesauri = len(groups) - report.domains
    return Vocabulary(concepts, groups, name="unbis", default_language="en"), report


def _build_groups(categories: Path, report: BuildReport) -> dict[str, Group]:
    """Domains (``01``) and micro-thesauri (``01.01.00``) from the one-file-per-code ``categories/``."""
    if not categories.is_dir():
        raise VocabularyError(f"{categories}: no categories directory")
    groups: dict[str, Group] = {}
    # '00' describes the thesaurus itself, not a group.
    for path in sorted(p for p in categories.iterdir() if p.name != "00"):
        code = normalise_group_code(path.name)
        parent = None if _DOMAIN.fullmatch(code) else code[:2]
        groups[code] = Group(code=code, labels=_category_labels(path), parent=parent)
    for code, group in groups.items():
        if group.parent is not None and group.parent not in groups:
            report.notes.append(f"micro-thesaurus {code} has no domain {group.parent}")
    return groups


@lru_cache(maxsize=1)
def _bundled() -> Vocabulary:
    with resources.as_file(resources.files("unbis") / "data" / BUNDLED_FILE) as path:
        if not path.exists():
            raise VocabularyError(f"{path}: bundled UNBIS vocabulary missing; run scripts/build_unbis_vocab.py")
        return Vocabulary.load(path)


def load_unbis(fresh: bool = False) -> Vocabulary:
    """The bundled UNBIS Thesaurus.

    The default returns one shared, cached instance: treat it as read-only. Pass ``fresh=True`` for a
    private copy you may change (``Vocabulary.add``, :func:`add_alt_labels`).
    """
    if fresh:
        with resources.as_file(resources.files("unbis") / "data" / BUNDLED_FILE) as path:
            return Vocabulary.load(path)
    return _bundled()


def add_alt_labels(vocab: Vocabulary, path: Path | str) -> int:
    """Attach English alternative labels from ``unbis-en-altlabels.lst`` (GPL-3.0, so never bundled).

    Lines are ``LABEL<TAB>pref_label=...<TAB>uri=http://metadata.un.org/thesaurus#ID<TAB>kind=pref|alt``.
    ``kind=alt`` labels become alt labels; a ``kind=pref`` label that is no longer the concept's preferred
    label (renamed since 2018) is kept as an alt label too. Lines for ids not in ``vocab`` (micro-thesauri)
    are skipped. Returns the number of labels added; ``vocab``'s lookup is rebuilt.
    """
    path = Path(path)
    by_id = {
        c.uri[len(UNBIS_BASE_URI):]: c for c in vocab.concepts if c.uri.startswith(UNBIS_BASE_URI)
    }
    added = 0
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise VocabularyError(f"{path}: cannot read alt labels: {exc}") from exc
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            label, *fields = line.rstrip("\r\n").split("\t")
            try:
                attrs = dict(f.split("=", 1) for f in fields)
                match = _ALT_URI.match(attrs["uri"])
                kind = attrs["kind"]
            except (ValueError, KeyError) as exc:
                raise VocabularyError(
                    f"{path}:{lineno}: expected LABEL<TAB>pref_label=..<TAB>uri=..<TAB>kind=.., got {line!r}"
                ) from exc
            if match is None or kind not in ("pref", "alt"):
                raise VocabularyError(f"{path}:{lineno}: bad uri or kind in {line!r}")
            concept = by_id.get(match["id"])
            label = _clean(label)
            if concept is None or not label:
                continue
            existing = {fold(concept.labels.get("en", ""))}
            existing.update(fold(a) for a in concept.alt_labels.get("en", []))
            if fold(label) not in existing:
                concept.alt_labels.setdefault("en", []).append(label)
                added += 1
    vocab._build_lookup()  # same package: the lookup must see the new labels
    return added
