"""Shared fixtures: small real samples under tests/data (see tests/data/PROVENANCE.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.fixture(scope="session", autouse=True)
def _private_start_up_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests (and the CLI processes they start) write the start-up cache into a temporary directory,
    never into the user's ~/.cache."""
    import os

    os.environ["UNBIS_CACHE_DIR"] = str(tmp_path_factory.mktemp("unbis-cache"))
