"""Reading labelled and unlabelled document collections, streaming."""

from unbis.corpus.document import Document

__all__ = ["Document"]
