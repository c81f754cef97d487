"""The web page in a real browser: Playwright driving Debian's Chromium against a live uvicorn server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from live_server import live_server
from unbis.api.app import create_app
from unbis.feedback import FeedbackStore

CHROMIUM = Path("/usr/bin/chromium")
SEED = Path(__file__).parent / "data" / "corpus" / "seed" / "000_c7475b1adc391e1b.txt"
SCREENSHOTS = Path(__file__).parent.parent / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    # In CI the browser test never skips: a missing browser fails it (scripts/install-browser.sh fails first).
    pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("CI") != "true",
                       reason="Debian chromium not installed at /usr/bin/chromium "
                                                       "(run scripts/install-browser.sh)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("web") / "feedback.sqlite3"
    app = create_app(None, db)
    app.state.unbis.registry.get("unbis")  # load the thesaurus before the browser waits on it
    with live_server(app) as url:
        yield url, db


def test_index_suggest_decide_and_export(server: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, db = server
    text = SEED.read_text("utf-8").split("\n", 1)[1].strip()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            external: list[str] = []
            page.on("request", lambda r: None if r.url.startswith(url) else external.append(r.url))
            page.goto(url)
            page.fill("#text", text)
            page.click("#suggest")
            franco = page.locator(".suggestion", has_text="FRANCOPHONIE")
            expect(franco).to_have_count(1, timeout=20_000)
            franco = page.locator(f'.suggestion[data-uri="{franco.get_attribute("data-uri")}"]')
            expect(page.locator("#doc-text mark").first).to_be_visible()

            # Reject the lowest-ranked suggestion, accept FRANCOPHONIE, add PEACEBUILDING through autocomplete.
            last = page.locator(".suggestion").last
            rejected_uri = last.get_attribute("data-uri")
            rejected = page.locator(f'.suggestion[data-uri="{rejected_uri}"]')
            rejected_label = rejected.locator(".label").inner_text().strip()
            assert rejected_label and rejected_label != "FRANCOPHONIE"
            rejected.locator("button.reject").click()
            expect(rejected).to_have_class("suggestion rejected")
            franco.locator("button.accept").click()
            expect(franco).to_have_class("suggestion accepted")
            franco.click()  # focus its evidence in the text
            expect(page.locator("#doc-text mark.focus").first).to_be_visible()
            # Overlapping evidence (法语 = FRENCH LANGUAGE, 国家 = STATES, ...) may split the span into marks.
            focused = page.eval_on_selector_all("#doc-text mark.focus", "els => els.map((e) => e.textContent)")
            assert "法语国家" in "".join(focused).replace(" ", "")
            assert all(part.strip() in "法语 国家" for part in focused)
            page.fill("#add-input", "peacebuil")
            option = page.locator("#add-results li", has_text="PEACEBUILDING").first
            option.click()
            expect(page.locator("#status")).to_contain_text("Saved 3 decision(s)")
            expect(page.locator("#accepted li")).to_have_count(2)

            page.select_option("#export-format", "marc")
            marc = page.input_value("#export-preview")
            assert "=650  \\7$aFRANCOPHONIE$0http://metadata.un.org/thesaurus/" in marc and "$2unbist" in marc
            page.select_option("#export-format", "tsv")
            assert "\tPEACEBUILDING" in page.input_value("#export-preview")

            page.select_option("#label-language", "ar")  # Arabic labels, right to left
            expect(page.locator("#suggest-panel")).to_have_attribute("dir", "rtl")
            expect(franco.locator(".label")).to_have_text("الفرانكوفونية")
            shots = [tmp_path / "web-suggestions-ar.png", tmp_path / "web-suggestions.png"]
            page.screenshot(path=str(shots[0]), full_page=True)
            page.select_option("#label-language", "en")
            expect(page.locator("#suggest-panel")).to_have_attribute("dir", "ltr")
            page.screenshot(path=str(shots[1]), full_page=True)
            for shot in shots:
                assert shot.stat().st_size > 10_000
                if os.environ.get("UNBIS_SAVE_SCREENSHOTS"):  # refresh the pictures in docs/
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    shutil.copy(shot, SCREENSHOTS / shot.name)
            assert not external, f"page fetched from outside the server: {external}"
        finally:
            browser.close()

    decisions = FeedbackStore(db).decisions("unbis")
    got = {(d.label, d.decision, d.source) for d in decisions}
    assert got == {("FRANCOPHONIE", "accepted", "suggested"), ("PEACEBUILDING", "accepted", "added"),
                   (rejected_label, "rejected", "suggested")}
    assert {d.model_version for d in decisions} == {"bundled"}
    assert len({d.document_id for d in decisions}) == 1
    assert rejected_uri in {d.uri for d in decisions}
