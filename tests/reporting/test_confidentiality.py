"""What an attacker with a database dump, or a log reader, would find: nothing."""

import logging

import pytest
from django.db import connection

from casework.services import message_send_by_victim

NAME = "Layla Qasim"
PHONE_LOCAL = "0770 555 1234"
NARRATIVE = "He threatened to send my pictures to my uncle unless I paid"
HANDLE = "@blackmail.king.9"
MESSAGE = "Please call me after four, my brother is home now"


def _dump_everything() -> str:
    """Every row of every table, as text (bytes decoded leniently)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        parts.append(bytes(value).decode("utf-8", "ignore"))
                        parts.append(bytes(value).decode("latin-1"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


@pytest.mark.django_db
def test_database_dump__holds_no_victim_data(file_report):
    filed = file_report(
        name=NAME,
        phone=PHONE_LOCAL,
        narrative=NARRATIVE,
        suspect_identifiers=[HANDLE, "0771 999 8888"],
        safe_hours="after 4pm",
        contact_method="phone",
    )
    message_send_by_victim(case=filed.case, body=MESSAGE)
    dump = _dump_everything()
    for secret in [
        NAME,
        "Layla",
        PHONE_LOCAL,
        "7705551234",
        NARRATIVE,
        "my uncle unless",
        "blackmail.king",
        "7719998888",
        MESSAGE,
        "after 4pm",
        filed.passphrase.replace(" ", ""),
        filed.passphrase,
    ]:
        assert secret not in dump, f"found plaintext in the database: {secret[:8]}…"
    assert filed.case.reference in dump  # the dump itself is real


@pytest.mark.django_db
def test_logs__carry_no_victim_data_through_the_journey(client, reference_data, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(
        "/en/report/what/", {"category": "intimate_images", "narrative": NARRATIVE, "next": "1"}
    )
    client.post(
        "/en/report/blackmailer/", {"knows_blackmailer": "yes", "identifiers": HANDLE, "next": "1"}
    )
    client.post(
        "/en/report/contact/",
        {
            "contact_method": "phone",
            "phone": PHONE_LOCAL,
            "name": NAME,
            "governorate": "karbala",
            "next": "1",
        },
    )
    response = client.post("/en/report/send/", follow=True)
    assert response.status_code == 200
    passphrase = response.context["passphrase"]
    reference = response.context["reference"]
    client.post("/en/follow-up/", {"reference": reference, "passphrase": "1" * 20})
    client.post("/en/follow-up/", {"reference": reference, "passphrase": passphrase})
    client.post("/en/follow-up/case/message/", {"body": MESSAGE})
    client.get("/en/nowhere/?name=" + NAME)
    text = "\n".join(
        [caplog.text]
        + [str(getattr(r, "args", "")) for r in caplog.records]
        + [str(getattr(r, "request", "")) for r in caplog.records]
    )
    for secret in [
        NAME,
        PHONE_LOCAL,
        NARRATIVE,
        HANDLE,
        MESSAGE,
        passphrase,
        passphrase.replace(" ", ""),
    ]:
        assert secret not in text
