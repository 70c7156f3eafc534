"""The live preview page in a real browser (Playwright driving Debian's chromium).

Load the page, see the watched article's first page as a picture and its EPUB
text; edit the file on disk; see the new page picture and text arrive (pushed
by server-sent events); break the file; see the error in place of a crash.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED
from serve_helpers import Server, running_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

ALL_PICTURES_LOADED = (
    "() => document.querySelectorAll('#pages img').length > 0 && "
    "[...document.querySelectorAll('#pages img')].every(i => i.complete && i.naturalWidth > 0)"
)


@pytest.fixture
def watched(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / "story.txt")
    return folder


@pytest.fixture
def server(watched: Path) -> Iterator[Server]:
    with running_server("--workers", "1", "--watch", watched) as running:
        yield running


def test_page_updates_when_the_watched_file_changes(server: Server, watched: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("the browser test needs Debian's chromium: apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(server.url + "/")
            first = page.locator("#pages img").first
            expect(first).to_be_visible(timeout=60_000)
            expect(page.locator("#epub h1")).to_contain_text("US, Iraq")
            assert page.locator("#changes tr").count() >= 1
            expect(page.locator("#warnings")).to_contain_text("no image found")  # as the CLI warns
            page.wait_for_function(ALL_PICTURES_LOADED)
            assert first.evaluate("i => i.naturalWidth") == 596  # A4 at 72 dpi

            page.select_option("#page-size", "a5")  # another look: A5 pages, another theme
            page.select_option("#theme", "broadsheet")
            page.wait_for_function(
                "() => { const i = document.querySelector('#pages img');"
                " return i && i.complete && i.naturalWidth === 420; }",
                timeout=60_000,
            )
            old_src = page.locator("#pages img").first.get_attribute("src")

            story = watched / "story.txt"
            text = story.read_text(encoding="utf-8").replace(
                "US, Iraq to hold meeting", "Harbour ferries return to the old timetable", 1
            )
            story.write_text(text, encoding="utf-8")
            expect(page.locator("#epub h1")).to_contain_text("Harbour ferries", timeout=90_000)
            expect(page.locator("#pages img").first).not_to_have_attribute(
                "src", old_src or "", timeout=10_000
            )
            page.wait_for_function(ALL_PICTURES_LOADED)

            shutil.copy(SEED, watched / "second.txt")  # a new article joins the list
            expect(page.locator("#articles option")).to_have_count(2, timeout=30_000)

            story.write_text("   \n", encoding="utf-8")  # an empty article: an error, not a crash
            expect(page.locator("#error")).to_contain_text("is empty", timeout=60_000)
            expect(page.locator("#pages img").first).to_be_visible()  # the last good preview

            page.locator("#paste-box summary").click()
            page.fill("#paste-text", "Pasted headline about the tram\n\nThe tram runs again.")
            page.click("#paste button")
            expect(page.locator("#error")).to_be_hidden(timeout=60_000)
            expect(page.locator("#epub h1")).to_contain_text("Pasted headline")

            assert all(url.startswith(server.url) for url in requested), requested
        finally:
            browser.close()
