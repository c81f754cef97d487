"""Hot reload never blocks: while a new version loads (held open here by a gate around the real
``Project.load``), concurrent HTTP requests are answered by the old model at once; a version that fails to
load is tried once, logged once and retried only when ``current`` moves on."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from live_server import live_server
from unbis import service
from unbis.api.app import create_app
from unbis.api.registry import ProjectRegistry
from unbis.project import Project
from unbis.project.atomic import current_version, publish

EURLEX = Path(__file__).parent / "data" / "corpus" / "eurlex-en"
TEXT = "cooperation with ACP countries on fisheries and customs duties"


def train(project_dir: Path, corpus: Path) -> str:
    service.train(project_dir, [corpus], vocab_spec=str(EURLEX / "eurovoc-vocab.tsv"), language="en",
                  backend="tfidf")
    return current_version(project_dir).name  # type: ignore[union-attr]


class GatedLoader:
    """The real loader; while ``gate`` is clear, loads of any version but the first wait on it."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.calls: list[str] = []

    def __call__(self, path: Path) -> Project:
        self.calls.append(current_version(path).name)  # type: ignore[union-attr]
        assert self.gate.wait(120), "the gate was never opened"
        return Project.load(path)


def test_requests_during_a_reload_never_wait(tmp_path: Path) -> None:
    first = train(tmp_path / "eurlex", EURLEX / "train")
    loader = GatedLoader()
    app = create_app(tmp_path, tmp_path / "fb.sqlite3")
    registry = app.state.unbis.registry = ProjectRegistry(tmp_path, loader=loader)
    with live_server(app) as url:
        assert httpx.post(f"{url}/api/projects/eurlex/suggest", data={"text": TEXT}).json()["model_version"] == first
        time.sleep(1.1)  # version names carry a timestamp to the second
        second = train(tmp_path / "eurlex", EURLEX / "validation")
        loader.gate.clear()  # the new version's load now hangs until we open the gate

        def request(i: int) -> tuple[int, str, float]:
            started = time.perf_counter()
            if i % 2:
                r = httpx.post(f"{url}/api/projects/eurlex/suggest", data={"text": TEXT}, timeout=15)
                version = r.json().get("model_version", "")
            else:
                r = httpx.post(f"{url}/v1/projects/eurlex/suggest", data={"text": TEXT}, timeout=15)
                version = first if r.status_code == 200 else ""
            return r.status_code, version, time.perf_counter() - started

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(request, range(80)))
        loader.gate.set()
        registry.wait_for_reloads()
        slowest = max(seconds for _, _, seconds in answers)
        assert [(status, version) for status, version, _ in answers] == [(200, first)] * 80
        assert slowest < 10, f"a request waited {slowest:.1f} s: it waited for the load"  # the load never ended
        assert loader.calls == [first, second]  # one background load, not one per request
        body = httpx.post(f"{url}/api/projects/eurlex/suggest", data={"text": TEXT}).json()
        assert body["model_version"] == second


def test_a_failed_version_is_tried_once_and_retried_when_current_moves(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    project = tmp_path / "eurlex"
    good = train(project, EURLEX / "train")
    loader = GatedLoader()
    registry = ProjectRegistry(tmp_path, loader=loader)
    assert registry.get("eurlex").version == good
    versions = project / "versions"
    shutil.copytree(versions / good, versions / "99990101T000000-broken")
    (versions / "99990101T000000-broken" / "manifest.json").write_text("{not json", "utf-8")
    publish(project, versions / "99990101T000000-broken")
    with caplog.at_level(logging.WARNING, logger="unbis.api"):
        for _ in range(30):
            assert registry.get("eurlex").version == good  # the old model keeps answering
            registry.wait_for_reloads()
    assert loader.calls == [good, "99990101T000000-broken"]
    warnings = [r for r in caplog.records if "99990101T000000-broken" in r.getMessage()]
    assert len(warnings) == 1 and f"keeping version {good}" in warnings[0].getMessage()

    shutil.copytree(versions / good, versions / "99990102T000000-fixed")
    publish(project, versions / "99990102T000000-fixed")
    registry.get("eurlex")
    registry.wait_for_reloads()
    assert registry.get("eurlex").version == "99990102T000000-fixed"
    assert loader.calls[-1] == "99990102T000000-fixed"


def test_a_project_that_never_loaded_is_503_once_per_version(tmp_path: Path) -> None:
    project = tmp_path / "eurlex"
    good = train(project, EURLEX / "train")
    (project / "versions" / good / "manifest.json").write_text("{not json", "utf-8")
    loader = GatedLoader()
    registry = ProjectRegistry(tmp_path, loader=loader)
    for _ in range(5):
        with pytest.raises(Exception, match="cannot be loaded"):
            registry.get("eurlex")
    assert loader.calls == [good]
