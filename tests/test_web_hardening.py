"""The web page in a real browser (Playwright + Debian's Chromium): evidence highlighting after characters
outside the BMP (emoji, CJK Extension B), and the API key asked for once when the server needs it."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from live_server import live_server
from unbis.api.app import create_app
from unbis.feedback import FeedbackStore

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Each of these takes two UTF-16 units: a page slicing by code-point offsets would be 6 units off.
NON_BMP = "😀🇺🇳 𠀀𠜎 "
TEXT = (f"{NON_BMP}Résolution 2417: {NON_BMP}The Security Council discussed peacekeeping operations 🕊️ and "
        f"refugees 𠀋 in Africa, and food security.")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("CI") != "true",
                       reason="Debian chromium not installed at /usr/bin/chromium (run scripts/install-browser.sh)"),
]


def test_evidence_marks_exactly_the_matched_words_after_non_bmp_characters(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    app = create_app(None, tmp_path / "fb.sqlite3")
    app.state.unbis.registry.get("unbis")
    with live_server(app) as url:
        api = httpx.post(f"{url}/api/projects/unbis/suggest", data={"text": TEXT, "language": "en"},
                         timeout=60).json()
        spans = [api["text"][e["start"]:e["end"]] for s in api["suggestions"] for e in s["evidence"]]
        assert any(span.lower() == "refugees" for span in spans)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page()
                page.goto(url)
                page.fill("#text", TEXT)
                page.select_option("#doc-language", "en")
                page.click("#suggest")
                expect(page.locator("#doc-text mark").first).to_be_visible(timeout=20_000)
                marks = page.eval_on_selector_all("#doc-text mark", "els => els.map((e) => e.textContent)")
                whole = page.inner_text("#doc-text")
            finally:
                browser.close()
    assert whole.replace("\n", "") == api["text"].replace("\n", "")
    assert marks and all(any(mark in span for span in spans) for mark in marks), (marks, spans)
    assert {m.lower() for m in marks} >= {"refugees", "peacekeeping operations"}, marks


def test_page_asks_for_the_key_once_and_saves_decisions(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    db = tmp_path / "fb.sqlite3"
    app = create_app(None, db, api_key="page-key")
    app.state.unbis.registry.get("unbis")
    asked: list[str] = []
    with live_server(app) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()

            def answer(dialog) -> None:  # type: ignore[no-untyped-def]
                asked.append(dialog.message)
                dialog.accept("page-key")

            page.on("dialog", answer)
            page.goto(url)
            page.fill("#text", TEXT)
            page.click("#suggest")
            suggestions = page.locator(".suggestion")
            expect(suggestions.first).to_be_visible(timeout=20_000)
            assert not asked  # suggesting is a read: no key asked
            suggestions.nth(0).locator("button.accept").click()
            expect(page.locator("#status")).to_contain_text("Saved 1 decision(s)")
            suggestions.nth(1).locator("button.reject").click()
            expect(page.locator("#status")).to_contain_text("Saved 2 decision(s)")
        finally:
            browser.close()
    assert len(asked) == 1 and "API key" in asked[0]
    assert sorted(d.decision for d in FeedbackStore(db).decisions("unbis")) == ["accepted", "rejected"]
