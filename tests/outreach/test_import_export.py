import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from outreach.csv_format import EXPORT_ONLY_COLUMNS, IMPORT_COLUMNS, csv_safe
from outreach.models import AwarenessSession
from outreach.selectors import iraq_today
from outreach.services import CsvImportError, sessions_import_csv

HEADER = (
    "date,duration_minutes,governorate,district,venue_type,venue_name,unit,facilitators,"
    "audience_female,audience_male,age_band,topics,materials,follow_up_requests,notes,"
    "audience_confirmed"
)
GOOD_ROWS = [
    "2023-02-14,90,karbala,مركز كربلاء,school,إعدادية الفاطمية للبنات,community_police,rana;karim,"
    "120,0,15_17,finding_victims;how_to_report,200 منشور,4,,",
    "2023-02-20,60,karbala,الهندية,parents_workshop,ورشة أولياء الأمور,,rana,"
    '25,18,over_35,parental_supervision,,0,"notes, with a comma",no',
    "2023-03-01,120,karbala,عين التمر,online,صفحة الشرطة المجتمعية,community_police,,"
    "3100,2900,mixed,fabricated_images;account_security,,12,,",
]


def _file(lines: list[str], *, bom: bool = False) -> io.BytesIO:
    text = "\r\n".join([HEADER, *lines]) + "\r\n"
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def _problems(refused: CsvImportError) -> list[tuple]:
    return [(e.row, e.column, e.code) for e in refused.errors]


@pytest.mark.parametrize("bom", [False, True])
def test_sessions_import_csv__a_valid_file_imports_every_row(
    outreach_karbala, outreach_karbala_colleague, topics, bom
):
    imported = sessions_import_csv(by=outreach_karbala, file=_file(GOOD_ROWS, bom=bom))

    assert len(imported) == 3
    first, workshop, online = AwarenessSession.objects.order_by("held_on")
    assert first.held_on == dt.date(2023, 2, 14)
    assert first.logged_by == outreach_karbala
    assert first.audience_female == 120 and first.follow_up_requests == 4
    assert {p.user.username for p in first.facilitators.all()} == {"rana", "karim"}
    assert set(first.topics.values_list("code", flat=True)) == {"finding_victims", "how_to_report"}
    assert first.materials == "200 منشور"
    # An empty unit takes the importer's own unit.
    assert workshop.unit == outreach_karbala.staff_profile.unit
    assert workshop.notes == "notes, with a comma"
    assert online.audience_total == 6000 and online.venue_type == "online"


def test_sessions_import_csv__one_bad_row_imports_nothing_and_names_the_row(
    outreach_karbala, outreach_karbala_colleague, topics
):
    future = (iraq_today() + dt.timedelta(days=10)).isoformat()
    bad = GOOD_ROWS[1].replace("2023-02-20", future)

    with pytest.raises(CsvImportError) as refused:
        sessions_import_csv(by=outreach_karbala, file=_file([GOOD_ROWS[0], bad, GOOD_ROWS[2]]))

    # The header is row 1, so the second session is row 3, as a spreadsheet shows it.
    assert _problems(refused.value) == [(3, "date", "date_in_future")]
    assert "The date is in the future" in refused.value.errors[0].message
    assert not AwarenessSession.objects.exists()


def test_sessions_import_csv__lists_every_problem_of_every_row(
    outreach_karbala, outreach_karbala_colleague, topics
):
    rows = [
        GOOD_ROWS[0],
        "14/02/2023,ninety,karbala,x,school,y,,nobody,10,0,15_17,how_to_report,,0,,",
        "2023-02-15,60,atlantis,x,castle,y,,,10,-1,15_17,magic,,0,,maybe",
        "2023-02-16,60,basra,x,school,y,,,5,5,15_17,how_to_report,,20,,",
        "2023-02-17,60,karbala,x,school,y,,,900,0,15_17,how_to_report,,0,,",
    ]

    with pytest.raises(CsvImportError) as refused:
        sessions_import_csv(by=outreach_karbala, file=_file(rows))

    assert _problems(refused.value) == [
        (3, "date", "not_a_date"),
        (3, "duration_minutes", "not_a_number"),
        (3, "facilitators", "unknown_user"),
        (4, "governorate", "unknown_code"),
        (4, "venue_type", "unknown_code"),
        (4, "topics", "unknown_code"),
        (4, "audience_confirmed", "not_yes_no"),
        (5, "governorate", "governorate_not_covered"),
        (5, "follow_up_requests", "follow_up_exceeds_audience"),
        (6, "audience_confirmed", "audience_unusually_large"),
    ]
    assert "“ninety” is not a whole number." in refused.value.errors[1].message
    assert not AwarenessSession.objects.exists()


def test_sessions_import_csv__a_confirmed_large_audience_is_accepted(outreach_karbala, topics):
    row = "2023-02-17,60,karbala,x,school,y,,,900,0,15_17,how_to_report,,0,,yes"
    sessions_import_csv(by=outreach_karbala, file=_file([row]))
    assert AwarenessSession.objects.get().audience_confirmed is True


def test_sessions_import_csv__arabic_indic_digits_are_read(outreach_karbala, topics):
    row = "٢٠٢٣-٠٢-١٧,٦٠,karbala,x,school,y,,,٤٥,٠,15_17,how_to_report,,,,"
    sessions_import_csv(by=outreach_karbala, file=_file([row]))
    session = AwarenessSession.objects.get()
    assert (session.held_on, session.duration_minutes, session.audience_female) == (
        dt.date(2023, 2, 17),
        60,
        45,
    )


def test_sessions_import_csv__refuses_unknown_and_missing_columns(outreach_karbala, topics):
    text = "date,duration_minutes,governorate,colour\n2023-01-01,60,karbala,blue\n"
    with pytest.raises(CsvImportError) as refused:
        sessions_import_csv(by=outreach_karbala, file=io.BytesIO(text.encode()))
    assert [(e.row, e.code) for e in refused.value.errors] == [
        (1, "unknown_columns"),
        (1, "missing_columns"),
    ]
    assert "colour" in refused.value.errors[0].message
    assert "venue_type" in refused.value.errors[1].message


def test_sessions_import_csv__refuses_files_over_2_mb(outreach_karbala, topics):
    padding = "," + "x" * 200
    big = _file([GOOD_ROWS[0] + padding] * 11_000)
    with pytest.raises(CsvImportError) as refused:
        sessions_import_csv(by=outreach_karbala, file=big)
    assert _problems(refused.value) == [(None, None, "file_too_large")]


def test_sessions_import_csv__refuses_a_file_that_is_not_utf8(outreach_karbala, topics):
    latin = (HEADER + "\n" + GOOD_ROWS[0]).encode("utf-8").replace(b"\xd9", b"\xff")
    with pytest.raises(CsvImportError) as refused:
        sessions_import_csv(by=outreach_karbala, file=io.BytesIO(latin))
    assert _problems(refused.value) == [(None, None, "not_utf8")]


def test_sessions_import_csv__skips_blank_lines_but_keeps_counting_rows(outreach_karbala, topics):
    future = (iraq_today() + dt.timedelta(days=1)).isoformat()
    bad = f"{future},60,karbala,x,school,y,,,5,5,15_17,how_to_report,,,,"
    with pytest.raises(CsvImportError) as refused:
        sessions_import_csv(by=outreach_karbala, file=_file(["", ",,,", bad]))
    assert _problems(refused.value) == [(4, "date", "date_in_future")]


def _import_url() -> str:
    with translation.override("en"):
        return reverse("outreach:session_import")


def test_session_import_view__reports_the_row_and_problem_and_imports_nothing(
    login, outreach_karbala, outreach_karbala_colleague, topics
):
    bad = GOOD_ROWS[2].replace(",12,", ",7000,")
    upload = SimpleUploadedFile(
        "sessions.csv", _file([GOOD_ROWS[0], bad]).getvalue(), content_type="text/csv"
    )

    response = login(outreach_karbala).post(_import_url(), {"file": upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-row="3" data-code="follow_up_exceeds_audience"' in html
    assert "more follow-up requests (7000) than people present (6000)" in html
    assert "Nothing was imported" in html
    assert not AwarenessSession.objects.exists()


def test_session_import_view__a_valid_file_imports_and_says_how_many(
    login, outreach_karbala, outreach_karbala_colleague, topics
):
    upload = SimpleUploadedFile("sessions.csv", _file(GOOD_ROWS, bom=True).getvalue())

    response = login(outreach_karbala).post(_import_url(), {"file": upload}, follow=True)

    assert AwarenessSession.objects.count() == 3
    assert "3 sessions were imported." in response.content.decode()


def test_session_import_view__refuses_an_upload_too_large_to_be_received(
    login, outreach_karbala, topics
):
    # Above the upload memory limit Django drops the file before the view runs.
    upload = SimpleUploadedFile("big.csv", b"x" * (3 * 1024 * 1024))
    response = login(outreach_karbala).post(_import_url(), {"file": upload})
    assert response.status_code == 200
    assert 'data-code="file_too_large"' in response.content.decode()


def test_export_then_import__round_trips_the_sessions(
    login, outreach_karbala, outreach_karbala_colleague, topics
):
    sessions_import_csv(by=outreach_karbala, file=_file(GOOD_ROWS))
    with translation.override("en"):
        url = reverse("outreach:session_export")
    response = login(outreach_karbala).get(url)
    exported = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    before = sorted(
        AwarenessSession.objects.values_list("held_on", "venue_name", "audience_female", "notes")
    )
    AwarenessSession.objects.all().delete()

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=IMPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(exported)
    sessions_import_csv(by=outreach_karbala, file=io.BytesIO(out.getvalue().encode()))

    assert set(exported[0]) == set(IMPORT_COLUMNS) | set(EXPORT_ONLY_COLUMNS)
    assert (
        sorted(
            AwarenessSession.objects.values_list(
                "held_on", "venue_name", "audience_female", "notes"
            )
        )
        == before
    )


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+9647700000000", "'+9647700000000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("مدرسة", "مدرسة"),
        (42, 42),
    ],
)
def test_csv_safe__neutralises_formulas_only(cell, written):
    assert csv_safe(cell) == written


def test_readme__documents_every_import_column():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Outreach CSV import", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)
    assert documented == IMPORT_COLUMNS
