"""Arabic and Sorani pages on a 360 px phone, checked in a real browser.

- Left-to-right text inside right-to-left pages (phone numbers, handles,
  usernames in parentheses, a negative percentage) must come out in its own
  order. The check reads where the browser DREW the first and the last
  character (bounding boxes of one-character ranges), not only the markup.
- The review page, the console's case list, case page and reply, and the
  outreach analytics must be usable at 360 px: no sideways scrolling, the
  review page's "Change" links on one line, case references unbroken.

Screenshots go to tests/e2e/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import pyotp
import pytest

from tests.e2e.conftest import closed_cases_filed, save_screenshot

pytestmark = pytest.mark.e2e

RTL_LANGUAGES = ["ar", "ckb"]
PHONE = "+964 770 123 4567"
HANDLE = "@ahmed.fake.iq"
OFFICER = "officer.baghdad.f"

# For every element matched, where the browser drew the first and the last
# character of its text: for left-to-right text the first is left of the last.
VISUAL_ORDER = """
(selector) => [...document.querySelectorAll(selector)].map((element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) { if (walker.currentNode.data.trim()) nodes.push(walker.currentNode); }
  const first = nodes[0], last = nodes[nodes.length - 1];
  const box = (node, index) => {
    const range = document.createRange();
    range.setStart(node, index);
    range.setEnd(node, index + 1);
    return range.getBoundingClientRect();
  };
  const start = first.data.search(/\\S/);
  const end = last.data.length - 1 - [...last.data].reverse().join('').search(/\\S/);
  const a = box(first, start), b = box(last, end);
  return {text: element.textContent.trim(), firstLeft: a.left, lastRight: b.right,
          sameLine: Math.abs(a.top - b.top) < 4};
})
"""


def assert_drawn_left_to_right(page, selector: str, expected: list[str]) -> None:
    drawn = page.evaluate(VISUAL_ORDER, selector)
    texts = [item["text"] for item in drawn]
    for wanted in expected:
        assert wanted in texts, (wanted, texts)
    for item in drawn:
        if item["text"] in expected:
            assert item["sameLine"], item
            assert item["firstLeft"] < item["lastRight"], f"drawn reversed: {item}"
            # The sign or "+" is drawn at the left end: nothing of the same
            # text lies left of the first character.
            assert item["firstLeft"] <= item["lastRight"] - 8, item


def sideways_scroll(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


# --- the review page ---------------------------------------------------------------


def _fill_to_review(page, base, lang):
    page.goto(f"{base}/{lang}/report/")
    page.locator("main a.button").click()
    page.locator("input[name=category][value=intimate_images]").check()
    page.locator("input[name=platform][value=whatsapp]").check()
    page.fill("#id_narrative", "E2E")
    page.locator("button[name=next]").click()
    page.locator("input[name=knows_blackmailer][value=yes]").check()
    page.fill("#id_identifiers", f"{PHONE}\n{HANDLE}")
    page.locator("button[name=next]").click()
    page.goto(f"{base}/{lang}/report/check/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", RTL_LANGUAGES)
def test_review_page__numbers_in_order_and_change_links_on_one_line(
    live_server, new_page, reference_data, lang
):
    page = new_page(viewport="phone", locale=lang)
    _fill_to_review(page, live_server.url, lang)

    assert_drawn_left_to_right(page, "table.review bdi", [PHONE, HANDLE])
    links = page.evaluate(
        "() => [...document.querySelectorAll('table.review td.change a')]"
        ".map(a => ({lines: a.getClientRects().length, h: a.getBoundingClientRect().height,"
        " w: a.getBoundingClientRect().width}))"
    )
    height = page.evaluate("() => document.documentElement.scrollHeight")
    overflow = sideways_scroll(page)
    save_screenshot(page, f"words-{lang}-phone-review")

    assert links and all(link["lines"] == 1 and link["h"] < 60 for link in links), links
    assert overflow <= 1
    assert height < 2600, f"review page is {height}px tall at 360 px"


# --- the console: case list, case page, reply ----------------------------------------


@pytest.fixture
def console_case(reference_data):
    from casework.crypto import Sealer
    from casework.services import ReportAnswers, report_file
    from tests.casework.console_fixtures import make_staff, totp_device

    officer = make_staff(OFFICER, sex="female")
    owner = uuid.uuid4()
    _sealer, wrapped = Sealer.new(owner=owner)
    filed = report_file(
        owner_uuid=owner,
        wrapped_key=wrapped,
        answers=ReportAnswers(
            category_code="intimate_images",
            platform="instagram",
            narrative="He says he will send the photos to my brother",
            knows_blackmailer="yes",
            suspect_identifiers=[PHONE, HANDLE],
            governorate_code="baghdad",
            wants_female_officer=True,
            contact_method="phone",
            phone=PHONE,
            name="Layla",
        ),
    )
    filed.case.refresh_from_db()
    assert filed.case.assigned_officer == officer
    secret = base64.b32encode(bytes.fromhex(totp_device(officer).key)).decode()
    return filed.case, secret


def _console_login(page, base, lang, secret):
    from tests.casework.console_fixtures import PASSWORD

    page.goto(f"{base}/{lang}/console/")
    page.fill("#id_username", OFFICER)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("#login-form [type=submit]")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", RTL_LANGUAGES)
def test_console_on_a_phone__list_case_and_reply(live_server, new_page, console_case, lang):
    case, secret = console_case
    base = live_server.url
    page = new_page(viewport="phone", locale=lang)
    _console_login(page, base, lang, secret)

    page.goto(f"{base}/{lang}/console/casework/case/")
    reference_lines = page.evaluate(
        "() => [...document.querySelectorAll('#result_list .field-reference a')]"
        ".map(a => a.getClientRects().length)"
    )
    stacked = page.evaluate(
        "() => { const r = document.querySelector('#result_list tbody tr');"
        " const cells = [...r.children]; return cells.every(c => getComputedStyle(c).display === 'block'); }"
    )
    # No cell's content runs past the screen's edges (cut off, not scrollable).
    cut_off = page.evaluate(
        "() => [...document.querySelectorAll('#result_list tbody td, #result_list tbody th')]"
        ".filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.className)"
    )
    filters_folded = page.evaluate(
        "() => { const d = document.querySelector('details.console-filters'); return d && !d.open; }"
    )
    list_overflow = sideways_scroll(page)
    save_screenshot(page, f"words-{lang}-phone-console-list")

    page.goto(f"{base}/{lang}/console/casework/case/{case.pk}/change/")
    # Stored normalised: the phone without spaces, the handle without "@".
    assert_drawn_left_to_right(
        page, ".case-detail bdi", [OFFICER, PHONE.replace(" ", ""), HANDLE.lstrip("@")]
    )
    page.fill("textarea[name=body]", "E2E reply from a phone")
    page.locator("form[action$='/message/'] [type=submit]").click()
    assert "E2E reply from a phone" in page.content()
    case_overflow = sideways_scroll(page)
    save_screenshot(page, f"words-{lang}-phone-console-case")

    assert reference_lines == [1], reference_lines
    assert cut_off == [], cut_off
    assert stacked
    assert filters_folded
    assert list_overflow <= 1
    assert case_overflow <= 1


# --- outreach analytics ------------------------------------------------------------------


@pytest.fixture
def analytics_admin(reference_data):
    """An administrator, and Karbala's story: 8 cases a month before a campaign, 2 after."""
    from casework.models import Governorate, Unit
    from outreach.demo import ensure_topics
    from outreach.services import SessionDetails, session_log
    from tests.casework.console_fixtures import make_staff, totp_device

    admin = make_staff("admin.e2e", role="administrator", unit_kind=None, governorates=())
    unit = Unit.objects.get(kind=Unit.Kind.COMMUNITY_POLICE)
    karbala = Governorate.objects.get(code="karbala")
    topics = ensure_topics()
    session_log(
        by=admin.user,
        details=SessionDetails(
            held_on=dt.date(2024, 4, 10),
            duration_minutes=90,
            governorate=karbala,
            district="مركز كربلاء",
            venue_type="school",
            venue_name="إعدادية",
            unit=unit,
            facilitators=[],
            audience_female=40,
            audience_male=0,
            age_band="15_17",
            topics=topics[:2],
        ),
    )
    closed_cases_filed(
        unit=unit, governorate=karbala, per_month=[(1, 8), (2, 8), (3, 8), (5, 2), (6, 2), (7, 3)]
    )
    secret = base64.b32encode(bytes.fromhex(totp_device(admin).key)).decode()
    return karbala, secret


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", RTL_LANGUAGES)
def test_outreach_analytics_on_a_phone__negative_change_in_order(
    live_server, new_page, analytics_admin, lang
):
    from tests.casework.console_fixtures import PASSWORD

    karbala, secret = analytics_admin
    base = live_server.url
    page = new_page(viewport="phone", locale=lang)
    page.goto(f"{base}/{lang}/console/")
    page.fill("#id_username", "admin.e2e")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("#login-form [type=submit]")
    page.goto(
        f"{base}/{lang}/console/outreach/analytics/?start=2024-01&end=2024-07"
        f"&ba-governorate={karbala.pk}&ba-since=2024-04-01&ba-months=3"
    )

    assert_drawn_left_to_right(page, ".before-after-result bdi", ["-71%"])
    overflow = sideways_scroll(page)
    save_screenshot(page, f"words-{lang}-phone-analytics")
    assert overflow <= 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", RTL_LANGUAGES)
def test_error_summary__takes_focus_and_its_link_lands_below_the_sticky_header(
    live_server, new_page, reference_data, lang
):
    page = new_page(viewport="phone", locale=lang)
    base = live_server.url
    page.goto(f"{base}/{lang}/report/")
    page.locator("main a.button").click()
    # Nothing chosen: the step is refused with the summary at the top.
    page.evaluate(
        "() => { const f = document.querySelector('main form');"
        " const i = document.createElement('input'); i.type = 'hidden'; i.name = 'category';"
        " i.value = 'no-such-category'; f.appendChild(i); }"
    )
    page.locator("button[name=next]").click()
    page.wait_for_selector("#error-summary")
    focused = page.evaluate("() => document.activeElement && document.activeElement.id")
    page.locator("#error-summary a").first.click()
    landed = page.evaluate(
        "() => { const id = decodeURIComponent(location.hash.slice(1));"
        " const target = document.getElementById(id);"
        " const header = document.querySelector('.site-header').getBoundingClientRect();"
        " return {found: !!target, top: target ? target.getBoundingClientRect().top : null,"
        " headerBottom: header.bottom}; }"
    )
    save_screenshot(page, f"words-{lang}-phone-error-summary")

    assert focused == "error-summary"
    assert landed["found"], landed
    assert landed["top"] >= landed["headerBottom"] - 1, landed
