"""Exceptions that front ends turn into clear messages (CLI exit codes, HTTP statuses)."""


class UnbisError(Exception):
    """Base class for every error this package raises on purpose."""


class InputError(UnbisError):
    """Bad user input: a malformed file, an unknown label, an empty text."""


class VocabularyError(UnbisError):
    """A vocabulary file that cannot be read or is inconsistent."""


class NotFittedError(UnbisError):
    """A backend or project was used before it was trained."""


class IncompatibleModelError(UnbisError):
    """A saved model written by another format version or for another vocabulary: retrain it."""


class ParameterError(UnbisError):
    """A hyperparameter that is unknown, of the wrong type or out of range."""


class NotFoundError(UnbisError):
    """A project, backend or subject that does not exist."""


class UnservableDocumentError(InputError):
    """A document in a language that the project cannot index (its vocabulary has no labels in it and no
    member of the project reads it): said, never answered with an empty list."""
