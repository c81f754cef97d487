"""UNBIS Indexer: suggest UNBIS Thesaurus descriptors for UN documents in six languages."""

from __future__ import annotations

import functools

__all__ = ["__version__"]


@functools.cache
def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("unbis-indexer")
    except PackageNotFoundError:  # running from a source tree without install
        return "0.0.0"


def __getattr__(name: str) -> str:
    # Looked up on first use: reading the installed distributions' metadata costs about 0.1 s of
    # start-up, which `unbis --help` should not pay.
    if name == "__version__":
        return _package_version()
    raise AttributeError(f"module 'unbis' has no attribute {name!r}")
