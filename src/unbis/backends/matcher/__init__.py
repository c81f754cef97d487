"""The thesaurus ``matcher`` backend (see :mod:`unbis.backends.matcher.backend`)."""
