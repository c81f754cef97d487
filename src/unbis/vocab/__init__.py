"""Vocabularies (thesauri): the subject index and its loaders."""

from unbis.vocab.subject_index import Concept, Group, Vocabulary

__all__ = ["Concept", "Group", "Vocabulary"]
