"""Backends by name, imported lazily so that a missing optional extra only matters when used."""

from __future__ import annotations

import importlib

from unbis.backends.base import Backend
from unbis.errors import NotFoundError

# name -> (module, class, extra that provides its dependencies or None)
_BACKENDS: dict[str, tuple[str, str, str | None]] = {
    "tfidf": ("unbis.backends.tfidf", "TfidfBackend", None),
    "linear": ("unbis.backends.linear", "LinearBackend", None),
    "linear_thesaurus": ("unbis.backends.linear_thesaurus", "LinearThesaurusBackend", None),
    "knn": ("unbis.backends.knn", "KnnBackend", None),
    "omikuji": ("unbis.backends.omikuji", "OmikujiBackend", "omikuji"),
    "ensemble": ("unbis.backends.ensemble", "EnsembleBackend", None),
    "matcher": ("unbis.backends.matcher.backend", "MatcherBackend", None),
    "semantic": ("unbis.backends.semantic", "SemanticBackend", None),
    "embedding_knn": ("unbis.backends.embedding_knn", "EmbeddingKnnBackend", None),
    "zeroshot": ("unbis.backends.zeroshot", "ZeroShotBackend", None),
}


def register(name: str, module: str, cls: str, extra: str | None = None) -> None:
    """Make backend class ``cls`` of ``module`` known as ``name`` (imported on first use; ``extra``: the
    optional dependency group that provides what it needs). A pipeline member is one such line."""
    _BACKENDS[name] = (module, cls, extra)


def unregister(name: str) -> None:
    """Forget backend ``name`` (a plugin unloaded, a test's member removed)."""
    _BACKENDS.pop(name, None)


def backend_names() -> list[str]:
    return sorted(_BACKENDS)


def get_backend_class(name: str) -> type[Backend]:
    try:
        module_name, cls_name, extra = _BACKENDS[name]
    except KeyError:
        raise NotFoundError(f"unknown backend {name!r}; available: {', '.join(backend_names())}") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = f" (install the extra: pip install 'unbis-indexer[{extra}]')" if extra else ""
        raise NotFoundError(f"backend {name!r} needs a missing package: {exc.name}{hint}") from exc
    cls: type[Backend] = getattr(module, cls_name)
    return cls
