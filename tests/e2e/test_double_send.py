"""A double tap on "Send" with JavaScript off, in a real browser, on a slow
server: the browser shows the answer to the second press, and that answer is
the receipt with the code (it used to be a 500, so the code was lost)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_double_send__javascript_off_double_tap_files_once_and_shows_the_code(
    live_server, new_page, reference_data, monkeypatch
):
    import reporting.filing as filing
    from casework.models import Case

    real_report_file = filing.report_file

    def slow_report_file(**kwargs):  # a busy server: the second tap lands mid-filing
        time.sleep(1)
        return real_report_file(**kwargs)

    monkeypatch.setattr(filing, "report_file", slow_report_file)
    page = new_page(viewport="phone", javascript=False, locale="en")
    base = f"{live_server.url}/en/report"
    page.goto(f"{base}/what/")
    page.locator("input[name=category][value=hacked_account]").check()
    page.locator("button[name=next]").click()
    page.goto(f"{base}/check/")

    sends = []
    page.on("request", lambda r: sends.append(r) if r.url.endswith("/report/send/") else None)
    button = page.locator("form[action$='/report/send/'] button")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Raw taps: the second must not wait for the first's navigation.
    page.mouse.click(x, y)
    page.wait_for_timeout(150)
    page.mouse.click(x, y)
    # The second tap aborts the first navigation; a wait that saw that abort
    # (net::ERR_ABORTED) waits again for the page the browser ends on.
    for _attempt in range(3):
        try:
            page.wait_for_url(re.compile(r"/en/report/receipt/$"), timeout=30_000)
            break
        except PlaywrightError as error:
            if "ERR_ABORTED" not in str(error) and "detached" not in str(error):
                raise
    else:
        page.wait_for_url(re.compile(r"/en/report/receipt/$"), timeout=30_000)

    assert len(sends) == 2  # both presses reached the server
    code = page.locator("#secret-code").inner_text().strip()
    assert re.fullmatch(r"\d{4}( \d{4}){4}", code)
    assert Case.objects.count() == 1
    page.reload()  # a refresh shows the same receipt
    assert page.locator("#secret-code").inner_text().strip() == code
