"""Headless Chromium from Debian, driven by Playwright's Python package (no downloaded browser).
With SCREENSHOTS=1 each page checked is also saved as a picture under test-artifacts/screenshots/.

Without Chromium these tests skip with a reason; CI sets REQUIRE_BROWSER=1 so that a missing
browser fails the run instead of skipping it quietly.
"""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}



def _missing() -> str | None:
    if shutil.which("chromium") is None:
        return "Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)"
    if not AXE_SCRIPT.exists():
        return "axe-core is not installed (npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[browser]')"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here but cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that fixtures make
    # meanwhile are ordinary synchronous ones. Only while a browser runs: never in deployment.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def server(live_server):
    """The server the pages come from: pytest-django's live server, whose tests run on a
    transactional database. A module whose tests only read overrides it with ``demo_site``."""
    return live_server


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """A live server over the demo for tests that only read pages, as residents do: the demo is
    loaded once for the module (a transactional test before it may have emptied the database)
    and no test's database is flushed after it. Pages that write (sign-in, station work) are
    tested with ``live_server`` instead."""
    from pytest_django.live_server_helper import LiveServer

    from tests.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()
        site = LiveServer("localhost")
        yield site
        site.stop()


@pytest.fixture
def page_at(browser, server):
    """page_at(viewport_name, large=False) -> a page of the server in that layout."""
    contexts = []

    def open_page(viewport_name: str, *, large: bool = False):
        context = browser.new_context(viewport=VIEWPORTS[viewport_name], locale="zh-CN")
        if large:
            context.add_cookies([{"name": "display", "value": "large", "url": server.url}])
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path | None:
    """A full-page picture for a person to look at, under test-artifacts/screenshots/, when
    SCREENSHOTS=1 is set (it checks nothing, and a run of them takes a quarter of a minute)."""
    if os.environ.get("SCREENSHOTS") != "1":
        return None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, impacts=("serious", "critical"), *, enhanced_contrast: bool = False) -> list[dict]:
    """axe-core's serious and critical violations of the page; with ``enhanced_contrast``, also
    every place below the enhanced contrast of 7:1 (大字版), in the same run."""
    # Evaluated through the DevTools protocol rather than added as a <script> element: the
    # portal's Content Security Policy refuses inline scripts, and the pages are tested under it.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    options = "{rules: {'color-contrast-enhanced': {enabled: true}}}" if enhanced_contrast else "{}"
    results = page.evaluate(f"async () => await axe.run(document, {options})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in impacts or (enhanced_contrast and v["id"] == "color-contrast-enhanced")
    ]
