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
