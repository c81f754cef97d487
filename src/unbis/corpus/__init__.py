"""Reading labelled and unlabelled document collections, streaming."""

from unbis.corpus.document import Document
from unbis.corpus.formats import FORMATS, Format
from unbis.corpus.readers import Corpus, OnUnknown, detect_format, read_documents
from unbis.corpus.report import ReadReport

__all__ = [
    "FORMATS",
    "Corpus",
    "Document",
    "Format",
    "OnUnknown",
    "ReadReport",
    "detect_format",
    "read_documents",
]
