"""Every public page, in every language, at phone and laptop width: direction,
no sideways scrolling, quick exit in view, no serious accessibility problem."""

import pytest

from tests.e2e.conftest import LANGUAGES, layout_problems, run_axe, save_screenshot

pytestmark = pytest.mark.e2e

PUBLIC_PATHS = [
    ("landing", ""),
    ("advice-list", "advice/"),
    ("advice-first-steps", "advice/first-steps/"),
    ("report-start", "report/"),
    ("step-what", "report/what/"),
    ("step-blackmailer", "report/blackmailer/"),
    ("step-threat", "report/threat/"),
    ("step-evidence", "report/evidence/"),
    ("step-safety", "report/safety/"),
    ("step-contact", "report/contact/"),
    ("review", "report/check/"),
    ("followup-login", "follow-up/"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["phone", "laptop"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages__direction_layout_and_accessibility(
    live_server, new_page, axe_source, reference_data, lang, viewport
):
    from reporting.services import advice_pages_install

    advice_pages_install()
    page = new_page(viewport=viewport, locale=lang)
    failures = {}
    for name, path in PUBLIC_PATHS:
        response = page.goto(f"{live_server.url}/{lang}/{path}")
        assert response.status == 200, (name, response.status)
        html = page.locator("html")
        assert html.get_attribute("lang") == lang
        assert html.get_attribute("dir") == ("ltr" if lang == "en" else "rtl")
        problems = layout_problems(page) if viewport == "phone" else []
        violations = run_axe(page, axe_source)
        if problems or violations:
            failures[name] = {"layout": problems, "axe": violations}
        save_screenshot(page, f"{lang}-{viewport}-{name}")
    assert not failures, failures


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_form_labels__sit_at_the_right_edge_in_rtl(live_server, new_page, reference_data, lang):
    page = new_page(viewport="laptop", locale=lang)
    page.goto(f"{live_server.url}/{lang}/report/contact/")
    label = page.locator("label[for=id_phone]").bounding_box()
    field = page.locator("#id_phone").bounding_box()
    # In RTL the label starts at the right, aligned with its field's right edge.
    assert abs((label["x"] + label["width"]) - (field["x"] + field["width"])) <= 2
    assert label["y"] < field["y"]


@pytest.mark.django_db(transaction=True)
def test_ckb_pages__have_no_english_left(live_server, new_page, reference_data):
    import re

    page = new_page(viewport="phone", locale="ckb")
    leftovers = {}
    for name, path in PUBLIC_PATHS:
        page.goto(f"{live_server.url}/ckb/{path}")
        text = page.locator("main").inner_text() + page.locator("header").inner_text()
        # Allowed Latin: the language switcher's "English", brand and service names, hotline links.
        allowed = {
            "English",
            "StopNCII",
            "org",
            "Take",
            "It",
            "Down",
            "WhatsApp",
            "Telegram",
            "PDF",
            "SND",
            "MB",
        }
        words = {w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in allowed}
        if words:
            leftovers[name] = sorted(words)[:10]
    assert not leftovers, leftovers


@pytest.mark.django_db(transaction=True)
def test_quick_exit__replaces_history_when_javascript_is_on(live_server, new_page, settings):
    settings.SANAD_QUICK_EXIT_URL = f"{live_server.url}/healthz"
    page = new_page(viewport="phone")
    page.goto(f"{live_server.url}/ar/")
    page.goto(f"{live_server.url}/ar/report/")
    page.click(".quick-exit")
    page.wait_for_url("**/healthz")
    page.go_back()
    # The report page was replaced in history: going back does not return to it.
    assert "/report/" not in page.url
