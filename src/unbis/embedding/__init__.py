"""Multilingual sentence embeddings from models shipped inside installed packages (no download at run time)."""

from unbis.embedding.base import Embedder
from unbis.embedding.registry import DEFAULT_EMBEDDER, embedder_names, get_embedder

__all__ = ["DEFAULT_EMBEDDER", "Embedder", "embedder_names", "get_embedder"]
