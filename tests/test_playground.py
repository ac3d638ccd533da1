"""The playground page in a real browser: Debian's chromium driven by Playwright, against
the real service. It pastes the reference article and checks what a reader sees."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cleaning.passes import PASS
from cleaning.rules import RULES
from service import Settings, create_app
from tests.conftest import SEEDS, integration
from tests.patchutil import apply_patch
from tests.server import BIN, running

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = SEEDS / "000_20ca18fb463f4b56.txt"
EXPECTED = SEEDS / "000_20ca18fb463f4b56.expected.txt"
#: Where CI keeps the screenshots (artefacts); the README's copy is docs/playground.png.
ARTIFACTS = ROOT / ".ci-artifacts"
SCRIPT = ROOT / "service" / "playground" / "playground.js"
#: What a reader never sees: a name from the code (snake_case) or a "(s)" plural.
CODE_WORDS_RE = re.compile(r"\b[a-z]+_[a-z_]+\b|\(s\)")


def shown_numbers(page: Any, selector: str) -> list[str]:
    """The block numbers the page shows (drawn by the style sheet, so never copied)."""
    return page.locator(selector).evaluate_all(  # type: ignore[no-any-return]
        "nodes => nodes.map(n => getComputedStyle(n, '::before').content.replace(/\"/g, ''))")


def reader_texts(page: Any) -> list[str]:
    """Everything the page writes itself (not the article): labels, events, counts, titles."""
    texts = [page.inner_text("#counts"), page.inner_text("#legend"),
             *page.locator("#events li").all_inner_texts(),
             *page.locator("#before .label, #before .run").all_inner_texts(),
             *shown_numbers(page, ".block-no")]
    texts += list(page.locator("#before [title], #after [title]").evaluate_all(
        "nodes => nodes.map(n => n.title)"))
    return texts


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
    assert labels[0] == "The headline again · repeats block 1"
    assert sum(bool(re.fullmatch(r"[A-Z][a-z ,()-]+ · repeats block \d+", label))
               for label in labels) == 7
    runs = page.locator("#before .run")
    assert runs.count() == 1
    assert runs.inner_text() == ("Blocks 11–16 removed as one: they repeat blocks 5–10 "
                                 "(6 blocks pasted again).")
    assert page.locator("#events .event-run").count() == 1  # the run is one event
    assert page.inner_text("#counts") == ("7 blocks removed (1 run of pasted blocks), no "
                                          "repairs, no look-alikes kept. The content changed.")
    # Every removed block shows its number, and every kept block a removal cites shows its.
    answer = json.loads(page.evaluate("""async () => JSON.stringify(await (await fetch(
        'clean', {method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({text: document.getElementById('input').value})}
        )).json())"""))
    assert shown_numbers(page, "#before del.removed .block-no") == [
        f"block {r['block']}" for r in answer["removed"]]
    cited = sorted({r["twin"] for r in answer["removed"]})
    assert shown_numbers(page, "#after .twin .block-no") == [f"block {n}" for n in cited]
    # The legend says what each mark means.
    legend = page.locator("#legend li")
    assert legend.count() == 5
    assert [legend.nth(n).locator(sel).count() for n, sel in enumerate(
        ["del.removed", ".twin", "mark.fix", "mark.similar", ".block-no"])] == [1] * 5
    assert "a removed block" in legend.nth(0).inner_text()
    assert "characters taken out" in legend.nth(2).inner_text()
    # Words for people: no names from the code, no "(s)".
    offending = [t for t in reader_texts(page) if CODE_WORDS_RE.search(t)]
    assert offending == []

    screenshots(page, "sample")

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
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base + "/")
    page.fill("#input", SAMPLE.read_text(encoding="utf-8"))
    page.click("#clean")
    page.wait_for_selector("#result:not([hidden])")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#before del.removed").count() == 7
    assert page.locator("#legend").is_visible()


def screenshots(page: Any, name: str) -> None:
    """The result at a desktop's width and a phone's, kept by CI (.ci-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900 if width > 390 else 844})
        page.evaluate("document.getElementById('result').scrollIntoView()")
        path = ARTIFACTS / f"playground-{name}-{width}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
    page.set_viewport_size({"width": 1280, "height": 900})


def test_every_rule_and_kind_has_words_for_people() -> None:
    script = SCRIPT.read_text(encoding="utf-8")

    def keys(table: str) -> set[str]:
        body = script.split(f"const {table} = {{", 1)[1].split("};", 1)[0]
        return set(re.findall(r"^\s+([a-z_]+):", body, re.M))

    assert keys("RULE_WORDS") == set(RULES)
    assert keys("KIND_WORDS") == set(PASS)


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
    assert fix.get_attribute("title") == (
        "HTML entities decoded (entities); Garbled characters (mojibake) repaired (encode "
        "sloppy-windows-1252, decode utf-8)")
    # Only the changed characters are marked, in place: the rest of the line reads as it is.
    assert fix.locator("del.was").all_inner_texts() == ["\u00e2\u20ac\u2122", "amp;"]
    assert fix.locator("ins.now").all_inner_texts() == ["\u2019"]
    assert fix.inner_text().startswith("It\u00e2\u20ac\u2122\u2019s done &amp; dusted, the")
    events = page.locator("#events .event-fix")
    assert events.count() == 2  # each step, with its own change
    assert events.nth(0).locator("del.was").all_inner_texts() == ["amp;"]
    assert events.nth(1).locator("ins.now").all_inner_texts() == ["\u2019"]
    similar = page.locator("#before mark.similar")
    assert similar.count() == 1
    assert shown_numbers(page, "#before mark.similar .block-no") == ["block 3"]
    assert similar.get_attribute("title") == (
        "Block 3 stays, although it is 93% like block 2: its numbers differ, so it states "
        "other facts.")
    assert "It’s done & dusted" in page.inner_text("#after")
    assert page.locator("#before del.removed").count() == 0
    assert "1 look-alike kept" in page.inner_text("#counts")
    offending = [t for t in reader_texts(page) if CODE_WORDS_RE.search(t)]
    assert offending == []
    screenshots(page, "repairs")
