"""The console login in a real browser (Debian's Chromium via Playwright).

The Django test client sends no Origin header, so it cannot see what a browser
does to a form POST under the page's referrer policy; this test can.
"""

from __future__ import annotations

import base64

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer_secret(live_server):
    """Made before the browser starts: Playwright runs an event loop in this
    thread, and Django refuses database calls while one is running."""
    from casework.demo import seed_reference_data
    from tests.casework.console_fixtures import make_staff, totp_device

    seed_reference_data()
    officer = make_staff("zainab.e2e")
    return base64.b32encode(bytes.fromhex(totp_device(officer).key)).decode()


def test_console_login__works_in_a_browser_at_360px_in_arabic(live_server, officer_secret, browser):
    # `browser`: the one Playwright of this worker (tests/e2e/conftest.py).
    import pyotp

    from tests.casework.console_fixtures import PASSWORD

    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text))

    page.goto(f"{live_server.url}/ar/console/")
    assert page.get_attribute("html", "dir") == "rtl"
    page.fill("#id_username", "zainab.e2e")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    assert page.url.endswith("/ar/console/login/verify/"), page.url

    page.fill("#id_code", pyotp.TOTP(officer_secret).now())
    page.click("#login-form [type=submit]")
    assert page.url.endswith("/ar/console/"), page.url
    assert page.locator("#user-tools").is_visible()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not [text for text in violations if "Content Security Policy" in text]
