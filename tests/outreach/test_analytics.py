"""Analytics on a hand-made data set, with exact numbers.

Karbala: one early session (Nov 2022), then a campaign whose first session is
14 March 2023. Cases: about 8 a month before, 2-3 after. Najaf has cases in the
same months, which must never leak into Karbala's figures.
"""

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from outreach import selectors
from outreach.charts import monthly_chart
from outreach.selectors import MonthFigures, MonthlySeries

D = dt.date
BAGHDAD = ZoneInfo("Asia/Baghdad")


@pytest.fixture
def karbala_story(administrator, log_session, governorates, file_case, topics):
    karbala, najaf = governorates["karbala"], governorates["najaf"]
    sessions = [
        # (date, governorate, women and girls, men and boys, venue type)
        (D(2022, 11, 5), "karbala", 30, 0, "womens_forum"),
        (D(2023, 3, 14), "karbala", 80, 40, "school"),
        (D(2023, 3, 28), "karbala", 0, 150, "university"),
        (D(2023, 4, 2), "karbala", 60, 60, "school"),
        (D(2023, 4, 30), "karbala", 25, 0, "parents_workshop"),
        (D(2023, 6, 10), "karbala", 10, 5, "neighbourhood_forum"),
        (D(2023, 4, 15), "najaf", 50, 50, "school"),
    ]
    for held_on, code, female, male, venue in sessions:
        log_session(
            administrator,
            held_on=held_on,
            governorate=code,
            audience_female=female,
            audience_male=male,
            venue_type=venue,
        )
    cases = {
        # month -> Karbala cases filed that month
        D(2022, 11, 1): 6,
        D(2022, 12, 1): 8,
        D(2023, 1, 1): 9,
        D(2023, 2, 1): 7,
        D(2023, 3, 1): 5,
        D(2023, 4, 1): 3,
        D(2023, 5, 1): 2,
        D(2023, 6, 1): 2,
        D(2023, 7, 1): 4,
    }
    for month, count in cases.items():
        for day in range(count):
            file_case(karbala, dt.datetime(month.year, month.month, 2 + day, 12, 0, tzinfo=BAGHDAD))
    # 23:30 on 28 February in Baghdad is still February there (20:30 UTC).
    file_case(karbala, dt.datetime(2023, 2, 28, 23, 30, tzinfo=BAGHDAD))
    for day in range(4):
        file_case(najaf, dt.datetime(2023, 4, 3 + day, 9, 0, tzinfo=BAGHDAD))
    file_case(None, dt.datetime(2023, 4, 9, 9, 0, tzinfo=BAGHDAD))  # filed without a governorate
    return {"karbala": karbala, "najaf": najaf}


def test_sessions_by_month__counts_sessions_and_people_per_month_and_governorate(karbala_story):
    rows = selectors.sessions_by_month(start=D(2023, 3, 1), end=D(2023, 6, 30))
    karbala, najaf = karbala_story["karbala"].pk, karbala_story["najaf"].pk

    assert sorted(rows, key=lambda r: (r["month"], r["governorate_id"])) == sorted(
        [
            {"month": D(2023, 3, 1), "governorate_id": karbala, "sessions": 2,
             "reached_female": 80, "reached_male": 190},
            {"month": D(2023, 4, 1), "governorate_id": karbala, "sessions": 2,
             "reached_female": 85, "reached_male": 60},
            {"month": D(2023, 4, 1), "governorate_id": najaf, "sessions": 1,
             "reached_female": 50, "reached_male": 50},
            {"month": D(2023, 6, 1), "governorate_id": karbala, "sessions": 1,
             "reached_female": 10, "reached_male": 5},
        ],
        key=lambda r: (r["month"], r["governorate_id"]),
    )  # fmt: skip


def test_outreach_analytics__monthly_series_filled_with_zeros_beside_cases(karbala_story):
    result = selectors.outreach_analytics(
        first_month=D(2023, 2, 1), last_month=D(2023, 7, 1), governorates=[karbala_story["karbala"]]
    )

    (karbala,) = result.governorates
    assert [(m.month, m.sessions, m.reached_female, m.reached_male, m.cases) for m in karbala.months] == [
        (D(2023, 2, 1), 0, 0, 0, 8),
        (D(2023, 3, 1), 2, 80, 190, 5),
        (D(2023, 4, 1), 2, 85, 60, 3),
        (D(2023, 5, 1), 0, 0, 0, 2),
        (D(2023, 6, 1), 1, 10, 5, 2),
        (D(2023, 7, 1), 0, 0, 0, 4),
    ]  # fmt: skip
    # The national series covers every governorate, and cases filed without one.
    assert [(m.sessions, m.cases) for m in result.national.months] == [
        (0, 8),
        (2, 5),
        (3, 3 + 4 + 1),
        (0, 2),
        (1, 2),
        (0, 4),
    ]
    assert (karbala.sessions, karbala.reached_total, karbala.cases) == (5, 430, 24)


def test_campaign_before_after__averages_the_months_on_each_side(karbala_story):
    result = selectors.campaign_before_after(
        governorate=karbala_story["karbala"], since=D(2023, 1, 1), months=3, today=D(2024, 1, 15)
    )

    assert result.first_session_on == D(2023, 3, 14)
    assert [(m.month, m.cases) for m in result.before] == [
        (D(2022, 12, 1), 8),
        (D(2023, 1, 1), 9),
        (D(2023, 2, 1), 8),
    ]
    assert (result.campaign_month.month, result.campaign_month.cases) == (D(2023, 3, 1), 5)
    assert [(m.month, m.cases) for m in result.after] == [
        (D(2023, 4, 1), 3),
        (D(2023, 5, 1), 2),
        (D(2023, 6, 1), 2),
    ]
    assert (result.before_cases, result.after_cases) == (25, 7)
    assert (result.before_average, result.after_average) == (Decimal("8.3"), Decimal("2.3"))
    assert result.change_percent == Decimal("-72")  # (7/3) / (25/3) - 1 = -0.72
    assert (result.before_sessions, result.after_sessions) == (0, 3)
    assert result.campaign_month.sessions == 2
    assert not result.after_is_short


def test_campaign_before_after__counts_only_complete_months_after(karbala_story):
    # On 20 May 2023 only April is complete; May is still running.
    result = selectors.campaign_before_after(
        governorate=karbala_story["karbala"], since=D(2023, 3, 1), months=3, today=D(2023, 5, 20)
    )
    assert [m.month for m in result.after] == [D(2023, 4, 1)]
    assert result.after_average == Decimal("3.0")
    assert result.after_is_short


def test_campaign_before_after__the_since_date_picks_the_campaigns_first_session(karbala_story):
    early = selectors.campaign_before_after(
        governorate=karbala_story["karbala"], since=D(2022, 1, 1), months=1, today=D(2024, 1, 1)
    )
    none_after = selectors.campaign_before_after(
        governorate=karbala_story["karbala"], since=D(2023, 7, 1), months=3, today=D(2024, 1, 1)
    )

    assert early.first_session_on == D(2022, 11, 5)
    assert [(m.month, m.cases) for m in early.before + early.after] == [
        (D(2022, 10, 1), 0),
        (D(2022, 12, 1), 8),
    ]
    assert not none_after.found
    assert none_after.before_average is None and none_after.after_average is None


def test_campaign_before_after__is_robust_to_no_cases_at_all(
    administrator, log_session, governorates
):
    log_session(administrator, held_on=D(2023, 5, 5), governorate="basra")

    result = selectors.campaign_before_after(
        governorate=governorates["basra"], since=D(2023, 1, 1), months=6, today=D(2024, 6, 1)
    )

    assert result.before_average == Decimal("0.0") and result.after_average == Decimal("0.0")
    assert result.change_percent is None  # no percentage of zero


def test_yearly_summary__sessions_audience_venues_and_topics(karbala_story, governorates):
    total, karbala, najaf = selectors.yearly_summary(
        year=2023, governorates=[governorates["najaf"], governorates["karbala"]]
    )

    assert karbala.governorate.code == "karbala" and najaf.governorate.code == "najaf"
    assert (karbala.sessions, karbala.minutes, karbala.hours) == (5, 450, Decimal("7.5"))
    assert (karbala.reached_female, karbala.reached_male, karbala.reached_total) == (175, 255, 430)
    assert [(v.code, v.sessions, v.audience) for v in karbala.venue_types] == [
        ("school", 2, 240),
        ("university", 1, 150),
        ("neighbourhood_forum", 1, 15),
        ("parents_workshop", 1, 25),
    ]
    assert [(t.code, t.sessions) for t in karbala.topics] == [
        ("evidence_no_payment", 5),
        ("how_to_report", 5),
    ]
    assert (total.sessions, total.reached_total) == (6, 530)
    assert [(v.code, v.sessions) for v in total.venue_types][0] == ("school", 3)


# --- The page: charts and their tables


class _ChartParser(HTMLParser):
    """Collects, per chart id, its bars, points and the rows of its table."""

    def __init__(self):
        super().__init__()
        self.svg: dict[str, dict[str, list]] = {}
        self.tables: dict[str, list[dict]] = {}
        self._svg = self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and "outreach-chart" in attrs.get("class", ""):
            self._svg = attrs["id"]
            year, month = map(int, attrs["data-first-month"].split("-"))
            months = [
                f"{year + (month - 1 + i) // 12}-{(month - 1 + i) % 12 + 1:02d}"
                for i in range(int(attrs["data-months"]))
            ]
            self.svg[self._svg] = {"months": months, "dir": attrs["data-direction"]}
        elif self._svg and tag == "path" and attrs.get("class") == "chart-bars":
            self.svg[self._svg]["bar_values"] = [int(v) for v in attrs["data-values"].split()]
            # One stroke (subpath) per month with sessions.
            self.svg[self._svg]["bar_shapes"] = attrs["d"].count("M")
        elif self._svg and tag == "polyline" and attrs.get("class") == "chart-line":
            chart = self.svg[self._svg]
            xs = [float(point.split(",")[0]) for point in attrs["points"].split()]
            values = [int(v) for v in attrs["data-values"].split()]
            chart["points"] = list(zip(chart["months"], values, strict=True))
            # (month, sessions, x of the month's slot)
            chart["bars"] = list(zip(chart["months"], chart["bar_values"], xs, strict=True))
        elif tag == "table" and "chart-table" in attrs.get("class", ""):
            self._table = attrs["id"].removesuffix("-table")
            self.tables[self._table] = []
        elif self._table and tag == "tr" and "data-month" in attrs:
            self._row = {"month": attrs["data-month"]}
        elif self._row is not None and tag == "td":
            self._cell = attrs.get("class")

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        elif tag == "table":
            self._table = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._row is not None and self._cell:
            self._row[self._cell] = int(data)


def _analytics(client, language="en", **params):
    with translation.override(language):
        url = reverse("outreach:analytics")
    return client.get(url, params)


def test_analytics_page__one_bar_and_one_point_per_month_matching_the_table(
    login, administrator, karbala_story
):
    response = _analytics(
        login(administrator),
        start="2023-01",
        end="2023-06",
        governorates=[karbala_story["karbala"].pk, karbala_story["najaf"].pk],
    )

    assert response.status_code == 200
    parser = _ChartParser()
    parser.feed(response.content.decode())
    months = ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"]
    assert set(parser.svg) == {"chart-national", "chart-karbala", "chart-najaf"}
    for chart_id, drawn in parser.svg.items():
        table = parser.tables[chart_id]
        assert drawn["bar_shapes"] == sum(1 for b in drawn["bars"] if b[1])
        assert [b[0] for b in drawn["bars"]] == months
        assert [p[0] for p in drawn["points"]] == months
        assert [row["month"] for row in table] == months
        assert [b[1] for b in drawn["bars"]] == [row["sessions"] for row in table]
        assert [p[1] for p in drawn["points"]] == [row["cases"] for row in table]
    karbala = parser.tables["chart-karbala"]
    assert [row["sessions"] for row in karbala] == [0, 0, 2, 2, 0, 1]
    assert [row["cases"] for row in karbala] == [9, 8, 5, 3, 2, 2]
    assert [row["female"] for row in karbala] == [0, 0, 80, 85, 0, 10]
    assert [row["male"] for row in karbala] == [0, 0, 190, 60, 0, 5]


def test_analytics_page__charts_are_labelled_images(login, administrator, karbala_story):
    html = _analytics(
        login(administrator),
        start="2023-01",
        end="2023-06",
        governorates=karbala_story["karbala"].pk,
    ).content.decode()

    assert re.search(
        r'<svg [^>]*role="img" [^>]*aria-labelledby="chart-karbala-title chart-karbala-desc"', html
    )
    assert '<title id="chart-karbala-title">Karbala: awareness sessions held (bars)' in html
    assert "Sessions held: 5. People reached: 430. Cases filed: 29." in html


def test_analytics_page__months_read_right_to_left_in_arabic(login, administrator, karbala_story):
    client = login(administrator)
    params = {"start": "2023-01", "end": "2023-06", "governorates": karbala_story["karbala"].pk}

    def bars(language):
        parser = _ChartParser()
        parser.feed(_analytics(client, language, **params).content.decode())
        return parser.svg["chart-karbala"]

    arabic, english = bars("ar"), bars("en")
    assert arabic["dir"] == "rtl" and english["dir"] == "ltr"
    assert arabic["bars"][0][2] > arabic["bars"][-1][2]  # January at the right
    assert english["bars"][0][2] < english["bars"][-1][2]  # January at the left
    html = _analytics(client, "ar", **params).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "كربلاء" in html


def test_analytics_page__answers_the_karbala_question(login, administrator, karbala_story):
    response = _analytics(
        login(administrator),
        **{
            "ba-governorate": karbala_story["karbala"].pk,
            "ba-since": "2023-01-01",
            "ba-months": "3",
        },
    )

    result = response.context["before_after"]
    html = response.content.decode()
    assert result.first_session_on == D(2023, 3, 14)
    assert (result.before_average, result.after_average) == (Decimal("8.3"), Decimal("2.3"))
    assert (
        'Cases per month went from 8.3 on average before to 2.3 after (<bdi dir="ltr">-72%</bdi>).'
    ) in html
    assert "it does not prove that the sessions caused the change" in html


def test_analytics_page__renders_with_no_case_and_no_session(login, outreach_karbala):
    response = _analytics(login(outreach_karbala), start="2020-01", end="2020-12")
    assert response.status_code == 200
    parser = _ChartParser()
    parser.feed(response.content.decode())
    # The outreach user's own governorate by default, plus the national chart.
    assert set(parser.svg) == {"chart-national", "chart-karbala"}
    assert [p[1] for p in parser.svg["chart-karbala"]["points"]] == [0] * 12


def test_analytics_page__query_count_does_not_grow_with_governorates_or_months(
    login, administrator, karbala_story, governorates
):
    client = login(administrator)

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            assert _analytics(client, **params).status_code == 200
        return len(captured)

    # The first page of a session stores its CSRF token (the header's logout form).
    queries(start="2023-03", end="2023-04")
    small = queries(start="2023-03", end="2023-04", governorates=karbala_story["karbala"].pk)
    large = queries(
        start="2019-01", end="2023-12", governorates=[g.pk for g in governorates.values()]
    )
    assert small == large


def test_monthly_chart__escapes_its_texts():
    series = MonthlySeries(
        key="x", governorate=None, months=[MonthFigures(month=D(2024, 1, 1), sessions=1)]
    )
    svg = monthly_chart(
        series, rtl=False, dom_id="c", title="<script>alert(1)</script>", description="a & b"
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "a &amp; b" in svg


def test_yearly_summary_page__printable_per_governorate(login, administrator, karbala_story):
    with translation.override("en"):
        url = reverse("outreach:yearly_summary")
    response = login(administrator).get(url, {"year": "2023"})

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'<tr data-governorate="karbala"><th scope="row">Karbala</th><td>5</td><td>7.5</td>'
        r"<td>175</td><td>255</td><td>430</td>",
        html,
    )
    assert 'class="card no-print"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"start": "0001-01", "end": "0001-03"},
        {"start": "1990-01"},
        {"start": "2024-05", "end": "2024-01"},
        {"start": "2024-13"},
        {"end": "2024-02-30"},
    ],
)
def test_analytics_page__odd_month_ranges_fall_back_to_a_sane_range(
    login, outreach_karbala, params
):
    response = _analytics(login(outreach_karbala), **params)
    assert response.status_code == 200
    months = response.context["national"]["series"].months
    assert 1 <= len(months) <= 120


def test_analytics_page__many_governorates_send_their_tables_one_at_a_time(
    login, administrator, karbala_story, governorates
):
    client = login(administrator)
    every = [g.pk for g in governorates.values()]
    html = _analytics(client, start="2023-01", end="2023-06", governorates=every).content.decode()
    parser = _ChartParser()
    parser.feed(html)
    assert len(parser.svg) == len(every) + 1  # every chart is drawn
    assert set(parser.tables) == {"chart-national"}  # one table: the nation's
    karbala = karbala_story["karbala"].pk
    link = f"?start=2023-01&amp;end=2023-06&amp;governorates={karbala}#chart-karbala-table"
    assert link in html
    alone = _analytics(client, start="2023-01", end="2023-06", governorates=karbala)
    parser = _ChartParser()
    parser.feed(alone.content.decode())
    assert set(parser.tables) == {"chart-national", "chart-karbala"}
    assert [row["cases"] for row in parser.tables["chart-karbala"]] == [9, 8, 5, 3, 2, 2]
