"""UNBIS Indexer: suggest UNBIS Thesaurus descriptors for UN documents in six languages."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("unbis-indexer")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
