"""Outreach console pages. They parse input and call services and selectors; no rule lives here.

Every view is behind ``outreach_access_required`` (2FA-verified outreach staff,
supervisors and administrators). The console site mounts ``outreach.urls`` at
``/<lang>/console/outreach/``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casework.models import Governorate, Unit
from outreach import charts, csv_format, selectors, services
from outreach.forms import (
    MAX_ANALYTICS_MONTHS,
    AnalyticsForm,
    BeforeAfterForm,
    CsvImportForm,
    SessionFilterForm,
    SessionForm,
    YearForm,
)
from outreach.models import AgeBand, Topic, VenueType
from outreach.permissions import outreach_access_required

PAGE_SIZE = 50
DEFAULT_ANALYTICS_MONTHS = 36


def _visible_sessions(request: HttpRequest, form: SessionFilterForm):
    filters = form.filters()
    mine = form.cleaned_data.get("mine")
    sessions = selectors.session_list_for_staff(user=request.user)
    return selectors.session_filter(sessions, **filters, logged_by=request.user if mine else None)


@outreach_access_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET)
    sessions = _visible_sessions(request, form).prefetch_related("topics")
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    editable = set(
        selectors.session_list_editable(user=request.user)
        .filter(pk__in=[s.pk for s in page])
        .values_list("pk", flat=True)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outreach/session_list.html",
        {
            "filter_form": form,
            "page": page,
            "editable": editable,
            "query": query.urlencode(),
        },
    )


@outreach_access_required
@require_GET
def session_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV (UTF-8 with a byte-order mark, formulas neutralised)."""
    form = SessionFilterForm(request.GET)
    sessions = (
        _visible_sessions(request, form)
        .select_related("governorate", "unit", "logged_by")
        .prefetch_related("topics", "facilitators__user")
        .order_by("held_on", "id")
    )
    response = StreamingHttpResponse(
        csv_format.export_rows(sessions.iterator(chunk_size=500)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"outreach-sessions-{selectors.iraq_today().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _save_session(request: HttpRequest, form: SessionForm, session=None):
    """Call the service; its refusals land on the form's fields. Returns the session or None."""
    try:
        if session is None:
            return services.session_log(by=request.user, details=form.to_details())
        return services.session_update(session=session, by=request.user, details=form.to_details())
    except ValidationError as refused:
        form.add_error(None, refused)
        return None


@outreach_access_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        session = _save_session(request, form)
        if session is not None:
            messages.success(request, _("The session was logged. Thank you."))
            if "another" in request.POST:
                return redirect("outreach:session_create")
            return redirect("outreach:session_list")
    return render(request, "outreach/session_form.html", {"form": form, "session": None})


@outreach_access_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for_edit(user=request.user, session_id=pk)
    form = SessionForm(request.POST or None, user=request.user, session=session)
    if request.method == "POST" and form.is_valid():
        if _save_session(request, form, session) is not None:
            messages.success(request, _("The session was corrected."))
            return redirect("outreach:session_list")
    return render(request, "outreach/session_form.html", {"form": form, "session": session})


@outreach_access_required
@require_http_methods(["GET", "POST"])
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for_edit(user=request.user, session_id=pk)
    if request.method == "POST":
        services.session_delete(session=session, by=request.user)
        messages.success(request, _("The session was deleted."))
        return redirect("outreach:session_list")
    return render(request, "outreach/session_confirm_delete.html", {"session": session})


@outreach_access_required
@require_http_methods(["GET", "POST"])
def session_import(request: HttpRequest) -> HttpResponse:
    form = CsvImportForm(request.POST or None, request.FILES or None)
    errors: list[services.RowError] = []
    if request.method == "POST":
        too_large = int(request.META.get("CONTENT_LENGTH") or 0) > services.MAX_IMPORT_BYTES
        if "file" not in request.FILES and too_large:
            # Uploads above the memory limit are dropped before the view sees them.
            form = CsvImportForm()
            errors = [services.RowError(None, None, str(services.FILE_TOO_LARGE), "file_too_large")]
        elif form.is_valid():
            try:
                imported = services.sessions_import_csv(
                    by=request.user, file=form.cleaned_data["file"]
                )
            except services.CsvImportError as refused:
                errors = refused.errors
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s session was imported.",
                        "%(count)s sessions were imported.",
                        len(imported),
                    )
                    % {"count": len(imported)},
                )
                return redirect("outreach:session_list")
    return render(
        request,
        "outreach/session_import.html",
        {
            "form": form,
            "errors": errors,
            "columns": csv_format.IMPORT_COLUMNS,
            "required": csv_format.REQUIRED_COLUMNS,
            "governorates": Governorate.objects.all(),
            "units": Unit.objects.all(),
            "venue_types": VenueType.choices,
            "age_bands": AgeBand.choices,
            "topics": Topic.objects.filter(is_active=True),
        },
    )


@outreach_access_required
@require_GET
def session_import_template(request: HttpRequest) -> HttpResponse:
    """An empty CSV with the import header, to fill in a spreadsheet."""
    response = HttpResponse(
        "\ufeff" + ",".join(csv_format.IMPORT_COLUMNS) + "\r\n",
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="outreach-sessions-template.csv"'
    return response


INLINE_TABLES_MAX_GOVERNORATES = 4


@outreach_access_required
@require_GET
def analytics(request: HttpRequest) -> HttpResponse:
    """Sessions and people reached beside cases filed, per month and governorate, and the
    before/after comparison. Case figures are counts per month and governorate only."""
    today = selectors.iraq_today()
    form = AnalyticsForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    last = data.get("end") or selectors.month_start(today)
    first = data.get("start") or selectors.add_months(last, -(DEFAULT_ANALYTICS_MONTHS - 1))
    if first > last or len(selectors.month_range(first, last)) > MAX_ANALYTICS_MONTHS:
        first = selectors.add_months(last, -(DEFAULT_ANALYTICS_MONTHS - 1))
    governorates = list(data.get("governorates") or []) or selectors.governorates_shown_by_default(
        user=request.user
    )
    result = selectors.outreach_analytics(
        first_month=first, last_month=last, governorates=governorates
    )
    rtl = get_language_bidi()
    # Month names once per page, not once per chart row.
    labels = {
        m.month: (m.month.strftime("%Y-%m"), formats.date_format(m.month, "YEAR_MONTH_FORMAT"))
        for m in result.national.months
    }
    # The national table is always on the page; a governorate's comes inline
    # only when few are shown. Otherwise its chart links to the same months
    # for that governorate alone (a page of its own, table included), so a
    # page of 18 governorates x 60 months stays under 100 KB.
    inline_tables = len(result.governorates) <= INLINE_TABLES_MAX_GOVERNORATES
    months_query = f"start={result.first_month:%Y-%m}&end={result.last_month:%Y-%m}"
    charts_context = []
    for series in [result.national, *result.governorates]:
        title, description = charts.chart_texts(series)
        dom_id = f"chart-{series.key}"
        with_table = series.governorate is None or inline_tables
        charts_context.append(
            {
                "series": series,
                "title": title,
                "dom_id": dom_id,
                "svg": charts.monthly_chart(
                    series, rtl=rtl, dom_id=dom_id, title=title, description=description
                ),
                "axis": charts.count_axis(series),
                "rows": [
                    (*labels[m.month], m.sessions, m.reached_female, m.reached_male, m.cases)
                    for m in series.months
                ]
                if with_table
                else None,
                "numbers_url": None
                if with_table
                else f"?{months_query}&governorates={series.governorate.pk}#{dom_id}-table",
            }
        )

    before_after_form = BeforeAfterForm(
        request.GET if "ba-governorate" in request.GET else None, prefix="ba"
    )
    before_after = None
    if before_after_form.is_bound and before_after_form.is_valid():
        before_after = selectors.campaign_before_after(
            governorate=before_after_form.cleaned_data["governorate"],
            since=before_after_form.cleaned_data["since"],
            months=before_after_form.cleaned_data["months"],
            skip_months=before_after_form.cleaned_data.get("skip_months") or 0,
            today=today,
        )
    return render(
        request,
        "outreach/analytics.html",
        {
            "form": form,
            "first_month": result.first_month,
            "last_month": result.last_month,
            "last_month_running": result.last_month == selectors.month_start(today),
            "national": charts_context[0],
            "charts": charts_context[1:],
            "before_after_form": before_after_form,
            "before_after": before_after,
        },
    )


@outreach_access_required
@require_GET
def yearly_summary(request: HttpRequest) -> HttpResponse:
    """A printable year per governorate: sessions, audience, venue types, topics."""
    this_year = selectors.iraq_today().year
    years = sorted(set(selectors.years_with_sessions()) | {this_year}, reverse=True)
    form = YearForm(request.GET or None, years=years)
    year, governorate = this_year, None
    if form.is_bound and form.is_valid():
        year, governorate = form.cleaned_data["year"], form.cleaned_data["governorate"]
    elif not form.is_bound:
        form = YearForm(initial={"year": this_year}, years=years)
    governorates = (
        [governorate] if governorate else selectors.governorates_shown_by_default(user=request.user)
    )
    summaries = selectors.yearly_summary(year=year, governorates=governorates)
    return render(
        request,
        "outreach/yearly_summary.html",
        {
            "form": form,
            "year": year,
            "total": summaries[0],
            "summaries": summaries[1:],
            "single": governorate is not None,
            "generated_at": timezone.now(),
        },
    )
