"""One entry point that turns a ``--vocab`` value into a :class:`Vocabulary`."""

from __future__ import annotations

from pathlib import Path

from unbis.errors import VocabularyError
from unbis.vocab.csv import load_csv
from unbis.vocab.skos import SKOS_FORMATS, load_skos
from unbis.vocab.subject_index import Vocabulary
from unbis.vocab.tsv import load_tsv
from unbis.vocab.unbis import load_unbis

BUNDLED_NAMES = ("unbis",)


def load_vocabulary(spec: str | Path | None, language: str = "en") -> Vocabulary:
    """Load a vocabulary by name or path.

    ``None`` or ``"unbis"``: the bundled UNBIS Thesaurus (a shared cached instance: don't modify it);
    ``.ttl/.rdf/.xml/.owl/.nt/.jsonld``: SKOS; ``.tsv``: Annif TSV with labels in ``language``;
    ``.csv``: multilingual CSV; ``.json.gz``: a saved :class:`Vocabulary`.
    """
    if spec is None or (isinstance(spec, str) and spec.strip().lower() in BUNDLED_NAMES):
        return load_unbis()
    path = Path(spec).expanduser()
    if not path.is_file():
        raise VocabularyError(f"{path}: no such vocabulary file (or use 'unbis' for the bundled thesaurus)")
    name = path.name.lower()
    if name.endswith(".json.gz"):
        return Vocabulary.load(path)
    suffix = path.suffix.lower()
    if suffix == ".tsv":
        return load_tsv(path, language)
    if suffix == ".csv":
        return load_csv(path, language)
    if suffix in SKOS_FORMATS:
        return load_skos(path, language)
    raise VocabularyError(
        f"{path}: unknown vocabulary format; use .tsv, .csv, .json.gz or SKOS ({', '.join(SKOS_FORMATS)})"
    )
