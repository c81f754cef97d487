"""What a project is, read from its files without loading its model: for ``unbis projects`` / ``show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from unbis.errors import IncompatibleModelError, NotFoundError
from unbis.project.atomic import VERSIONS, current_version
from unbis.project.manifest import Manifest

CONFIG = "project.json"
EVALUATION = "evaluation.json"


def _json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def describe(project_dir: Path) -> dict[str, Any]:
    """One project's id, backend, languages, vocabulary, version, training date and size, and the figures
    of its last evaluation (``None`` when never evaluated). A project that cannot be read gets ``error``."""
    if not project_dir.is_dir():
        raise NotFoundError(f"no project at {project_dir}")
    info: dict[str, Any] = {"id": project_dir.name, "path": str(project_dir)}
    version = current_version(project_dir)
    if version is None:
        return {**info, "error": "no trained model (run `unbis train`)"}
    info["version"] = version.name
    try:
        manifest = Manifest.load(version)
    except IncompatibleModelError as exc:
        return {**info, "error": str(exc)}
    config = _json(version / CONFIG) or {}
    training = manifest.training or {}
    vocab_note = training.get("vocabulary")
    info.update(
        backend=manifest.backend,
        language=manifest.language,
        # the languages its documents may be in, as training recorded them (older projects: the vocabulary's)
        languages=config.get("languages") or _label_languages(version),
        vocabulary={"size": manifest.vocab_size, "hash": manifest.vocab_hash, "source": vocab_note},
        trained=manifest.created,
        package_version=manifest.package_version,
        format_version=manifest.format_version,
        train_seconds=training.get("train_seconds"),
        corpus=training.get("corpus"),
        limit=config.get("limit"),
        threshold=config.get("threshold"),
        params=manifest.params,
        versions=sorted(p.name for p in (project_dir / VERSIONS).iterdir()
                        if p.is_dir() and not p.name.startswith(".")),
        evaluation=_json(version / EVALUATION),
    )
    return info


def _label_languages(version: Path) -> list[str] | None:
    """The languages the vocabulary has labels in (reads the vocabulary file: ~50 ms for UNBIS)."""
    from unbis.errors import VocabularyError
    from unbis.vocab.subject_index import Vocabulary

    try:
        return Vocabulary.load(version / "vocab.json.gz").languages
    except VocabularyError:
        return None


def list_projects(projects_dir: Path) -> list[dict[str, Any]]:
    """Every project directly under ``projects_dir`` (a directory with a ``current`` link or ``versions/``)."""
    if not projects_dir.is_dir():
        raise NotFoundError(f"{projects_dir}: not a directory")
    found = sorted(p for p in projects_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
                   and ((p / "current").exists() or (p / VERSIONS).is_dir()))
    return [describe(p) for p in found]


def describe_bundled() -> dict[str, Any]:
    """The bundled zero-shot UNBIS project (always served as ``unbis``)."""
    from unbis.project.project import bundled_backend
    from unbis.vocab.unbis import load_unbis

    vocab = load_unbis()
    return {"id": "unbis", "path": None, "version": "bundled", "backend": bundled_backend(), "language": "auto",
            "languages": vocab.languages, "vocabulary": {"size": len(vocab), "hash": vocab.content_hash(),
                                                         "source": "bundled UNBIS Thesaurus"},
            "trained": None, "evaluation": None}
