"""Real-browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Skipped when /usr/bin/chromium is missing on a developer machine; in CI
(CI=true) a missing browser or axe-core is an error, not a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}
LANGUAGES = ["ar", "ckb", "en"]
IN_CI = os.environ.get("CI") == "true"

# Playwright's sync API runs an event loop in this thread; the test's own
# database calls are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    if not Path(CHROMIUM).exists() and not IN_CI:
        skip = pytest.mark.skip(
            reason="Debian's Chromium is not installed (apt-get install chromium)"
        )
        for item in items:
            if "tests/e2e/" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium missing in CI: .ci/run installs it with apt-get")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def _open(*, viewport="phone", javascript=True, locale="ar"):
        # bypass_csp only so the test can inject axe-core; the page's own CSP
        # is asserted separately by the header tests.
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            java_script_enabled=javascript,
            bypass_csp=True,
            locale=locale,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str | None:
    if AXE.exists():
        return AXE.read_text()
    if IN_CI:
        pytest.fail("axe-core missing: .ci/run installs it into tests/e2e/node_modules")
    return None


def run_axe(page, axe_source) -> list[dict]:
    """Serious and critical axe violations on the current page."""
    if axe_source is None:
        pytest.skip("axe-core is not installed (npm install in tests/e2e)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def save_screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def layout_problems(page) -> list[str]:
    """No horizontal scrolling; the quick-exit button visible without scrolling."""
    problems = []
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        problems.append(f"horizontal scroll of {overflow}px")
    box = page.evaluate(
        "() => { const b = document.querySelector('.quick-exit'); if (!b) return null;"
        " const r = b.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }"
    )
    if box is None:
        problems.append("no quick-exit button")
    else:
        height = page.viewport_size["height"]
        width = page.viewport_size["width"]
        if box["top"] < 0 or box["bottom"] > height or box["left"] < 0 or box["right"] > width:
            problems.append(f"quick-exit not fully visible: {box}")
    return problems


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    # The live server speaks plain HTTP; production is HTTPS-only and keeps
    # Secure cookies (asserted in tests/config and tests/reporting).
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # A __Host- cookie must be Secure: browsers drop it over plain HTTP.
    settings.CSRF_COOKIE_NAME = "csrftoken"


def closed_cases_filed(*, unit, governorate, per_month: list[tuple[int, int]]) -> None:
    """Closed cases in 2024 for the outreach charts: ``per_month`` is
    [(month, count), …]; only routing and dates, no victim content."""
    import datetime as dt
    import uuid

    from casework.models import Case

    for month, count in per_month:
        for day in range(1, count + 1):
            filed_at = dt.datetime(2024, month, day, 9, tzinfo=dt.UTC)
            Case.objects.create(
                reference=f"SND-{uuid.uuid4().hex[:9].upper()}",
                unit=unit,
                governorate=governorate,
                filed_at=filed_at,
                first_contact_due_at=filed_at + dt.timedelta(days=1),
                wrapped_key=b"not-a-real-key",
                status=Case.Status.CLOSED,
            )
