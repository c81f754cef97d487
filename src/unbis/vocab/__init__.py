"""Vocabularies (thesauri): the subject index and its loaders."""

from unbis.vocab.csv import load_csv
from unbis.vocab.derived import mint_uri, vocab_from_labels
from unbis.vocab.loaders import load_vocabulary
from unbis.vocab.skos import load_skos
from unbis.vocab.subject_index import Concept, Group, Vocabulary
from unbis.vocab.tsv import load_tsv
from unbis.vocab.unbis import add_alt_labels, build_unbis, load_unbis, normalise_group_code

__all__ = ["Concept", "Group", "Vocabulary"]
__all__ += [
    "add_alt_labels",
    "build_unbis",
    "load_csv",
    "load_skos",
    "load_tsv",
    "load_unbis",
    "load_vocabulary",
    "mint_uri",
    "normalise_group_code",
    "vocab_from_labels",
]
