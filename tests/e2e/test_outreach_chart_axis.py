"""The outreach chart's count axis stays in view on a 360 px phone, in Arabic and English.

The plot scrolls sideways inside its container; the axis (title and tick
labels) is drawn beside it, outside the scroller, at the start side: the
left in English, the right in Arabic. Screenshots of the scrolled chart go to
tests/e2e/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import base64

import pyotp
import pytest

from tests.e2e.conftest import SCREENSHOTS, closed_cases_filed

pytestmark = pytest.mark.e2e

ADMIN = "admin.axis"

# Scrolls the national chart to its far end (the last month), then reports
# where the axis title, the top tick label, the plot's scroller and the two
# SVGs were drawn.
SCROLL_AND_MEASURE = """
() => {
  const scroller = document.querySelector('#chart-national').closest('.chart-scroll');
  const frame = scroller.closest('.chart-frame');
  const rtl = getComputedStyle(scroller).direction === 'rtl';
  const before = scroller.scrollLeft;
  scroller.scrollLeft = rtl ? -scroller.scrollWidth : scroller.scrollWidth;
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height};
  };
  const ticks = [...frame.querySelectorAll('.chart-count-axis g g text')];
  return {
    rtl,
    scrolled: Math.abs(scroller.scrollLeft - before),
    overflow: scroller.scrollWidth - scroller.clientWidth,
    title: box(frame.querySelector('.chart-count-axis text')),
    topTick: box(ticks[ticks.length - 1]),
    scroller: box(scroller),
    axis: box(frame.querySelector('.chart-count-axis')),
    plot: box(document.querySelector('#chart-national')),
    axisHidden: frame.querySelector('.chart-count-axis').getAttribute('aria-hidden'),
  };
}
"""


@pytest.fixture
def chart_admin(reference_data):
    """An administrator, and a few cases filed in Karbala over seven months."""
    from casework.models import Governorate, Unit
    from tests.casework.console_fixtures import make_staff, totp_device

    admin = make_staff(ADMIN, role="administrator", unit_kind=None, governorates=())
    unit = Unit.objects.get(kind=Unit.Kind.COMMUNITY_POLICE)
    karbala = Governorate.objects.get(code="karbala")
    closed_cases_filed(
        unit=unit, governorate=karbala, per_month=[(1, 8), (2, 6), (3, 12), (5, 2), (6, 4), (7, 3)]
    )
    return base64.b32encode(bytes.fromhex(totp_device(admin).key)).decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_outreach_chart_on_a_phone__axis_stays_in_view_when_the_plot_scrolls(
    live_server, new_page, chart_admin, lang
):
    from tests.casework.console_fixtures import PASSWORD

    base = live_server.url
    page = new_page(viewport="phone", locale=lang)
    page.goto(f"{base}/{lang}/console/")
    page.fill("#id_username", ADMIN)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.fill("#id_code", pyotp.TOTP(chart_admin).now())
    page.click("#login-form [type=submit]")
    page.goto(f"{base}/{lang}/console/outreach/analytics/?start=2024-01&end=2024-07")
    page.locator("#chart-national").scroll_into_view_if_needed()

    drawn = page.evaluate(SCROLL_AND_MEASURE)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("#chart-national").locator(
        "xpath=ancestor::section[contains(@class, 'outreach-chart-card')]"
    ).screenshot(path=str(SCREENSHOTS / f"chart-axis-{lang}-phone-scrolled.png"))
    width = page.viewport_size["width"]

    assert drawn["rtl"] is (lang == "ar")
    assert drawn["overflow"] > 50, "at 360 px the plot should scroll: nothing was tested"
    assert drawn["scrolled"] >= drawn["overflow"] - 1, "the chart did not scroll to its end"
    assert drawn["axisHidden"] == "true"
    for label in ("title", "topTick"):
        box = drawn[label]
        assert 0 <= box["left"] and box["right"] <= width, (label, box)
        assert box["height"] > 0, label
        # At the start side of the scrolling plot, not under it.
        if drawn["rtl"]:
            assert box["left"] >= drawn["scroller"]["right"] - 1, (label, box, drawn["scroller"])
        else:
            assert box["right"] <= drawn["scroller"]["left"] + 1, (label, box, drawn["scroller"])
    # One vertical scale: the two SVGs are drawn equally tall, so every tick
    # label sits level with its gridline.
    assert abs(drawn["axis"]["height"] - drawn["plot"]["height"]) <= 1, drawn
    assert abs(drawn["axis"]["top"] - drawn["plot"]["top"]) <= 1, drawn
