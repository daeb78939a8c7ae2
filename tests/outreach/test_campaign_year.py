"""'Did reports fall?' compares the year before a campaign with the year after
it, leaving the campaign year out, as Karbala's story is told (8 a month at
first, 2-3 a month after a year of seminars)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from outreach import selectors

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def karbala_year(administrator, log_session, governorates, file_case, topics):
    karbala = governorates["karbala"]
    for month in range(1, 13):  # the campaign: a seminar a month through 2023
        log_session(administrator, held_on=D(2023, month, 10), governorate="karbala")
    monthly = {}
    for month in range(1, 13):
        monthly[D(2022, month, 1)] = 8  # the year before
        monthly[D(2023, month, 1)] = 8 - month // 2  # falling during the campaign
        monthly[D(2024, month, 1)] = 2 if month % 2 else 3  # the year after
    for first_day, count in monthly.items():
        for day in range(count):
            file_case(
                karbala,
                dt.datetime(first_day.year, first_day.month, 1 + day, 9, tzinfo=dt.UTC),
            )
    return karbala


def test_campaign_before_after__skips_the_campaign_year(karbala_year):
    result = selectors.campaign_before_after(
        governorate=karbala_year,
        since=D(2023, 1, 1),
        months=12,
        skip_months=11,
        today=D(2025, 6, 1),
    )
    assert (result.before[0].month, result.before[-1].month) == (D(2022, 1, 1), D(2022, 12, 1))
    assert (result.during[0].month, result.during[-1].month) == (D(2023, 2, 1), D(2023, 12, 1))
    assert (result.after[0].month, result.after[-1].month) == (D(2024, 1, 1), D(2024, 12, 1))
    assert (result.before_average, result.after_average) == (8, 2.5)
    assert result.change_percent == -69


def test_analytics_page__year_before_against_year_after_by_default(
    login, administrator, karbala_year
):
    form_defaults = {"ba-governorate": karbala_year.pk, "ba-since": "2023-01-01"}
    with translation.override("en"):
        url = reverse("outreach:analytics")
    client = login(administrator)
    page = client.get(url, {**form_defaults, "ba-months": "12", "ba-skip_months": "11"})
    html = page.content.decode()
    assert 'name="ba-skip_months"' in html
    assert "The 11 months after it are left out too, as the campaign itself." in html
    assert (
        'Cases per month went from 8.0 on average before to 2.5 after (<bdi dir="ltr">-69%</bdi>).'
    ) in html
