"""The playground page in a real browser: Debian's chromium driven by Playwright, against
the real service. It pastes the reference article and checks what a reader sees."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service import Settings, create_app
from tests.conftest import SEEDS, integration
from tests.patchutil import apply_patch
from tests.server import BIN, running

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = SEEDS / "000_20ca18fb463f4b56.txt"
EXPECTED = SEEDS / "000_20ca18fb463f4b56.expected.txt"
#: Where CI keeps the screenshot (an artefact); the README's copy is docs/playground.png.
ARTIFACTS = ROOT / ".ci-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = integration("playwright.sync_api")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Debian's chromium is not installed (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True,
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running([str(BIN / "newsclean"), "serve", "--workers", "1"]) as url:
        yield url


def test_the_sample_article_shows_its_removals_run_and_diff(browser: Any, base: str) -> None:
    page = browser.new_page(accept_downloads=True)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: problems.append(f"fetched {r.url}")
            if not r.url.startswith(base) else None)
    page.goto(base + "/")
    sample = SAMPLE.read_text(encoding="utf-8")
    page.fill("#input", sample)
    page.click("#clean")
    page.wait_for_selector("#result:not([hidden])")

    removed = page.locator("#before del.removed")
    assert removed.count() == 7
    labels = removed.locator(".label").all_inner_texts()
    assert labels[0] == "repeated_headline · repeats block 1"
    assert sum(label.startswith("duplicate · repeats block") for label in labels) == 6
    runs = page.locator("#before .run")
    assert runs.count() == 1
    assert "blocks 11-16 repeat blocks 5-10" in runs.inner_text()
    assert page.locator("#events .event-run").count() == 1  # the run is one event
    assert "7 removed, 1 run(s)" in page.inner_text("#counts")

    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.evaluate("document.getElementById('result').scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / "playground.png"))

    # A removal leads to its twin in the cleaned text.
    second = removed.nth(1)
    twin_block = second.get_attribute("data-twin")
    second.click()
    twin = page.locator(f"#twin-{twin_block}")
    assert "current" in (twin.get_attribute("class") or "")
    assert page.evaluate("document.activeElement.id") == f"twin-{twin_block}"
    assert twin.inner_text().strip() in second.inner_text()  # the same words, kept

    # The downloaded diff, applied with patch, gives the cleaned article.
    with page.expect_download() as download:
        page.click("#download")
    diff = Path(download.value.path()).read_text(encoding="utf-8")
    assert apply_patch(sample, diff) == EXPECTED.read_text(encoding="utf-8")
    assert page.inner_text("#after").strip() == EXPECTED.read_text(encoding="utf-8").strip()
    assert problems == []


def test_an_error_shows_the_services_message(browser: Any, base: str, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(base + "/")
    pdf = tmp_path / "scan.txt"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n" + bytes(range(256)))
    page.set_input_files("#file", str(pdf))
    page.wait_for_selector("#error:not([hidden])")
    message = page.inner_text("#error")
    assert "422" in message
    assert "not_text" in message or "binary" in message.lower() or "PDF" in message
    assert page.locator("#result").is_hidden()


def test_it_fits_a_phone(browser: Any, base: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(base + "/")
    page.fill("#input", SAMPLE.read_text(encoding="utf-8"))
    page.click("#clean")
    page.wait_for_selector("#result:not([hidden])")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("#before del.removed").count() == 7


def test_the_playground_can_be_turned_off() -> None:
    on = create_app(Settings()).test_client()
    page = on.get("/")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert on.get("/playground.js").mimetype == "text/javascript"
    off = create_app(Settings(playground=False)).test_client()
    for path in ("/", "/playground.js", "/playground.css"):
        answer = off.get(path)
        assert answer.status_code == 404
        assert answer.get_json()["error"]["code"] == "not_found"


def test_repairs_and_look_alikes_are_marked_with_their_reasons(browser: Any, base: str) -> None:
    page = browser.new_page()
    page.goto(base + "/")
    page.fill("#input", "Harbour plan\n\n"
              "It\u00e2\u20ac\u2122s done &amp; dusted, the council said on Tuesday after a long debate.\n\n"
              "The council approved 300 flats on Tuesday after a long debate in the chamber.\n\n"
              "The council approved 400 flats on Tuesday after a long debate in the chamber.")
    page.click("#clean")
    page.wait_for_selector("#result:not([hidden])")
    fix = page.locator("#before mark.fix")
    assert fix.count() == 1  # one line, two repairs: the line is marked once
    assert fix.get_attribute("title") == ("unescape_html: entities; fix_encoding: encode "
                                          "sloppy-windows-1252, decode utf-8")
    assert "“It’s done & dusted" in page.inner_text("#events")
    similar = page.locator("#before mark.similar")
    assert similar.count() == 1
    assert "differs in numbers" in (similar.get_attribute("title") or "")
    assert "It’s done & dusted" in page.inner_text("#after")
    assert page.locator("#before del.removed").count() == 0
