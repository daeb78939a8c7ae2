"""Logging a session from a 360 px phone screen, in Arabic, in a real browser.

Runs when Debian's Chromium is at /usr/bin/chromium (see README). All database
work happens before the browser starts or after it closes: Playwright's sync
API runs an event loop, and Django refuses ORM calls from inside one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed"),
]


@pytest.fixture
def outreach_phone_user(transactional_db, settings):
    from casework.demo import seed_reference_data
    from casework.models import Governorate, Sex, StaffProfile, Unit
    from casework.services import staff_account_upsert
    from outreach.demo import ensure_topics

    # The live server speaks plain HTTP; production's Secure cookies would not come back.
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_NAME = "csrftoken"
    seed_reference_data()
    ensure_topics()
    profile = staff_account_upsert(
        username="rana",
        first_name="Rana",
        role=StaffProfile.Role.OUTREACH,
        sex=Sex.FEMALE,
        unit=Unit.objects.get(kind=Unit.Kind.COMMUNITY_POLICE),
        governorates=[Governorate.objects.get(code="karbala")],
    )
    device = TOTPDevice.objects.create(user=profile.user, name="phone", confirmed=True)
    client = Client()
    client.force_login(profile.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _phone_page(browser, session_cookie: str, cookie_name: str):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    context.add_cookies(
        [{"name": cookie_name, "value": session_cookie, "domain": "localhost", "path": "/"}]
    )
    return context.new_page()


def test_session_form__fits_a_360_px_screen_with_44_px_targets(
    live_server, outreach_phone_user, settings, browser
):
    # One Playwright per worker: the session-wide `browser` from tests/e2e/conftest.py.
    page = _phone_page(browser, outreach_phone_user, settings.SESSION_COOKIE_NAME)
    page.goto(f"{live_server.url}/ar/console/outreach/sessions/new/")
    direction = page.get_attribute("html", "dir")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    small_targets = page.evaluate(
        "[...document.querySelectorAll('form input, form select, form textarea, form button')]"
        ".filter(e => !['hidden', 'checkbox'].includes(e.type))"
        ".filter(e => e.getBoundingClientRect().height < 44).map(e => e.name)"
    )
    numeric = page.get_attribute("#id_audience_female", "inputmode")
    page.context.close()

    assert direction == "rtl"
    assert overflow == 0, "the form scrolls sideways at 360 px"
    assert small_targets == []
    assert numeric == "numeric"


def test_session_form__can_be_sent_from_a_phone(
    live_server, outreach_phone_user, settings, browser
):
    page = _phone_page(browser, outreach_phone_user, settings.SESSION_COOKIE_NAME)
    page.goto(f"{live_server.url}/ar/console/outreach/sessions/new/")
    page.fill("#id_held_on", "2024-03-10")
    page.fill("#id_duration_minutes", "60")
    page.fill("#id_district", "الهندية")
    page.select_option("#id_venue_type", "school")
    page.fill("#id_venue_name", "ثانوية الحسين")
    page.fill("#id_audience_female", "0")
    page.fill("#id_audience_male", "70")
    page.check("#id_topics_0")
    with page.expect_navigation():
        page.click("button[type=submit]:not([name])")
    landed = page.url
    page.context.close()

    from outreach.models import AwarenessSession

    assert landed.endswith("/ar/console/outreach/")
    session = AwarenessSession.objects.get()
    assert (session.governorate.code, session.audience_male) == ("karbala", 70)
