"""Writes need the API key (401 without), are refused on a public bind without one (403), stay open on loopback
without one; reads are always open. The env variable and the start-up note through a real `unbis serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from live_server import free_port, live_server
from unbis.api.app import create_app
from unbis.api.auth import WritePolicy, is_loopback

KEY = "s3cret-key"
URI = "http://metadata.un.org/thesaurus/1004700"  # REFUGEES


def writes(c: TestClient, headers: dict[str, str]) -> list[int]:
    """Status of each kind of write: a document, a decision on it, a learn call."""
    doc = c.post("/api/documents", json={"text": "refugees in camps"}, headers=headers)
    statuses = [doc.status_code]
    doc_id = doc.json().get("document_id", 1)
    statuses.append(c.post("/api/feedback", headers=headers, json={
        "document_id": doc_id, "project": "unbis", "uri": URI, "decision": "accepted"}).status_code)
    statuses.append(c.post("/v1/projects/unbis/learn", headers=headers, json=[
        {"text": "refugees", "subjects": [{"uri": URI}]}]).status_code)
    return statuses


def reads(c: TestClient) -> list[int]:
    return [c.get("/v1/projects").status_code,
            c.post("/v1/projects/unbis/suggest", data={"text": "refugees"}).status_code,
            c.post("/api/projects/unbis/suggest", data={"text": "refugees"}).status_code,
            c.get("/api/feedback").status_code, c.get("/").status_code]


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("auth") / "fb.sqlite3"
    with TestClient(create_app(None, db, api_key=KEY, host="0.0.0.0")) as c:
        yield c


def test_writes_need_the_key(keyed: TestClient) -> None:
    assert writes(keyed, {}) == [401, 401, 401]
    r = keyed.post("/api/documents", json={"text": "x"})
    assert r.headers["www-authenticate"].startswith("Bearer") and "Authorization: Bearer" in r.json()["detail"]
    assert writes(keyed, {"Authorization": "Bearer wrong"}) == [401, 401, 401]
    assert writes(keyed, {"Authorization": KEY}) == [401, 401, 401]  # the scheme is required
    assert writes(keyed, {"Authorization": f"Bearer {KEY}"}) == [201, 201, 204]


def test_reads_stay_open_with_a_key(keyed: TestClient) -> None:
    assert reads(keyed) == [200] * 5


def test_public_bind_without_key_refuses_writes(tmp_path: Path) -> None:
    with TestClient(create_app(None, tmp_path / "fb.sqlite3", host="0.0.0.0")) as c:
        assert writes(c, {}) == [403, 403, 403]
        assert "--api-key" in c.post("/api/documents", json={"text": "x"}).json()["detail"]
        assert writes(c, {"Authorization": "Bearer anything"}) == [403, 403, 403]
        assert reads(c) == [200] * 5


def test_loopback_without_key_accepts_writes(tmp_path: Path) -> None:
    with TestClient(create_app(None, tmp_path / "fb.sqlite3", host="127.0.0.1")) as c:
        assert writes(c, {}) == [201, 201, 204]


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.3.2.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_startup_notes() -> None:
    assert "403" in WritePolicy(None, loopback=False).startup_note()
    assert "Bearer" in WritePolicy("k", loopback=False).startup_note()
    assert "loopback" in WritePolicy(None, loopback=True).startup_note()


def test_serve_reads_the_key_from_the_environment(tmp_path: Path) -> None:
    """A real `unbis serve` process: $UNBIS_API_KEY protects writes, and the start-up note says so."""
    port = free_port()
    env = {**os.environ, "UNBIS_API_KEY": KEY}
    cmd = [sys.executable, "-c", "from unbis.cli.main import run; run()", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--feedback-db", str(tmp_path / "fb.sqlite3")]
    log = tmp_path / "serve.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                httpx.get(f"{url}/v1/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert httpx.post(f"{url}/api/documents", json={"text": "t"}).status_code == 401
        ok = httpx.post(f"{url}/api/documents", json={"text": "t"}, headers={"Authorization": f"Bearer {KEY}"})
        assert ok.status_code == 201
        assert "need `Authorization: Bearer" in log.read_text().replace("\n", " ")
    finally:
        proc.terminate()
        proc.wait(30)


def test_annif_client_reads_from_a_keyed_server(tmp_path: Path) -> None:
    from annif_client import AnnifClient

    app = create_app(None, tmp_path / "fb.sqlite3", api_key=KEY)
    with live_server(app) as url:
        annif = AnnifClient(api_base=f"{url}/v1/")
        assert [p["project_id"] for p in annif.projects] == ["unbis"]
        assert annif.suggest("unbis", "refugees in camps", limit=5)
        with pytest.raises(Exception, match="401"):  # annif-client raises on an error status
            annif.learn("unbis", [{"text": "refugees", "subjects": [{"uri": URI}]}])
