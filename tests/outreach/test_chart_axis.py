"""The count axis drawn apart from the plot: same scale, labels not cut off, on the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from outreach.charts import count_axis, monthly_chart
from outreach.selectors import MonthFigures, MonthlySeries


def _series(count: int) -> MonthlySeries:
    months = [
        MonthFigures(month=dt.date(2019 + i // 12, i % 12 + 1, 1), sessions=i % 4, cases=i % 17)
        for i in range(count)
    ]
    return MonthlySeries(key="x", governorate=None, months=months)


def _viewbox(svg: str) -> tuple[float, float]:
    x, _y, width, _height = map(float, re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    return x, x + width


@pytest.mark.parametrize("rtl", [False, True])
def test_count_axis__each_tick_label_level_with_its_gridline(rtl):
    series = _series(24)
    plot = monthly_chart(series, rtl=rtl, dom_id="c", title="t", description="d")
    with translation.override("en"):
        axis = count_axis(series)

    grid = re.search(r'<path fill="none" stroke="#c9d1d9" d="([^"]+)"', plot).group(1)
    gridline_ys = [float(y) for y in re.findall(r"M[\d.]+ ([\d.]+)H", grid)]
    tick_ys = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)">\d', axis)]
    assert tick_ys == gridline_ys and len(tick_ys) >= 2
    assert re.search(r'viewBox="0 0 \d+ (\d+)"', axis).group(1) == re.search(
        r'viewBox="[\d.]+ 0 [\d.]+ (\d+)"', plot
    ).group(1)
    assert 'aria-hidden="true"' in axis and "Number" in axis
    assert "Number" not in plot  # drawn once, in the axis that stays in view


@pytest.mark.parametrize("rtl", [False, True])
@pytest.mark.parametrize("count", [12, 36, 60])
def test_monthly_chart__month_and_year_labels_inside_the_plot_svg(rtl, count):
    plot = monthly_chart(_series(count), rtl=rtl, dom_id="c", title="t", description="d")
    start, end = _viewbox(plot)
    label_xs = [float(x) for x in re.findall(r'<text x="([\d.]+)">', plot)]

    assert label_xs
    # A four-digit year at font size 11 reaches about 13 units either side of its centre.
    assert all(start + 13 <= x <= end - 13 for x in label_xs), (start, end, label_xs)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_analytics_page__axis_beside_the_scroller_not_inside_it(login, administrator, language):
    # The request activates its page's language; the override puts the
    # previous one back so no later test runs in Arabic.
    with translation.override(language):
        url = reverse("outreach:analytics")
        response = login(administrator).get(url, {"start": "2023-01", "end": "2023-06"})
    html = response.content.decode()

    assert re.search(
        r'<div class="chart-frame"><svg class="chart-count-axis" [^>]*aria-hidden="true"'
        r'.*?</svg><div class="chart-scroll" [^>]*><svg class="outreach-chart" [^>]*'
        r'id="chart-national"',
        html,
    )
    assert ' style="' not in html
