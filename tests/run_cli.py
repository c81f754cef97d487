"""The real console entry point, run in a subprocess as a user's shell would (shared by the CLI tests)."""

from __future__ import annotations

import subprocess
import sys


def unbis(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``unbis ARGS`` in a fresh interpreter and return what it printed and its exit status."""
    code = "from unbis.cli.main import run; run()"
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True,
                          timeout=300)
