"""Shared fixtures: small real samples under tests/data (see tests/data/PROVENANCE.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unbis.corpus.document import Document
from unbis.corpus.readers import read_documents
from unbis.vocab.loaders import load_vocabulary
from unbis.vocab.subject_index import Vocabulary

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"


@pytest.fixture(scope="session")
def eurlex_train() -> Path:
    return CORPUS / "eurlex-en" / "train"


@pytest.fixture(scope="session")
def eurlex_validation() -> Path:
    return CORPUS / "eurlex-en" / "validation"


@pytest.fixture(scope="session")
def eurlex_vocab() -> Path:
    return CORPUS / "eurlex-en" / "eurovoc-vocab.tsv"


@pytest.fixture(scope="session")
def seed_doc() -> Path:
    return next((CORPUS / "seed").glob("*.txt"))


@pytest.fixture(scope="session")
def sdg_vocab() -> Vocabulary:
    """The 17 SDGs as a TSV vocabulary (English labels)."""
    return load_vocabulary(str(DATA / "backends" / "sdg-vocab.tsv"), language="en")


@pytest.fixture(scope="session")
def sdg_docs(sdg_vocab: Vocabulary) -> list[Document]:
    """240 labelled UN General Assembly paragraphs (SDG goals)."""
    return [d for d in read_documents([DATA / "backends" / "sdg"], sdg_vocab, language="en") if d.subjects]
@pytest.fixture(scope="session", autouse=True)
def _private_start_up_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests (and the CLI processes they start) write the start-up cache into a temporary directory,
    never into the user's ~/.cache."""
    import os

    os.environ["UNBIS_CACHE_DIR"] = str(tmp_path_factory.mktemp("unbis-cache"))
