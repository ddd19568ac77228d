"""Chromium for the report's tests and its README screenshot: Debian's, headless, offline."""

import os
import shutil
from contextlib import contextmanager

import pytest

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIZE = {"width": 1280, "height": 900}


def chromium() -> str:
    """The browser's path; skips the test without one, unless RNNVIZ_BROWSER=required (CI)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "no chromium on PATH (Debian: apt-get install chromium)"
        if os.environ.get("RNNVIZ_BROWSER") == "required":
            pytest.fail(message)
        pytest.skip(message)
    return path


@contextmanager
def chromium_page():
    """(a page with the network off, the URLs it asked for)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = chromium()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        context = browser.new_context(viewport=SIZE, offline=True, accept_downloads=True)
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        try:
            yield page, requests
        finally:
            browser.close()


def distinct_colours(png: bytes) -> int:
    """How many colours a PNG shows (a blank plot: a handful)."""
    from PySide6.QtGui import QImage

    image = QImage.fromData(png)
    width, height = image.width(), image.height()
    seen = {image.pixel(x, y) for x in range(0, width, 3) for y in range(0, height, 3)}
    return len(seen)
