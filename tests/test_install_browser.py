"""scripts/install-browser.sh on a machine where it cannot install (no root, no sudo): in CI it fails, so
the browser test can never be skipped silently there; elsewhere it says the browser tests will be skipped."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "scripts" / "install-browser.sh"


@pytest.fixture
def no_root(tmp_path: Path) -> dict[str, str]:
    """PATH with an `id` that says uid 1000 and a `sudo` that refuses, before the real tools."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in {"id": "echo 1000", "sudo": "exit 1"}.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, "PATH": f"{bin_dir}:{os.environ['PATH']}", "UNBIS_CHROMIUM": str(tmp_path / "no-chromium")}


def test_fails_in_ci_when_it_cannot_install(no_root: dict[str, str]) -> None:
    r = subprocess.run(["bash", str(SCRIPT)], env={**no_root, "CI": "true"}, capture_output=True, text=True)
    assert r.returncode == 1 and "cannot be skipped" in r.stderr


def test_skips_outside_ci(no_root: dict[str, str]) -> None:
    r = subprocess.run(["bash", str(SCRIPT)], env=no_root, capture_output=True, text=True)
    assert r.returncode == 0 and "will be skipped" in r.stderr
