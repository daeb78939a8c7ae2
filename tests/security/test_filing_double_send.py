"""Two presses of "Send" 150 ms apart, JavaScript off: one case, and the page
the browser shows (the answer to the second press) is the receipt, never a 500."""

from __future__ import annotations

import threading
import time
from http.cookies import SimpleCookie

import pytest

from casework.models import Case, Evidence
from reporting.models import ReportDraft
from tests.reporting.filing_helpers import shown_code, write_report

SEND = "/en/report/send/"
RECEIPT = "/en/report/receipt/"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_report_submit__concurrent_double_send_files_one_case_and_both_reach_the_receipt(
    client, reference_data, monkeypatch, _evidence_dir
):
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    import reporting.filing as filing

    write_report(client, evidence=True)
    # The second press comes from the same browser: same session, same cookies.
    second_browser_tab = Client()
    second_browser_tab.cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))

    # Widen the window while the first send holds the draft's row lock.
    real_report_file = filing.report_file

    def slow_report_file(**kwargs):
        filed = real_report_file(**kwargs)
        time.sleep(0.4)
        return filed

    monkeypatch.setattr(filing, "report_file", slow_report_file)
    statuses = [None, None]
    clients = [client, second_browser_tab]

    def press(i):
        try:
            time.sleep(0.15 * i)  # the second tap, 150 ms later
            statuses[i] = clients[i].post(SEND).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [303, 303]
    case = Case.objects.get()
    assert Evidence.objects.get().case == case
    assert not ReportDraft.objects.exists()
    # Whichever answer the browser shows, it leads to the same code.
    codes = {shown_code(c.get(RECEIPT).content.decode()) for c in clients}
    assert len(codes) == 1 and None not in codes


@pytest.mark.django_db
def test_report_submit__second_send_after_the_first_finished_is_the_same_receipt(
    client, reference_data
):
    write_report(client)
    assert client.post(SEND).status_code == 303
    code = shown_code(client.get(RECEIPT).content.decode())
    again = client.post(SEND, follow=True)
    assert again.status_code == 200
    assert shown_code(again.content.decode()) == code
    assert Case.objects.count() == 1
