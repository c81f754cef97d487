"""Project and concept objects as the JSON shapes of the API (no logic beyond formatting)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from unbis.api.registry import BUNDLED_ID, Loaded
from unbis.errors import InputError
from unbis.project import Project
from unbis.vocab.subject_index import Vocabulary


def vocab_info(vocab: Vocabulary) -> dict[str, Any]:
    return {"vocab_id": vocab.name, "languages": vocab.languages, "size": len(vocab), "loaded": True}


def modification_time(project: Project, version: str) -> str | None:
    if project.path is None:
        return None
    version_dir = project.path / "versions" / version
    if not version_dir.exists():
        return None
    stamp = datetime.fromtimestamp(version_dir.stat().st_mtime, UTC)
    return stamp.isoformat(timespec="seconds").replace("+00:00", "Z")


def annif_project(project_id: str, loaded: Loaded) -> dict[str, Any]:
    """Annif's ``Project`` schema."""
    p = loaded.project
    return {
        "project_id": project_id,
        "name": "UNBIS Thesaurus (bundled, zero-shot)" if project_id == BUNDLED_ID else p.config.name,
        "language": p.config.language,
        "backend": {"backend_id": p.config.backend},
        "vocab": vocab_info(p.vocab),
        "vocab_language": p.vocab.default_language,
        "is_trained": True,
        "modification_time": modification_time(p, loaded.version),
    }


def project_detail(project_id: str, loaded: Loaded) -> dict[str, Any]:
    p = loaded.project
    return {
        "id": project_id,
        "name": annif_project(project_id, loaded)["name"],
        "backend": p.config.backend,
        "language": p.config.language,
        "version": loaded.version,
        "vocab": p.vocab.name,
        "vocab_size": len(p.vocab),
        "languages": p.vocab.languages,
        "limit": p.config.limit,
        "threshold": p.config.threshold,
        "bundled": project_id == BUNDLED_ID,
    }


def paths(vocab: Vocabulary, cid: int) -> list[list[dict[str, Any]]]:
    """Domain -> micro-thesaurus chains, each group with its labels in every language."""
    return [
        [{"code": code, "labels": dict(vocab.groups[code].labels) if code in vocab.groups else {}}
         for code in chain]
        for chain in vocab.group_path(cid)
    ]


def concept(vocab: Vocabulary, cid: int, language: str | None) -> dict[str, Any]:
    return {"uri": vocab.uri(cid), "label": vocab.label(cid, language),
            "labels": dict(vocab.concepts[cid].labels), "paths": paths(vocab, cid)}


def check_label_language(vocab: Vocabulary, language: str | None) -> str | None:
    """``None`` or a language the vocabulary has labels in; anything else is a 400."""
    if language is None or language == "":
        return None
    lang = language.lower()
    if lang not in vocab.languages:
        raise InputError(f"language {language!r} is not supported by vocabulary {vocab.name!r}; "
                         f"choose one of {', '.join(vocab.languages)}")
    return lang
