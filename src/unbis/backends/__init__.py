"""Suggestion backends: one module and one class each, found through the registry."""

from unbis.backends.base import Backend, Context
from unbis.backends.registry import backend_names, get_backend_class

__all__ = ["Backend", "Context", "backend_names", "get_backend_class"]
