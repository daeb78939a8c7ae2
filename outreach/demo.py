"""Demo outreach history for ``seed_demo``: a story a newcomer can read in the charts.

Karbala (after the Community Police's real experience): a handful of sessions,
then a campaign of about 180 sessions in one year (schools, universities, the
women's forum, neighbourhood forums, parents' workshops, a theatre show and
social media), then a few a month to keep it going. Baghdad holds a steady few
a month, Najaf a short three-month campaign, Erbil and Basra now and then.

Dates are relative to today, so the charts always show the last three years.
Cases are casework's to seed; the months the story expects them to fall in
are in ``karbala_campaign_months`` (about 8 a month before the campaign,
2-3 a month in the year after it).

Every session is logged through ``services.session_log`` by a demo account,
so the demo obeys the same rules as real use. Safe to run again: nothing is
added once any session exists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from casework.models import Governorate, StaffProfile, Unit
from outreach import selectors, services
from outreach.models import AgeBand, AwarenessSession, Topic, VenueType
from outreach.topics import TOPICS

CAMPAIGN_STARTS_MONTHS_AGO = 24
CAMPAIGN_MONTHS = 12
HISTORY_MONTHS = 36

# (venue type, weight in the campaign, age band, audience range, Karbala venue names)
VENUES = [
    (
        VenueType.SCHOOL,
        45,
        AgeBand.FROM_15_TO_17,
        (35, 160),
        [
            "إعدادية الفاطمية للبنات",
            "ثانوية الحسين للبنين",
            "إعدادية كربلاء للبنات",
            "متوسطة الزهراء للبنات",
            "إعدادية الهندية للبنين",
            "ثانوية عين التمر المختلطة",
        ],
    ),
    (
        VenueType.UNIVERSITY,
        20,
        AgeBand.FROM_18_TO_35,
        (60, 260),
        ["جامعة كربلاء - كلية التربية", "جامعة كربلاء - كلية القانون", "جامعة أهل البيت"],
    ),
    (
        VenueType.WOMENS_FORUM,
        10,
        AgeBand.MIXED,
        (20, 70),
        ["المنتدى النسوي في كربلاء"],
    ),
    (
        VenueType.NEIGHBOURHOOD_FORUM,
        10,
        AgeBand.MIXED,
        (25, 90),
        ["مجلس حي الحسين", "مجلس حي العباس", "مجلس حي النقيب"],
    ),
    (
        VenueType.PARENTS_WORKSHOP,
        8,
        AgeBand.OVER_35,
        (15, 60),
        ["ورشة أولياء الأمور - مدرسة الفاطمية", "ورشة أولياء الأمور - مركز الشباب"],
    ),
    (
        VenueType.THEATRE,
        3,
        AgeBand.MIXED,
        (150, 450),
        ["مسرح كربلاء - عرض «لا تدفع»"],
    ),
    (
        VenueType.ONLINE,
        4,
        AgeBand.FROM_15_TO_17,
        (800, 6000),
        ["صفحة الشرطة المجتمعية في كربلاء"],
    ),
]

# Elsewhere a venue is named by its kind and district, e.g. "إعدادية للبنات - الكرخ".
GENERIC_NAMES = {
    VenueType.SCHOOL: ["إعدادية للبنات", "ثانوية للبنين", "متوسطة للبنات"],
    VenueType.UNIVERSITY: ["الجامعة - كلية التربية", "الجامعة - كلية الهندسة"],
    VenueType.NEIGHBOURHOOD_FORUM: ["مجلس الحي"],
    VenueType.PARENTS_WORKSHOP: ["ورشة أولياء الأمور"],
}

# (governorate code, logged by, facilitators, districts)
PLACES = {
    "karbala": (
        "outreach.karbala",
        ["outreach.karbala", "officer.karbala.f", "officer.karbala.m"],
        ["مركز كربلاء", "الهندية", "عين التمر", "الحسينية"],
    ),
    "baghdad": (
        "supervisor.cp",
        ["officer.baghdad.f", "officer.baghdad.m"],
        ["الكرخ", "الرصافة", "الأعظمية", "الكاظمية"],
    ),
    "erbil": ("supervisor.cp", ["officer.erbil.f"], ["مركز أربيل", "شقلاوة"]),
    "najaf": ("admin", [], ["مركز النجف", "الكوفة"]),
    "basra": ("admin", [], ["مركز البصرة", "الزبير"]),
}


def karbala_campaign_months(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """First and last month of the demo Karbala campaign (for casework's demo cases)."""
    current = selectors.month_start(today or selectors.iraq_today())
    first = selectors.add_months(current, -CAMPAIGN_STARTS_MONTHS_AGO)
    return first, selectors.add_months(first, CAMPAIGN_MONTHS - 1)


def ensure_topics() -> list[Topic]:
    """The seven topics (also created by migration 0002); an editor's wording is kept."""
    topics = []
    for order, (code, en, ar, ckb) in enumerate(TOPICS):
        topic, _created = Topic.objects.get_or_create(
            code=code,
            defaults={"sort_order": order, "name_ar": ar, "name_ckb": ckb, "name_en": en},
        )
        topics.append(topic)
    return topics


def _sessions_per_month(code: str, months_ago: int, rng: random.Random) -> int:
    campaign_end = CAMPAIGN_STARTS_MONTHS_AGO - CAMPAIGN_MONTHS
    if code == "karbala":
        if months_ago > CAMPAIGN_STARTS_MONTHS_AGO:
            return rng.choice([0, 1, 1])
        if months_ago > campaign_end:
            return 15  # 12 months x 15 = 180 seminars
        return rng.choice([3, 4, 4, 5])
    if code == "baghdad":
        return rng.choice([2, 3, 3, 4])
    if code == "najaf":
        return 10 if 6 <= months_ago <= 8 else 0
    if code == "erbil":
        return rng.choice([0, 1, 1, 2])
    if code == "basra":
        return rng.choice([0, 0, 1]) if months_ago <= 12 else 0
    return 0  # pragma: no cover - PLACES lists every governorate used


def _pick_venue(rng: random.Random, weighted: bool) -> tuple:
    if weighted:
        return rng.choices(VENUES, weights=[v[1] for v in VENUES])[0]
    # Outside the Karbala campaign: mostly schools and forums, no theatre.
    return rng.choice([VENUES[0], VENUES[0], VENUES[1], VENUES[3], VENUES[4]])


@transaction.atomic
def seed_outreach_demo(*, today: dt.date | None = None, say: Callable[[str], None] = print) -> int:
    """Log the demo history; returns how many sessions were added (0 if any existed)."""
    topics = ensure_topics()
    if AwarenessSession.objects.exists():
        say("Outreach demo: sessions already exist, left as they are.")
        return 0
    users = {u.get_username(): u for u in get_user_model().objects.all()}
    profiles = {p.user.get_username(): p for p in StaffProfile.objects.select_related("user")}
    governorates = {g.code: g for g in Governorate.objects.all()}
    unit = Unit.objects.filter(kind=Unit.Kind.COMMUNITY_POLICE).first()
    if unit is None or not all(code in governorates for code in PLACES):
        say("Outreach demo: reference data missing (run seed_demo), nothing added.")
        return 0
    today = today or selectors.iraq_today()
    current = selectors.month_start(today)
    # Not for secrets: a fixed seed so every machine gets the same demo story.
    rng = random.Random(497131)  # noqa: S311
    topic_by_code = {t.code: t for t in topics}
    added = 0
    for code, (logger, facilitator_names, districts) in PLACES.items():
        by = users.get(logger)
        if by is None or not selectors.user_has_outreach_access(by):
            say(f"Outreach demo: demo account {logger} missing, {code} skipped.")
            continue
        facilitators = [profiles[name] for name in facilitator_names if name in profiles]
        for months_ago in range(HISTORY_MONTHS, -1, -1):
            month = selectors.add_months(current, -months_ago)
            in_campaign = (
                code == "karbala"
                and CAMPAIGN_STARTS_MONTHS_AGO - CAMPAIGN_MONTHS
                < months_ago
                <= CAMPAIGN_STARTS_MONTHS_AGO
            )
            last_day = min(selectors.month_end(month), today)
            for _n in range(_sessions_per_month(code, months_ago, rng)):
                venue_type, _weight, age_band, (low, high), names = _pick_venue(rng, in_campaign)
                district = rng.choice(districts)
                if code == "karbala":
                    venue_name = rng.choice(names)
                else:
                    venue_name = f"{rng.choice(GENERIC_NAMES[venue_type])} - {district}"
                audience = rng.randint(low, high)
                female_share = (
                    1.0 if venue_type == VenueType.WOMENS_FORUM else rng.uniform(0.4, 0.7)
                )
                female = round(audience * female_share)
                chosen = rng.sample(
                    ["finding_victims", "fake_romance", "account_security", "fabricated_images"],
                    k=rng.randint(1, 3),
                ) + ["evidence_no_payment", "how_to_report"]
                if venue_type == VenueType.PARENTS_WORKSHOP:
                    chosen.append("parental_supervision")
                details = services.SessionDetails(
                    held_on=month.replace(day=rng.randint(1, last_day.day)),
                    duration_minutes=rng.choice([45, 60, 60, 90, 120]),
                    governorate=governorates[code],
                    district=district,
                    venue_type=venue_type,
                    venue_name=venue_name,
                    unit=unit,
                    facilitators=rng.sample(facilitators, k=min(len(facilitators), 2)),
                    audience_female=female,
                    audience_male=audience - female,
                    age_band=age_band,
                    topics=[topic_by_code[c] for c in chosen],
                    materials="ملصقات ومنشورات عن الخطين 497 و131" if rng.random() < 0.6 else "",
                    follow_up_requests=rng.randint(0, max(1, audience // 40)),
                    audience_confirmed=True,
                )
                services.session_log(by=by, details=details)
                added += 1
    say(f"Outreach demo: {added} awareness sessions logged.")
    return added
