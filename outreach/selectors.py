"""Reads that carry a rule: who sees which sessions, and the analytics.

Case figures come from ``casework.selectors.case_intake_by_month`` and nowhere
else: outreach sees cases only as counts per calendar month and governorate.
Every aggregation here is one grouped query; nothing loops over sessions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from casework.models import Governorate, StaffProfile
from casework.selectors import case_intake_by_month
from outreach.models import AwarenessSession, Topic, VenueType

# Roles that may use the outreach pages. Officers work cases, not outreach.
OUTREACH_ROLES = frozenset(
    {
        StaffProfile.Role.OUTREACH,
        StaffProfile.Role.SUPERVISOR,
        StaffProfile.Role.ADMINISTRATOR,
    }
)


# --- Who may do what -------------------------------------------------------


def iraq_today() -> dt.date:
    """Today's date in Iraq: session dates are local calendar days."""
    return dt.datetime.now(tz=ZoneInfo(settings.DISPLAY_TIME_ZONE)).date()


def staff_profile_for(user) -> StaffProfile | None:
    """The user's staff profile, or None (anonymous, no profile)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


def user_has_outreach_access(user) -> bool:
    """Active console staff whose role is outreach, supervisor or administrator."""
    profile = staff_profile_for(user)
    return (
        profile is not None
        # a deactivated account keeps its profile but loses access at once
        and user.is_active
        # console users are staff; a stray non-staff profile is not let in
        and user.is_staff
        and profile.role in OUTREACH_ROLES
    )


def _is_administrator(profile: StaffProfile) -> bool:
    return profile.role == StaffProfile.Role.ADMINISTRATOR


def governorates_for_logging(*, user) -> QuerySet[Governorate]:
    """Governorates in which ``user`` may log or move a session.

    Administrators: all. Outreach staff and supervisors: those on their profile.
    """
    if not user_has_outreach_access(user):
        return Governorate.objects.none()
    profile = user.staff_profile
    if _is_administrator(profile):
        return Governorate.objects.all()
    return Governorate.objects.filter(staff=profile)


def governorates_shown_by_default(*, user) -> list[Governorate]:
    """The governorates the analytics open with: the user's own, or all of them
    for administrators and staff with none on their profile. (Any governorate may
    be chosen: the analytics show only counts per month and governorate.)"""
    profile = staff_profile_for(user)
    if profile is not None and not _is_administrator(profile):
        own = list(Governorate.objects.filter(staff=profile))
        if own:
            return own
    return list(Governorate.objects.all())


def session_list_for_staff(*, user) -> QuerySet[AwarenessSession]:
    """Sessions ``user`` may see in the console.

    - administrators: every session;
    - supervisors and outreach staff: the sessions of the governorates they
      cover, and any session they logged themselves (wherever it was held),
      so a colleague's session is not logged twice;
    - anyone else: nothing.
    Who may *correct* a session is narrower: see ``session_may_edit``.
    """
    if not user_has_outreach_access(user):
        return AwarenessSession.objects.none()
    profile = user.staff_profile
    sessions = AwarenessSession.objects.select_related("governorate", "unit", "logged_by")
    if _is_administrator(profile):
        return sessions
    return sessions.filter(
        Q(governorate__in=Governorate.objects.filter(staff=profile)) | Q(logged_by=user)
    )


def session_list_editable(*, user) -> QuerySet[AwarenessSession]:
    """Sessions ``user`` may correct (or delete).

    - outreach staff: only the sessions they logged themselves;
    - supervisors: the sessions of the governorates they cover, and their own;
    - administrators: all;
    - anyone else: none.
    """
    if not user_has_outreach_access(user):
        return AwarenessSession.objects.none()
    profile = user.staff_profile
    if _is_administrator(profile):
        return AwarenessSession.objects.all()
    if profile.role == StaffProfile.Role.SUPERVISOR:
        return AwarenessSession.objects.filter(
            Q(governorate__in=Governorate.objects.filter(staff=profile)) | Q(logged_by=user)
        )
    return AwarenessSession.objects.filter(logged_by=user)


def session_may_edit(*, session: AwarenessSession, user) -> bool:
    """Whether ``user`` may correct ``session`` (the rule is ``session_list_editable``)."""
    return session_list_editable(user=user).filter(pk=session.pk).exists()


def session_get_for_edit(*, user, session_id: int) -> AwarenessSession:
    """The session, if ``user`` may correct it; the same 404 for "missing" and "not yours"."""
    session = (
        AwarenessSession.objects.select_related("governorate", "unit", "logged_by")
        .prefetch_related("topics", "facilitators")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not session_may_edit(session=session, user=user):
        raise Http404
    return session


def facilitator_candidates(*, user) -> QuerySet[StaffProfile]:
    """Staff offered as facilitators: active staff of the user's governorates.

    Administrators get every active staff member. The user's own profile is
    always offered (they usually ran the session).
    """
    if not user_has_outreach_access(user):
        return StaffProfile.objects.none()
    profile = user.staff_profile
    staff = StaffProfile.objects.filter(user__is_active=True).select_related("user")
    if not _is_administrator(profile):
        staff = staff.filter(Q(governorates__in=profile.governorates.all()) | Q(pk=profile.pk))
    return staff.distinct().order_by("user__first_name", "user__username")


def session_filter(
    sessions: QuerySet[AwarenessSession],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    governorate: Governorate | None = None,
    venue_type: str = "",
    topic: Topic | None = None,
    logged_by=None,
) -> QuerySet[AwarenessSession]:
    """Narrow a visible list (never widen it): the list page and the CSV export share it."""
    if date_from:
        sessions = sessions.filter(held_on__gte=date_from)
    if date_to:
        sessions = sessions.filter(held_on__lte=date_to)
    if governorate:
        sessions = sessions.filter(governorate=governorate)
    if venue_type:
        sessions = sessions.filter(venue_type=venue_type)
    if topic:
        sessions = sessions.filter(topics=topic)
    if logged_by is not None:
        sessions = sessions.filter(logged_by=logged_by)
    return sessions


# --- Months ----------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every calendar month from ``first`` to ``last``, inclusive."""
    months = []
    current, last = month_start(first), month_start(last)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


class MonthOf(TruncMonth):
    """The first day of a date's month, computed by the database itself.

    Django's TruncMonth runs a Python function per row on SQLite; the native
    ``strftime`` there is several times faster. Other backends (PostgreSQL's
    ``DATE_TRUNC``) are native already.
    """

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"strftime('%%Y-%%m-01', {sql})", params


def _as_date(value) -> dt.date:
    # TruncMonth over a DateField gives a date; some backends hand back a datetime.
    return value.date() if isinstance(value, dt.datetime) else value


# --- Analytics -------------------------------------------------------------


def sessions_by_month(
    *,
    start: dt.date,
    end: dt.date,
    governorate_ids: Iterable[int] | None = None,
) -> list[dict]:
    """Sessions held and people reached, per calendar month and governorate.

    One grouped query. ``start`` and ``end`` are inclusive dates; months with no
    session are absent. Returns ``[{"month", "governorate_id", "sessions",
    "reached_female", "reached_male"}]`` ordered by month then governorate.
    """
    sessions = AwarenessSession.objects.filter(held_on__gte=start, held_on__lte=end)
    if governorate_ids is not None:
        sessions = sessions.filter(governorate_id__in=list(governorate_ids))
    rows = (
        sessions.annotate(month=MonthOf("held_on"))
        .values("month", "governorate_id")
        .annotate(
            sessions=Count("id"),
            reached_female=Sum("audience_female"),
            reached_male=Sum("audience_male"),
        )
        .order_by("month", "governorate_id")
    )
    return [
        {
            "month": _as_date(row["month"]),
            "governorate_id": row["governorate_id"],
            "sessions": row["sessions"],
            "reached_female": row["reached_female"] or 0,
            "reached_male": row["reached_male"] or 0,
        }
        for row in rows
    ]


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date
    sessions: int = 0
    reached_female: int = 0
    reached_male: int = 0
    cases: int = 0

    @property
    def reached_total(self) -> int:
        return self.reached_female + self.reached_male


@dataclass(frozen=True)
class MonthlySeries:
    """One chart's worth: a governorate (or the whole country) month by month."""

    key: str
    governorate: Governorate | None  # None: all of Iraq
    months: list[MonthFigures]

    @property
    def sessions(self) -> int:
        return sum(m.sessions for m in self.months)

    @property
    def reached_female(self) -> int:
        return sum(m.reached_female for m in self.months)

    @property
    def reached_male(self) -> int:
        return sum(m.reached_male for m in self.months)

    @property
    def reached_total(self) -> int:
        return self.reached_female + self.reached_male

    @property
    def cases(self) -> int:
        return sum(m.cases for m in self.months)


@dataclass(frozen=True)
class OutreachAnalytics:
    first_month: dt.date
    last_month: dt.date
    national: MonthlySeries
    governorates: list[MonthlySeries]


def outreach_analytics(
    *,
    first_month: dt.date,
    last_month: dt.date,
    governorates: Iterable[Governorate],
) -> OutreachAnalytics:
    """Monthly sessions, people reached and cases filed, per governorate and nationally.

    Two grouped queries in all (sessions; cases via casework), whatever the
    number of governorates or months. The national series covers every
    governorate (and cases filed without one), not only those asked for.
    Months without sessions or cases are filled with zeros, so every series
    has one entry per month of the range.
    """
    months = month_range(first_month, last_month)
    start, end = months[0], month_end(months[-1])
    session_rows = sessions_by_month(start=start, end=end)
    case_rows = case_intake_by_month(start=start, end=end)

    figures: dict[int | None, dict[dt.date, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    national: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in session_rows:
        for name in ("sessions", "reached_female", "reached_male"):
            figures[row["governorate_id"]][row["month"]][name] += row[name]
            national[row["month"]][name] += row[name]
    for row in case_rows:
        month = month_start(row["month"])
        figures[row["governorate_id"]][month]["cases"] += row["count"]
        national[month]["cases"] += row["count"]

    def series(key: str, governorate: Governorate | None, by_month) -> MonthlySeries:
        return MonthlySeries(
            key=key,
            governorate=governorate,
            months=[MonthFigures(month=m, **by_month.get(m, {})) for m in months],
        )

    return OutreachAnalytics(
        first_month=months[0],
        last_month=months[-1],
        national=series("national", None, national),
        governorates=[
            series(g.code, g, figures.get(g.pk, {}))
            for g in sorted(governorates, key=lambda g: (g.sort_order, g.code))
        ],
    )


def _average(total: int, months: int) -> Decimal | None:
    if months == 0:
        return None
    return (Decimal(total) / Decimal(months)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BeforeAfter:
    """The Karbala question for one governorate: cases before vs after a campaign began.

    A before/after comparison, not proof of cause: anything else that changed
    at the same time (reporting habits, news, police operations) moves the
    numbers too.
    """

    governorate: Governorate
    since: dt.date
    months_asked: int
    first_session_on: dt.date | None
    before: list[MonthFigures] = field(default_factory=list)
    campaign_month: MonthFigures | None = None
    after: list[MonthFigures] = field(default_factory=list)
    # Months after the first session's month left out as the campaign itself
    # (shown, counted on neither side), so "after" means after the campaign.
    during: list[MonthFigures] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.first_session_on is not None

    @property
    def before_cases(self) -> int:
        return sum(m.cases for m in self.before)

    @property
    def after_cases(self) -> int:
        return sum(m.cases for m in self.after)

    @property
    def before_average(self) -> Decimal | None:
        return _average(self.before_cases, len(self.before))

    @property
    def after_average(self) -> Decimal | None:
        return _average(self.after_cases, len(self.after))

    @property
    def after_is_short(self) -> bool:
        """Fewer complete months have passed since the campaign than were asked for."""
        return self.found and len(self.after) < self.months_asked

    @property
    def before_sessions(self) -> int:
        return sum(m.sessions for m in self.before)

    @property
    def after_sessions(self) -> int:
        return sum(m.sessions for m in self.after)

    @property
    def change_percent(self) -> Decimal | None:
        before, after = self.before_average, self.after_average
        if before is None or after is None or before == 0:
            return None
        ratio = (Decimal(self.after_cases) / len(self.after)) / (
            Decimal(self.before_cases) / len(self.before)
        )
        return ((ratio - 1) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def campaign_before_after(
    *,
    governorate: Governorate,
    since: dt.date,
    months: int,
    skip_months: int = 0,
    today: dt.date | None = None,
) -> BeforeAfter:
    """Average monthly cases in the ``months`` months before a campaign vs the ``months`` after.

    The campaign's first session is the first one held in ``governorate`` on or
    after ``since``. Its calendar month is shown but counted in neither window
    (it is partly before and partly after). "Before" is the ``months`` calendar
    months just before it; "after" the ``months`` just after it, of which only
    complete months count: the current month and the future are left out, so
    a recent campaign has a shorter "after" window (``after_is_short``).
    ``skip_months`` leaves out that many further months after the first
    session's month (the campaign year, say: ``months=12, skip_months=11``
    compares the year before the campaign with the year after it).
    Two grouped queries (sessions; cases via casework), plus finding the first
    session.
    """
    today = today or iraq_today()
    first = (
        AwarenessSession.objects.filter(governorate=governorate, held_on__gte=since)
        .order_by("held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    if first is None:
        return BeforeAfter(
            governorate=governorate, since=since, months_asked=months, first_session_on=None
        )
    campaign = month_start(first)
    before_months = [add_months(campaign, -i) for i in range(months, 0, -1)]
    current_month = month_start(today)
    during_months = [
        m for m in (add_months(campaign, i) for i in range(1, skip_months + 1)) if m < current_month
    ]
    after_months = [
        m
        for m in (add_months(campaign, skip_months + i) for i in range(1, months + 1))
        if m < current_month
    ]
    window_end = month_end(
        after_months[-1] if after_months else during_months[-1] if during_months else campaign
    )
    start = before_months[0]

    by_month: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in sessions_by_month(start=start, end=window_end, governorate_ids=[governorate.pk]):
        for name in ("sessions", "reached_female", "reached_male"):
            by_month[row["month"]][name] += row[name]
    for row in case_intake_by_month(start=start, end=window_end, governorate_ids=[governorate.pk]):
        by_month[month_start(row["month"])]["cases"] += row["count"]

    def figures(month: dt.date) -> MonthFigures:
        return MonthFigures(month=month, **by_month.get(month, {}))

    return BeforeAfter(
        governorate=governorate,
        since=since,
        months_asked=months,
        first_session_on=first,
        before=[figures(m) for m in before_months],
        campaign_month=figures(campaign),
        after=[figures(m) for m in after_months],
        during=[figures(m) for m in during_months],
    )


@dataclass(frozen=True)
class CountRow:
    code: str
    label: str
    sessions: int
    audience: int = 0


@dataclass(frozen=True)
class YearSummary:
    """One governorate's year (``governorate`` None: the selected governorates together)."""

    governorate: Governorate | None
    sessions: int = 0
    minutes: int = 0
    reached_female: int = 0
    reached_male: int = 0
    follow_up_requests: int = 0
    venue_types: list[CountRow] = field(default_factory=list)
    topics: list[CountRow] = field(default_factory=list)

    @property
    def reached_total(self) -> int:
        return self.reached_female + self.reached_male

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def yearly_summary(*, year: int, governorates: Iterable[Governorate]) -> list[YearSummary]:
    """Sessions, audience, venue types and topics per governorate for one calendar year.

    Three grouped queries (totals, venue types, topics) and the topic names,
    whatever the number of governorates. The first entry is the total over the governorates given;
    governorates without a session that year are listed with zeros.
    """
    governorates = sorted(governorates, key=lambda g: (g.sort_order, g.code))
    ids = [g.pk for g in governorates]
    sessions = AwarenessSession.objects.filter(
        held_on__gte=dt.date(year, 1, 1), held_on__lte=dt.date(year, 12, 31), governorate_id__in=ids
    )
    totals = {
        row["governorate_id"]: row
        for row in sessions.values("governorate_id")
        .annotate(
            sessions=Count("id"),
            minutes=Sum("duration_minutes"),
            reached_female=Sum("audience_female"),
            reached_male=Sum("audience_male"),
            follow_up_requests=Sum("follow_up_requests"),
        )
        .order_by()
    }
    venues: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in (
        sessions.values("governorate_id", "venue_type")
        .annotate(n=Count("id"), audience=Sum("audience_female") + Sum("audience_male"))
        .order_by()
    ):
        venues[row["governorate_id"]][row["venue_type"]] = (row["n"], row["audience"] or 0)
    topic_counts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        AwarenessSession.topics.through.objects.filter(awarenesssession__in=sessions)
        .values("awarenesssession__governorate_id", "topic_id")
        .annotate(n=Count("awarenesssession_id"))
        .order_by()
    ):
        topic_counts[row["awarenesssession__governorate_id"]][row["topic_id"]] = row["n"]
    topics = list(Topic.objects.all())

    def venue_rows(counts: dict[str, tuple[int, int]]) -> list[CountRow]:
        return [
            CountRow(
                code=value, label=str(label), sessions=counts[value][0], audience=counts[value][1]
            )
            for value, label in VenueType.choices
            if value in counts
        ]

    def topic_rows(counts: dict[int, int]) -> list[CountRow]:
        return [
            CountRow(code=t.code, label=str(t), sessions=counts[t.pk])
            for t in topics
            if t.pk in counts
        ]

    summaries = []
    all_venues: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    all_topics: dict[int, int] = defaultdict(int)
    for governorate in governorates:
        row = totals.get(governorate.pk, {})
        for venue, (n, audience) in venues[governorate.pk].items():
            all_venues[venue][0] += n
            all_venues[venue][1] += audience
        for topic_id, n in topic_counts[governorate.pk].items():
            all_topics[topic_id] += n
        summaries.append(
            YearSummary(
                governorate=governorate,
                sessions=row.get("sessions") or 0,
                minutes=row.get("minutes") or 0,
                reached_female=row.get("reached_female") or 0,
                reached_male=row.get("reached_male") or 0,
                follow_up_requests=row.get("follow_up_requests") or 0,
                venue_types=venue_rows(venues[governorate.pk]),
                topics=topic_rows(topic_counts[governorate.pk]),
            )
        )
    total = YearSummary(
        governorate=None,
        sessions=sum(s.sessions for s in summaries),
        minutes=sum(s.minutes for s in summaries),
        reached_female=sum(s.reached_female for s in summaries),
        reached_male=sum(s.reached_male for s in summaries),
        follow_up_requests=sum(s.follow_up_requests for s in summaries),
        venue_types=venue_rows({k: (v[0], v[1]) for k, v in all_venues.items()}),
        topics=topic_rows(all_topics),
    )
    return [total, *summaries]


def years_with_sessions() -> list[int]:
    """Calendar years that have at least one session, newest first (one query)."""
    return sorted({d.year for d in AwarenessSession.objects.dates("held_on", "year")}, reverse=True)
