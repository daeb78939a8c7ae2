"""Monthly charts drawn on the server as inline SVG: no JavaScript, no inline styles.

One chart per series: a bar per month for sessions held and a point per month
(joined by a line) for cases filed, on one shared count axis (both are counts
per month). The SVG is compact (one path for the bars, one polyline with a
point marker), coordinates are formatted once in plain Python, never through
Django's localisation, so a page of 19 five-year charts stays small and fast. Every text is escaped here; colours are SVG presentation
attributes (allowed by the CSP, unlike ``style=``), with classes for the
stylesheet to refine.

Right-to-left: in Arabic and Sorani the months run from right to left (the
earliest month at the right, where reading starts), mirroring the x axis and
putting the count axis on the right. The count axis is a separate small SVG
(``count_axis``) beside the plot, so it stays in view while a phone scrolls
the months sideways. The numbers themselves stay as they are.
Each chart is ``role="img"`` with a title and a description; the same numbers
are in the table that follows it on the page.
"""

from __future__ import annotations

import functools
import math

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from outreach.selectors import MonthlySeries

WIDTH = 720
HEIGHT = 240
GUTTER = 44  # the count axis, on the start side
END_PAD = 10
# The plot's own SVG reaches this far into the gutter, so a month or year
# label centred on the first slot is not cut off where the axis SVG begins.
PLOT_LEAD = 14
TOP = 26
BOTTOM = 42
BAR_COLOUR = "#5b8a9a"
LINE_COLOUR = "#a4161a"
GRID_COLOUR = "#c9d1d9"
# Longer ranges are labelled by year only (a month name under every sixth bar
# says little at that scale and weighs on a page of 19 charts).
YEARS_ONLY_AFTER_MONTHS = 36
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
    """A coordinate in plain Python (never localised): "12.5", "40"."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=512)
def _month_label_in(language: str, month) -> str:
    return formats.date_format(month, "M")


def _month_label(month) -> str:
    """The month's short name, formatted once per language and month per process."""
    return _month_label_in(get_language(), month)


def _count_scale(series: MonthlySeries) -> tuple[int, int]:
    """The gridline step and the top of the count axis, shared by plot and axis."""
    months = series.months
    highest = max([m.sessions for m in months] + [m.cases for m in months] + [1])
    step = _nice_step(highest)
    return step, step * math.ceil(highest / step)


def _y_of(value: int, top_value: int) -> float:
    plot_height = HEIGHT - TOP - BOTTOM
    return TOP + plot_height - value / top_value * plot_height


def count_axis(series: MonthlySeries) -> SafeString:
    """The count axis (title and tick labels) as its own small SVG.

    It sits beside the plot, outside the sideways scroller, so on a phone the
    scale stays in view while the months scroll. Same height and vertical
    scale as the plot (the stylesheet keeps both at one width ratio), so each
    label lines up with its gridline. Hidden from screen readers: the plot's
    description and the table carry the numbers.
    """
    step, top_value = _count_scale(series)
    middle = _n(GUTTER / 2)
    # Outside the f-string: xgettext does not read calls inside f-strings.
    axis_title = pgettext("chart axis", "Number")
    out = [
        f'<svg class="chart-count-axis" viewBox="0 0 {GUTTER} {HEIGHT}" aria-hidden="true">'
        f'<g font-size="11" fill="{INK}" text-anchor="middle">'
        f'<text x="{middle}" y="14">{escape(axis_title)}</text>'
        '<g dominant-baseline="middle">'
    ]
    for tick in range(0, top_value + 1, step):
        out.append(
            f'<text x="{middle}" y="{_n(_y_of(tick, top_value))}">'
            f"{escape(formats.number_format(tick))}</text>"
        )
    out.append("</g></g></svg>")
    return mark_safe("".join(out))  # noqa: S308


def monthly_chart(
    series: MonthlySeries, *, rtl: bool, dom_id: str, title: str, description: str
) -> SafeString:
    """The plot SVG for one series. ``title`` and ``description`` are plain text (escaped here).

    The count axis is drawn apart by ``count_axis``: the viewBox leaves the
    axis gutter out (all but ``PLOT_LEAD`` of it), so the plot can scroll
    while the axis stays put.
    """
    months = series.months
    count = len(months)
    step, top_value = _count_scale(series)
    plot_width = WIDTH - GUTTER - END_PAD
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / count
    bar_width = max(slot * 0.6, 1.0)
    plot_start = END_PAD if rtl else GUTTER

    def x_of(index: int) -> float:
        # Slot ``index`` counted from the reading start: left in LTR, right in RTL.
        return WIDTH - GUTTER - (index + 1) * slot if rtl else GUTTER + index * slot

    def y_of(value: int) -> float:
        return _y_of(value, top_value)

    # Shared presentation attributes sit on groups, not on every element.
    out: list[str] = [
        f'<svg class="outreach-chart" '
        f'viewBox="{0 if rtl else GUTTER - PLOT_LEAD} 0 {WIDTH - GUTTER + PLOT_LEAD} {HEIGHT}" '
        'role="img" '
        f'aria-labelledby="{dom_id}-title {dom_id}-desc" id="{dom_id}" '
        f'data-direction="{"rtl" if rtl else "ltr"}" '
        f'data-first-month="{months[0].month:%Y-%m}" data-months="{count}">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>',
        f'<g font-size="11" fill="{INK}" text-anchor="middle">',
    ]
    grid: list[str] = []
    for tick in range(0, top_value + 1, step):
        y = _n(y_of(tick))
        grid.append(f"M{_n(plot_start)} {y}H{_n(plot_start + plot_width)}")

    # All bars in one path, the cases as one polyline whose points a marker
    # draws: a chart weighs about 3 KB whatever its months. The values ride
    # along once per series (data-values) for scripts and tests.
    base = TOP + plot_height
    bars: list[str] = []
    points: list[str] = []
    month_labels: list[str] = []
    year_labels: list[str] = []
    every = _label_step(count)
    labelled_year = None
    for index, figures in enumerate(months):
        centre = x_of(index) + slot / 2
        height = base - y_of(figures.sessions)
        if figures.sessions:
            # In slot units, upwards from the baseline (see the group): "M12 0V131".
            bars.append(f"M{index} 0V{round(height)}")
        points.append(f"{_n(centre)},{round(y_of(figures.cases))}")
        if index % every == 0 and count <= YEARS_ONLY_AFTER_MONTHS:
            month_labels.append(
                f'<text x="{_n(centre)}">{escape(_month_label(figures.month))}</text>'
            )
        # The year under the first label and wherever it changes (on long
        # ranges: at the first month of each year shown).
        labelled = index % every == 0 or count > YEARS_ONLY_AFTER_MONTHS
        if labelled and figures.month.year != labelled_year:
            labelled_year = figures.month.year
            year_labels.append(f'<text x="{_n(centre)}">{figures.month.year}</text>')
    out.append(f'<g transform="translate(0 {HEIGHT - BOTTOM + 15})">')
    out.extend(month_labels)
    out.append(f'</g><g transform="translate(0 {HEIGHT - BOTTOM + 31})">')
    out.extend(year_labels)
    out.append("</g></g>")
    out.append(f'<path fill="none" stroke="{GRID_COLOUR}" d="{"".join(grid)}"/>')
    out.append(
        f'<path fill="none" stroke="{INK}" '
        f'd="M{_n(plot_start)} {_n(base)}H{_n(plot_start + plot_width)}"/>'
    )
    # Bars are strokes one slot apart: the group maps slot i to its place on the
    # x axis (mirrored in RTL), so each bar costs a dozen bytes.
    origin = WIDTH - GUTTER if rtl else GUTTER
    out.append(
        f'<g transform="translate({_n(origin + (-slot if rtl else slot) / 2)} {_n(base)}) '
        f'scale({"-" if rtl else ""}{slot:.4g} -1)">'
        f'<path class="chart-bars" fill="none" stroke="{BAR_COLOUR}" '
        f'stroke-width="{bar_width / slot:.3g}" d="{"".join(bars)}" '
        f'data-values="{" ".join(str(m.sessions) for m in months)}"/></g>'
    )
    radius = _n(min(3.5, max(slot / 3, 1.5)))
    marker = f"{dom_id}-point"
    out.append(
        f'<marker id="{marker}" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" '
        f'refX="4" refY="4"><circle class="chart-point" cx="4" cy="4" r="{radius}" '
        f'fill="{LINE_COLOUR}"/></marker>'
    )
    out.append(
        f'<polyline class="chart-line" fill="none" stroke="{LINE_COLOUR}" stroke-width="2" '
        f'marker-start="url(#{marker})" marker-mid="url(#{marker})" '
        f'marker-end="url(#{marker})" points="{" ".join(points)}" '
        f'data-values="{" ".join(str(m.cases) for m in months)}"/>'
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
