"""The stages of the default pipeline (``backends/ensemble.py`` wires them): members, evidence,
candidates, candidate features; the ranker is ``unbis.learning.ranker``."""
