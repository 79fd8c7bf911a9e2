"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
#: Always written: CI keeps it as an artefact.
SCREENSHOTS = REPO / "var" / "screenshots"
#: Written only with LIENTHONG_DOC_SCREENSHOTS=1, so normal runs leave the repository clean.
DOC_IMAGES = REPO / "docs" / "img"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A headless chromium (Debian's) driven through Playwright's sync API.

    Skipped when chromium is missing on a developer machine; under CI=true a missing
    chromium fails the test.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    # Playwright's sync API runs an event loop in this thread; the test's own database
    # work (set-up, flush) is synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def screenshot() -> object:
    """Save a page's screenshot under var/screenshots/, and into docs/img/ on request.

    Call it as ``screenshot(page, "name.png", doc=True)``.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for_docs = os.environ.get("LIENTHONG_DOC_SCREENSHOTS") == "1"

    def take(page: object, name: str, *, doc: bool = False) -> Path:
        path = SCREENSHOTS / name
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        if doc and for_docs:
            DOC_IMAGES.mkdir(parents=True, exist_ok=True)
            (DOC_IMAGES / name).write_bytes(path.read_bytes())
        return path

    return take
