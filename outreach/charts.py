"""Monthly charts drawn on the server as inline SVG: no JavaScript, no inline styles.

One chart per series: a bar per month for sessions held and a point per month
(joined by a line) for cases filed, on one shared count axis (both are counts
per month). Every text is escaped here; colours are SVG presentation
attributes (allowed by the CSP, unlike ``style=``), with classes for the
stylesheet to refine.

Right-to-left: in Arabic and Sorani the months run from right to left (the
earliest month at the right, where reading starts), mirroring the x axis and
putting the count axis on the right. The numbers themselves stay as they are.
Each chart is ``role="img"`` with a title and a description; the same numbers
are in the table that follows it on the page.
"""

from __future__ import annotations

import math

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from outreach.selectors import MonthlySeries

WIDTH = 720
HEIGHT = 240
GUTTER = 44  # the count axis, on the start side
END_PAD = 10
TOP = 26
BOTTOM = 42
BAR_COLOUR = "#5b8a9a"
LINE_COLOUR = "#a4161a"
GRID_COLOUR = "#c9d1d9"
INK = "#1b1f24"


def _nice_step(maximum: int) -> int:
    """A 1-2-5 step giving at most five gridlines above zero."""
    if maximum <= 5:
        return 1
    raw = maximum / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def _label_step(months: int) -> int:
    for step in (1, 2, 3, 6, 12):
        if months / step <= 12:
            return step
    return 12 * math.ceil(months / 144)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def monthly_chart(
    series: MonthlySeries, *, rtl: bool, dom_id: str, title: str, description: str
) -> SafeString:
    """The SVG for one series. ``title`` and ``description`` are plain text (escaped here)."""
    months = series.months
    count = len(months)
    highest = max([m.sessions for m in months] + [m.cases for m in months] + [1])
    step = _nice_step(highest)
    top_value = step * math.ceil(highest / step)
    plot_width = WIDTH - GUTTER - END_PAD
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / count
    bar_width = max(slot * 0.6, 1.0)
    plot_start = END_PAD if rtl else GUTTER
    axis_x = WIDTH - GUTTER / 2 if rtl else GUTTER / 2

    def x_of(index: int) -> float:
        # Slot ``index`` counted from the reading start: left in LTR, right in RTL.
        return WIDTH - GUTTER - (index + 1) * slot if rtl else GUTTER + index * slot

    def y_of(value: int) -> float:
        return TOP + plot_height - value / top_value * plot_height

    # Outside the f-string: xgettext does not read calls inside f-strings.
    axis_title = pgettext("chart axis", "Number")
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="outreach-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{dom_id}-title {dom_id}-desc" id="{dom_id}" '
        f'data-direction="{"rtl" if rtl else "ltr"}">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>',
        f'<text class="chart-axis-title" x="{_n(axis_x)}" y="14" text-anchor="middle" '
        f'font-size="11" fill="{INK}">{escape(axis_title)}</text>',
    ]
    for tick in range(0, top_value + 1, step):
        y = _n(y_of(tick))
        out.append(
            f'<line class="chart-grid" x1="{_n(plot_start)}" x2="{_n(plot_start + plot_width)}" '
            f'y1="{y}" y2="{y}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        out.append(
            f'<text class="chart-tick" x="{_n(axis_x)}" y="{y}" text-anchor="middle" '
            f'dominant-baseline="middle" font-size="11" fill="{INK}">'
            f"{escape(formats.number_format(tick))}</text>"
        )

    points: list[tuple[float, float]] = []
    every = _label_step(count)
    labelled_year = None
    for index, figures in enumerate(months):
        left = x_of(index)
        centre = left + slot / 2
        top = y_of(figures.sessions)
        key = figures.month.strftime("%Y-%m")
        out.append(
            f'<rect class="chart-bar" x="{_n(centre - bar_width / 2)}" y="{_n(top)}" '
            f'width="{_n(bar_width)}" height="{_n(TOP + plot_height - top)}" '
            f'fill="{BAR_COLOUR}" data-month="{key}" data-value="{figures.sessions}"/>'
        )
        points.append((centre, y_of(figures.cases)))
        if index % every == 0:
            out.append(
                f'<text class="chart-month" x="{_n(centre)}" y="{HEIGHT - BOTTOM + 15}" '
                f'text-anchor="middle" font-size="11" fill="{INK}">'
                f"{escape(formats.date_format(figures.month, 'M'))}</text>"
            )
            # The year under the first label, and wherever it changes.
            if figures.month.year != labelled_year:
                labelled_year = figures.month.year
                out.append(
                    f'<text class="chart-year" x="{_n(centre)}" y="{HEIGHT - BOTTOM + 31}" '
                    f'text-anchor="middle" font-size="11" fill="{INK}">'
                    f"{figures.month.year}</text>"
                )
    baseline = _n(TOP + plot_height)
    out.append(
        f'<line class="chart-baseline" x1="{_n(plot_start)}" x2="{_n(plot_start + plot_width)}" '
        f'y1="{baseline}" y2="{baseline}" stroke="{INK}" stroke-width="1"/>'
    )
    out.append(
        '<polyline class="chart-line" fill="none" stroke="{colour}" stroke-width="2" '
        'points="{points}"/>'.format(
            colour=LINE_COLOUR, points=" ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        )
    )
    radius = _n(min(3.5, max(slot / 3, 1.5)))
    for (x, y), figures in zip(points, months, strict=True):
        out.append(
            f'<circle class="chart-point" cx="{_n(x)}" cy="{_n(y)}" r="{radius}" '
            f'fill="{LINE_COLOUR}" data-month="{figures.month.strftime("%Y-%m")}" '
            f'data-value="{figures.cases}"/>'
        )
    out.append("</svg>")
    # Every interpolated text went through escape(); the rest are numbers and constants.
    return mark_safe("".join(out))  # noqa: S308


def chart_texts(series: MonthlySeries) -> tuple[str, str]:
    """Title and description of a chart, whole sentences with placeholders."""
    first = formats.date_format(series.months[0].month, "YEAR_MONTH_FORMAT")
    last = formats.date_format(series.months[-1].month, "YEAR_MONTH_FORMAT")
    if series.governorate is None:
        title = _(
            "All of Iraq: awareness sessions held (bars) and cases filed (line) per month, "
            "%(first)s to %(last)s"
        ) % {"first": first, "last": last}
    else:
        title = _(
            "%(governorate)s: awareness sessions held (bars) and cases filed (line) per month, "
            "%(first)s to %(last)s"
        ) % {"governorate": series.governorate, "first": first, "last": last}
    # Label: value pairs, so no count has to agree with a noun (no plural forms).
    description = _(
        "Sessions held: %(sessions)s. People reached: %(people)s. Cases filed: %(cases)s. "
        "The table below gives the numbers for each month."
    ) % {
        "sessions": formats.number_format(series.sessions),
        "people": formats.number_format(series.reached_total),
        "cases": formats.number_format(series.cases),
    }
    return title, description
