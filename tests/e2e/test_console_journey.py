"""The whole story in a real browser: a victim reports asking for a female
officer; a male colleague sees the case redacted; the female officer it was
given to sees it in full and replies; the victim reads the reply. Every console
page on the way is checked with axe, in each language, at phone and laptop size."""

import base64
import re

import pyotp
import pytest

from tests.e2e.conftest import LANGUAGES, run_axe, save_screenshot
from tests.e2e.test_public_journey import file_report

pytestmark = pytest.mark.e2e

NARRATIVE = "E2E narrative"


@pytest.fixture
def staff_secrets(reference_data):
    from casework.models import StaffProfile
    from tests.casework.console_fixtures import make_staff, totp_device

    people = {
        "female": make_staff("zainab.e2e", sex="female"),
        "male": make_staff("ali.e2e", sex="male"),
        "supervisor": make_staff("samira.e2e", role=StaffProfile.Role.SUPERVISOR, sex="female"),
    }
    return {
        key: (
            profile.user.username,
            base64.b32encode(bytes.fromhex(totp_device(profile).key)).decode(),
        )
        for key, profile in people.items()
    }


def console_login(page, base, lang, username, secret):
    from tests.casework.console_fixtures import PASSWORD

    page.goto(f"{base}/{lang}/console/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("#login-form [type=submit]")
    assert page.url.endswith(f"/{lang}/console/"), page.url


def check_page(page, axe_source, name, failures, *, phone):
    problems = []
    if phone:
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            wide = page.evaluate(
                "() => [...document.querySelectorAll('body *')].filter(e => {"
                " const r = e.getBoundingClientRect(); return r.right > innerWidth + 1 || r.left < -1; })"
                ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
            )
            problems.append(f"horizontal scroll {overflow}px: {wide}")
    violations = run_axe(page, axe_source)
    if problems or violations:
        failures[name] = {"layout": problems, "axe": violations}
    save_screenshot(page, name)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["phone", "laptop"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_console_journey__redaction_reply_and_follow_up(
    live_server, new_page, axe_source, staff_secrets, tmp_path, lang, viewport
):
    from casework.models import Case

    base = live_server.url
    victim = new_page(viewport=viewport, locale=lang)
    reference, passphrase = file_report(victim, base, lang, tmp_path)
    case = Case.objects.get(reference=reference)
    assert case.wants_female_officer
    case_url = f"{base}/{lang}/console/casework/case/{case.pk}/change/"
    failures = {}
    phone = viewport == "phone"

    # A male colleague of the same unit: the case is listed, but redacted.
    colleague = new_page(viewport=viewport, locale=lang)
    console_login(colleague, base, lang, *staff_secrets["male"])
    colleague.goto(f"{base}/{lang}/console/casework/case/")
    assert reference in colleague.content()
    check_page(colleague, axe_source, f"console-{lang}-{viewport}-list", failures, phone=phone)
    colleague.goto(case_url)
    assert NARRATIVE not in colleague.content()
    assert "@e2e.suspect" not in colleague.content()

    # The female officer it was assigned to sees it all and replies.
    officer = new_page(viewport=viewport, locale=lang)
    console_login(officer, base, lang, *staff_secrets["female"])
    officer.goto(case_url)
    assert NARRATIVE in officer.content()
    check_page(officer, axe_source, f"console-{lang}-{viewport}-case", failures, phone=phone)
    officer.fill("textarea[name=body]", "E2E reply from the officer")
    officer.locator("form[action$='/message/'] [type=submit]").click()
    assert "E2E reply from the officer" in officer.content()

    # The supervisor's dashboard.
    supervisor = new_page(viewport=viewport, locale=lang)
    console_login(supervisor, base, lang, *staff_secrets["supervisor"])
    supervisor.goto(f"{base}/{lang}/console/casework/case/dashboard/")
    check_page(
        supervisor, axe_source, f"console-{lang}-{viewport}-dashboard", failures, phone=phone
    )

    # The victim follows up and reads the reply, signed "Officer", no name.
    victim.goto(f"{base}/{lang}/follow-up/")
    victim.fill("#id_reference", reference)
    victim.fill("#id_passphrase", passphrase)
    victim.locator("main form button").click()
    thread = victim.locator(".thread").inner_text()
    assert "E2E reply from the officer" in thread
    assert "zainab" not in thread.lower() and "Zainab" not in victim.content()
    assert not re.search(r"zainab", victim.content(), re.IGNORECASE)
    assert not failures, failures
