"""A person files a report in a real browser, keeps the receipt and follows up.

Runs in each language at phone and laptop size, and with JavaScript off."""

import io
import re

import pytest
from PIL import Image

from tests.e2e.conftest import LANGUAGES, save_screenshot

pytestmark = pytest.mark.e2e


def _png(tmp_path):
    path = tmp_path / "screenshot.png"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 200), (20, 120, 200)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _submit(page):
    page.locator("button[name=next]").click()


def file_report(page, base, lang, tmp_path):
    page.goto(f"{base}/{lang}/")
    page.locator("a.button").first.click()  # "Report what is happening"
    page.locator("main a.button").click()  # "Start"
    page.locator("input[name=category][value=intimate_images]").check()
    page.locator("input[name=platform][value=whatsapp]").check()
    page.fill("#id_narrative", "E2E narrative")
    _submit(page)
    page.locator("input[name=knows_blackmailer][value=yes]").check()
    page.fill("#id_identifiers", "@e2e.suspect")
    _submit(page)
    page.locator("input[name=deadline][value=week]").check()
    _submit(page)
    page.set_input_files("#id_files", str(_png(tmp_path)))
    _submit(page)
    page.locator("input[name=is_minor][value=no]").check()
    _submit(page)
    page.locator("input[name=female_officer][value=yes]").check()
    page.select_option("#id_governorate", "baghdad")
    _submit(page)
    assert "/report/check/" in page.url
    page.locator("form[action$='/report/send/'] button").click()
    reference = re.search(r"SND-[0-9A-Z]{4}-[0-9A-Z]{4}", page.content()).group(0)
    assert "/report/receipt/" in page.url  # its own address: a refresh shows it again
    passphrase = page.locator("#secret-code").inner_text().strip()
    return reference, passphrase


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("viewport", ["phone", "laptop"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_journey__file_receipt_follow_up_message(
    live_server, new_page, reference_data, tmp_path, lang, viewport, javascript
):
    if not javascript and viewport == "laptop":
        pytest.skip("JavaScript-off run once per language, at phone size")
    from casework.models import Case, Evidence

    page = new_page(viewport=viewport, javascript=javascript, locale=lang)
    reference, passphrase = file_report(page, live_server.url, lang, tmp_path)
    save_screenshot(page, f"{lang}-{viewport}-{'js' if javascript else 'nojs'}-receipt")
    case = Case.objects.get(reference=reference)
    assert Evidence.objects.filter(case=case).count() == 1

    # The practice run, then follow-up with the code typed in Arabic-Indic digits.
    page.fill("#id_passphrase_typed", passphrase)
    page.locator("form[action$='/receipt/check/'] button").click()
    page.locator("main a.button").first.click()  # "Follow up on my report"
    page.fill("#id_reference", reference.lower())
    page.fill("#id_passphrase", passphrase.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    page.locator("main form button").click()
    assert "/follow-up/case/" in page.url
    page.fill("#id_body", "E2E message from the victim")
    page.locator("form[action$='/case/message/'] button").click()
    assert "E2E message from the victim" in page.locator(".thread").inner_text()
    save_screenshot(page, f"{lang}-{viewport}-{'js' if javascript else 'nojs'}-followup")
