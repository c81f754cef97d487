"""Indexers' decisions on suggestions (accept, reject, add), kept in SQLite for retraining."""

from unbis.feedback.store import DECISIONS, SOURCES, Decision, FeedbackStore, default_db_path

__all__ = ["DECISIONS", "SOURCES", "Decision", "FeedbackStore", "default_db_path"]
