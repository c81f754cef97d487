"""Crash safety with real SIGKILLs: a child `unbis train` killed while fitting, while saving, right after the
version rename and right after the `current` swap leaves the previous model loading and the new one whole or
absent; feedback answered with 201 survives kill -9 of a real uvicorn server."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from live_server import free_port
from unbis import service
from unbis.feedback import FeedbackStore
from unbis.project import Project
from unbis.project.atomic import current_version, publish

EURLEX = Path(__file__).parent / "data" / "corpus" / "eurlex-en"
VOCAB = str(EURLEX / "eurovoc-vocab.tsv")

# The child is the real CLI. For the points inside the save, it picks the moment by wrapping one of our
# functions and killing itself there with SIGKILL (no cleanup, no atexit, exactly like kill -9); for the
# fit, the parent kills the whole process group from outside once the fit has begun.
CHILD = r"""
import os, pathlib, signal, sys
point, marker = sys.argv[1], pathlib.Path(sys.argv[2])
sys.argv = ["unbis", *sys.argv[3:]]
import unbis.project.atomic as atomic
from unbis.backends.base import Backend
from unbis.project import manifest

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if point == "fitting":
    fit = Backend.fit
    def marked_fit(self, docs):
        marker.write_text("fitting")
        return fit(self, docs)
    Backend.fit = marked_fit
elif point == "saving":  # the model files are written, the manifest not yet
    manifest.Manifest.save = lambda self, directory: die()
elif point == "renamed":  # versions/<id> renamed into place, `current` not yet swapped
    atomic.publish = lambda project_dir, version_dir: die()
elif point == "published":  # `current` swapped, old versions not yet pruned, process not yet done
    publish = atomic.publish
    def publish_and_die(project_dir, version_dir):
        publish(project_dir, version_dir)
        die()
    atomic.publish = publish_and_die
from unbis.cli.main import run
run()
"""


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("durable") / "eurlex"
    service.train(project, [EURLEX / "train"], vocab_spec=VOCAB, language="en", backend="tfidf")
    return project


def versions_load_whole(project: Path, tmp: Path) -> list[str]:
    """Load every published-or-renamed version (not staging leftovers) on its own; return their names."""
    names = []
    for version in sorted((project / "versions").iterdir()):
        if version.name.startswith("."):
            continue
        copy = tmp / f"check-{version.name}"
        shutil.copytree(project, copy, symlinks=True)
        publish(copy, copy / "versions" / version.name)
        loaded = Project.load(copy)
        assert loaded.suggest(["fisheries agreement with ACP countries"], limit=3)[0]
        names.append(version.name)
    return names


@pytest.mark.parametrize("point", ["fitting", "saving", "renamed", "published"])
def test_sigkill_of_train_leaves_a_loadable_model(previous: Path, tmp_path: Path, point: str) -> None:
    project = tmp_path / "eurlex"
    shutil.copytree(previous, project, symlinks=True)
    before = current_version(project).name  # type: ignore[union-attr]
    time.sleep(1.05)  # version names carry the second: the new one must sort after
    marker = tmp_path / "marker"
    cmd = [sys.executable, "-c", CHILD, point, str(marker), "train", str(project), str(EURLEX / "validation"),
           "--vocab", VOCAB, "--language", "en", "--backend", "tfidf"]
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    if point == "fitting":
        deadline = time.monotonic() + 120
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        assert marker.exists(), child.stderr.read().decode() if child.stderr else ""
        os.killpg(child.pid, signal.SIGKILL)  # the CLI and any worker it forked
    child.wait(120)
    assert child.returncode == -signal.SIGKILL, child.stderr.read().decode() if child.stderr else ""

    staging = [p.name for p in (project / "versions").iterdir() if p.name.startswith(".staging")]
    whole = versions_load_whole(project, tmp_path)
    after = Project.load(project).version
    if point == "fitting":
        assert after == before and whole == [before] and not staging  # killed before anything was written
    elif point == "saving":
        assert after == before and whole == [before] and len(staging) == 1  # a leftover, never loaded
    elif point == "renamed":
        assert after == before and len(whole) == 2 and whole[0] == before  # the new one is whole, unpublished
    else:
        assert after != before and whole == [before, after]

    service.train(project, [EURLEX / "validation"], vocab_spec=VOCAB, language="en", backend="tfidf")
    assert Project.load(project).version not in (before, after)  # a later train is not disturbed


def test_feedback_survives_kill_9_of_the_server(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-c", "from unbis.cli.main import run; run()", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--feedback-db", str(db)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                httpx.get(f"{url}/v1/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        uri = httpx.get(f"{url}/api/projects/unbis/concepts", params={"q": "refugees"}).json()[0]["uri"]
        answered = []
        for i in range(20):
            doc = httpx.post(f"{url}/api/documents", json={"text": f"document {i} on refugees"})
            assert doc.status_code == 201
            r = httpx.post(f"{url}/api/feedback", json={"document_id": doc.json()["document_id"],
                                                         "project": "unbis", "uri": uri, "decision": "accepted"})
            assert r.status_code == 201
            answered.append(r.json()["id"])
        os.killpg(server.pid, signal.SIGKILL)  # right after the last 201
        server.wait(30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(30)
    assert [d.id for d in FeedbackStore(db).decisions("unbis")] == answered
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_feedback_connections_sync_fully(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with store._connect() as db:
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: the WAL is synced at every commit
