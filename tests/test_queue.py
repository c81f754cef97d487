"""The review queue: an `unbis index` JSONL reviewed on the web page, decisions in the feedback store,
the reviewed set exported (JSON, TSV, MARC 21) and used by `unbis learn`."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from live_server import live_server
from unbis import service
from unbis.api.app import create_app
from unbis.batch import run_index
from unbis.errors import InputError
from unbis.feedback import FeedbackStore
from unbis.feedback.queue import ReviewQueue

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent.parent / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, eurlex_train: Path, eurlex_validation: Path,
        eurlex_vocab: Path) -> tuple[Path, Path]:
    """A trained project under runs/ and the JSONL of an `unbis index` run over four documents."""
    root = tmp_path_factory.mktemp("queue")
    service.train(root / "runs" / "eurlex", [eurlex_train], vocab_spec=str(eurlex_vocab), language="en",
                  backend="tfidf")
    docs = root / "docs"
    docs.mkdir()
    for p in sorted(eurlex_validation.glob("*.txt"))[:4]:
        shutil.copy(p, docs / p.name)
    out = root / "out.jsonl"
    run_index(service.open_project(root / "runs" / "eurlex"), [docs], out, limit=5, jobs=1)
    return root / "runs", out


def test_queue_reads_the_run_and_knows_its_project(run: tuple[Path, Path], tmp_path: Path) -> None:
    _runs, out = run
    queue = ReviewQueue.load("batch", out)
    assert queue.project == "eurlex" and len(queue.items) == 4
    assert queue.text(0).strip() and queue.items[0].suggestions
    old = tmp_path / "old.jsonl"  # a line without source (an older run): skipped and counted
    lines = out.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    del first["source"]
    old.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    partial = ReviewQueue.load("old", old, project="eurlex")
    assert len(partial.items) == 3 and sum(partial.skipped.values()) == 1
    (tmp_path / "bad.jsonl").write_text('{"document": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl:1"):
        ReviewQueue.load("bad", tmp_path / "bad.jsonl")


def test_feedback_for_an_unknown_queue_is_refused(run: tuple[Path, Path], tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    runs, out = run
    client = TestClient(create_app(runs, tmp_path / "fb.sqlite3", queues={"batch": out}))
    item = client.get("/api/queues/batch/items/0").json()
    assert item["text"] and item["suggestions"] and item["total"] == 4
    doc = client.post("/api/documents", json={"text": item["text"], "name": item["document"]}).json()
    body = {"document_id": doc["document_id"], "project": "eurlex", "uri": item["suggestions"][0]["uri"],
            "decision": "accepted", "queue": "nope"}
    assert client.post("/api/feedback", json=body).status_code == 400
    assert client.post("/api/feedback", json={**body, "queue": "batch"}).status_code == 201
    assert client.get("/api/queues/batch").json()["reviewed"] == 1
    assert client.get("/api/queues/batch/export", params={"format": "xml"}).status_code == 400
    assert client.get("/api/queues/nope").status_code == 404


@pytest.fixture
def server(run: tuple[Path, Path], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    runs, out = run
    db = tmp_path / "feedback.sqlite3"
    app = create_app(runs, db, queues={"batch1": out})
    app.state.unbis.registry.get("eurlex")
    with live_server(app) as url:
        yield url, db


@pytest.mark.browser
# In CI the browser test never skips: a missing browser fails it (scripts/install-browser.sh fails first).
@pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("CI") != "true",
                    reason="Debian chromium not installed (run scripts/install-browser.sh)")
def test_review_three_documents_with_the_keyboard(server: tuple[str, Path], run: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, db = server
    runs, out = run
    queue = ReviewQueue.load("batch1", out)
    vocab = service.open_project(runs / "eurlex").vocab
    suggested = {s["uri"] for it in queue.items for s in it.suggestions}

    def first_hit(i: int) -> str:
        hits = httpx.get(f"{url}/api/projects/eurlex/concepts", params={"q": vocab.label(i)}).json()
        return str(hits[0]["uri"]) if hits else ""

    # a descriptor to add: not suggested, and the first match of its own label
    extra = next(i for i in range(len(vocab)) if vocab.uri(i) not in suggested and first_hit(i) == vocab.uri(i))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/queue/batch1")
            expect(page.locator("body")).to_have_attribute("data-ready", "1", timeout=20_000)
            expect(page.locator("#progress")).to_have_text("0 of 4 reviewed")
            expect(page.locator("#doc-name")).to_have_text(queue.items[0].document)
            # document 1: accept the first suggestion, Enter: the rest rejected, next document
            page.keyboard.press("a")
            expect(page.locator(".qs").first).to_have_class("qs  accepted")
            page.keyboard.press("Enter")
            expect(page.locator("#progress")).to_have_text("1 of 4 reviewed")
            expect(page.locator("#doc-name")).to_have_text(queue.items[1].document)
            # document 2: skip to the second suggestion, accept it, reject the third, add a descriptor
            page.keyboard.press("j")
            page.keyboard.press("a")
            page.keyboard.press("r")
            page.keyboard.press("/")
            page.keyboard.type(vocab.label(extra))
            page.keyboard.press("Enter")
            expect(page.locator("#queue-status")).to_contain_text("added")
            page.locator("#add").blur()
            page.keyboard.press("Enter")
            expect(page.locator("#progress")).to_have_text("2 of 4 reviewed")
            # document 3: accept the first two
            expect(page.locator("#doc-name")).to_have_text(queue.items[2].document)
            page.keyboard.press("a")
            page.keyboard.press("a")
            expect(page.locator(".qs.accepted")).to_have_count(2)
            expect(page.locator("#add-hits li")).to_have_count(0)
            shot = tmp_path / "review-queue.png"
            page.screenshot(path=str(shot), full_page=True)
            page.keyboard.press("Enter")
            expect(page.locator("#progress")).to_have_text("3 of 4 reviewed")
            assert shot.stat().st_size > 10_000
            if os.environ.get("UNBIS_SAVE_SCREENSHOTS"):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                shutil.copy(shot, SCREENSHOTS / shot.name)
        finally:
            browser.close()

    # the decisions are in the feedback store, under the project and the queue's name
    store = FeedbackStore(db)
    decisions = store.decisions("eurlex", queue="batch1")
    assert len({d.document_id for d in decisions}) == 3
    first, second, third = (it.suggestions for it in queue.items[:3])
    want = [{first[0]["uri"]}, {second[1]["uri"], vocab.uri(extra)}, {first_two["uri"] for first_two in third[:2]}]
    rows = queue.reviewed(store)
    assert [r["document"] for r in rows] == [it.document for it in queue.items[:3]]
    assert [{s["uri"] for s in r["accepted"]} for r in rows] == want
    assert {s["uri"] for s in rows[0]["rejected"]} == {s["uri"] for s in first[1:]}
    # and the exports the page links to
    exported = json.loads(httpx.get(f"{url}/api/queues/batch1/export?format=json").content)
    assert exported == rows
    tsv = httpx.get(f"{url}/api/queues/batch1/export?format=tsv").text.splitlines()
    assert len(tsv) == sum(len(w) for w in want) and tsv[0].split("\t")[:2] == [rows[0]["document"],
                                                                                f"<{first[0]['uri']}>"]
    from pymarc import MARCReader

    marc = httpx.get(f"{url}/api/queues/batch1/export?format=marc").content
    records = list(MARCReader(io.BytesIO(marc)))
    assert [r["001"].data for r in records] == [it.document for it in queue.items[:3]]
    assert [{f["0"] for f in r.get_fields("650")} for r in records] == want

    # unbis learn retrains the project with the reviewed documents
    result = subprocess.run([sys.executable, "-c", "from unbis.cli.main import run; run()", "learn",
                             str(runs / "eurlex"), "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "3 feedback document(s)" in result.stderr
    assert len(list((runs / "eurlex" / "feedback-corpus").glob("*.txt"))) == 3
