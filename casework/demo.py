"""Reference data every installation needs, and the demo staff of `seed_demo`.

Reference data (governorates, units, categories) is real and translated in all
three languages. Demo staff have a known password and a TOTP secret derived
from their username, so running the seed twice gives the same codes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.db import transaction

from casework.models import Category, Governorate, Sex, StaffProfile, Unit

# (code, en, ar, ckb)
GOVERNORATES = [
    ("baghdad", "Baghdad", "بغداد", "بەغدا"),
    ("basra", "Basra", "البصرة", "بەسرە"),
    ("nineveh", "Nineveh", "نينوى", "نەینەوا"),
    ("erbil", "Erbil", "أربيل", "هەولێر"),
    ("sulaymaniyah", "Sulaymaniyah", "السليمانية", "سلێمانی"),
    ("duhok", "Duhok", "دهوك", "دهۆک"),
    ("kirkuk", "Kirkuk", "كركوك", "کەرکووک"),
    ("anbar", "Anbar", "الأنبار", "ئەنبار"),
    ("babil", "Babil", "بابل", "بابل"),
    ("karbala", "Karbala", "كربلاء", "کەربەلا"),
    ("najaf", "Najaf", "النجف", "نەجەف"),
    ("wasit", "Wasit", "واسط", "واست"),
    ("diyala", "Diyala", "ديالى", "دیالە"),
    ("saladin", "Saladin", "صلاح الدين", "سەلاحەدین"),
    ("dhi-qar", "Dhi Qar", "ذي قار", "زیقار"),
    ("maysan", "Maysan", "ميسان", "میسان"),
    ("muthanna", "Muthanna", "المثنى", "موسەننا"),
    ("qadisiyyah", "Qadisiyyah", "القادسية", "قادسیە"),
]

# (kind, hotline, en, ar, ckb)
UNITS = [
    (
        Unit.Kind.COMMUNITY_POLICE,
        "497",
        "Community Police",
        "الشرطة المجتمعية",
        "پۆلیسی کۆمەڵگە",
    ),
    (
        Unit.Kind.NATIONAL_SECURITY,
        "131",
        "National Security Service",
        "جهاز الأمن الوطني",
        "دەزگای ئاسایشی نیشتمانیی عێراق",
    ),
    (
        Unit.Kind.FAMILY_PROTECTION,
        "",
        "Family Protection Directorate",
        "مديرية حماية الأسرة والطفل من العنف الأسري",
        "بەڕێوەبەرایەتی پاراستنی خێزان و منداڵ لە توندوتیژی خێزانی",
    ),
]

# (code, intimate, en, ar, ckb)
CATEGORIES = [
    (
        Category.INTIMATE_IMAGES,
        True,
        "Threats to share my private photos or videos",
        "التهديد بنشر صوري أو فيديوهاتي الخاصة",
        "هەڕەشەی بڵاوکردنەوەی وێنە و ڤیدیۆی تایبەتم",
    ),
    (
        Category.FABRICATED_IMAGES,
        True,
        "Threats with fake or AI-made images of me",
        "التهديد بصور مفبركة أو مصنوعة بالذكاء الاصطناعي",
        "هەڕەشە بە وێنەی ساختە یان دروستکراو بە زیرەکیی دەستکرد",
    ),
    (
        "hacked_account",
        False,
        "My account was hacked",
        "تم اختراق حسابي",
        "هەژمارەکەم هاک کرا",
    ),
    (
        "fake_romance",
        True,
        "A fake romance or friendship",
        "علاقة أو صداقة مزيفة",
        "پەیوەندی یان هاوڕێیەتیی ساختە",
    ),
    (
        "money_demand",
        False,
        "Demands for money",
        "المطالبة بمبالغ مالية",
        "داواکردنی پارە",
    ),
    (
        "sexual_demand",
        True,
        "Demands for sexual acts",
        "المطالبة بأفعال جنسية",
        "داواکردنی کرداری سێکسی",
    ),
    (
        "recruitment",
        False,
        "Pressure to bring in other people or to work for the blackmailer",
        "الضغط لاستدراج أشخاص آخرين أو للعمل لصالح المبتز",
        "گوشار بۆ هێنانی کەسانی تر یان کارکردن بۆ هەڕەشەکەر",
    ),
    (
        Category.FAMILY_VIOLENCE,
        False,
        "Blackmail or violence by a family member",
        "ابتزاز أو عنف من أحد أفراد الأسرة",
        "هەڕەشە یان توندوتیژی لەلایەن ئەندامێکی خێزانەوە",
    ),
    (
        "other",
        False,
        "Something else",
        "أمر آخر",
        "شتێکی تر",
    ),
]

DEMO_PASSWORD = "sanad-demo-2026"  # noqa: S105 - demo accounts only, printed by seed_demo

# (username, first name, role, sex, unit kind, governorate codes)
DEMO_STAFF = [
    (
        "officer.baghdad.f",
        "Zainab",
        StaffProfile.Role.OFFICER,
        Sex.FEMALE,
        Unit.Kind.COMMUNITY_POLICE,
        ["baghdad"],
    ),
    (
        "officer.baghdad.m",
        "Ali",
        StaffProfile.Role.OFFICER,
        Sex.MALE,
        Unit.Kind.COMMUNITY_POLICE,
        ["baghdad"],
    ),
    (
        "officer.karbala.f",
        "Maryam",
        StaffProfile.Role.OFFICER,
        Sex.FEMALE,
        Unit.Kind.COMMUNITY_POLICE,
        ["karbala"],
    ),
    (
        "officer.karbala.m",
        "Hussein",
        StaffProfile.Role.OFFICER,
        Sex.MALE,
        Unit.Kind.COMMUNITY_POLICE,
        ["karbala"],
    ),
    (
        "officer.erbil.f",
        "Shilan",
        StaffProfile.Role.OFFICER,
        Sex.FEMALE,
        Unit.Kind.COMMUNITY_POLICE,
        ["erbil"],
    ),
    (
        "nss.baghdad.m",
        "Omar",
        StaffProfile.Role.OFFICER,
        Sex.MALE,
        Unit.Kind.NATIONAL_SECURITY,
        ["baghdad"],
    ),
    (
        "nss.baghdad.f",
        "Noor",
        StaffProfile.Role.OFFICER,
        Sex.FEMALE,
        Unit.Kind.NATIONAL_SECURITY,
        ["baghdad"],
    ),
    (
        "family.baghdad.f",
        "Huda",
        StaffProfile.Role.OFFICER,
        Sex.FEMALE,
        Unit.Kind.FAMILY_PROTECTION,
        ["baghdad"],
    ),
    (
        "supervisor.cp",
        "Samira",
        StaffProfile.Role.SUPERVISOR,
        Sex.FEMALE,
        Unit.Kind.COMMUNITY_POLICE,
        ["baghdad", "karbala", "erbil"],
    ),
    # Every unit routing can send a case to has supervisors; national intake
    # (a supervisor with no unit) sees whatever no unit supervisor covers.
    (
        "supervisor.nss",
        "Layla",
        StaffProfile.Role.SUPERVISOR,
        Sex.FEMALE,
        Unit.Kind.NATIONAL_SECURITY,
        ["baghdad", "karbala", "erbil"],
    ),
    (
        "supervisor.family",
        "Sahar",
        StaffProfile.Role.SUPERVISOR,
        Sex.FEMALE,
        Unit.Kind.FAMILY_PROTECTION,
        ["baghdad", "karbala", "erbil"],
    ),
    (
        "intake.national",
        "Dunya",
        StaffProfile.Role.SUPERVISOR,
        Sex.FEMALE,
        None,
        [],
    ),
    (
        "outreach.karbala",
        "Rana",
        StaffProfile.Role.OUTREACH,
        Sex.FEMALE,
        Unit.Kind.COMMUNITY_POLICE,
        ["karbala"],
    ),
    ("admin", "Admin", StaffProfile.Role.ADMINISTRATOR, Sex.MALE, None, []),
]


# --- demo mode: public secrets must never work anywhere else ---------------------


def demo_mode_enabled() -> bool:
    """Demo accounts may log in: a development machine, or a demo set up on purpose."""
    return bool(settings.DEBUG or getattr(settings, "SANAD_DEMO", False))


def demo_seed_refusal(*, acknowledged: bool) -> str | None:
    """Why ``seed_demo`` must not run here, or None.

    Demo staff get passwords and TOTP secrets anyone can derive from the
    source, and re-running the seed resets them. Without DEBUG it runs only
    when the operator says so explicitly, never over real cases, and never
    over a real account that happens to carry a demo username.
    """
    from django.contrib.auth import get_user_model

    from casework.models import Case

    if settings.DEBUG:
        return None
    if not acknowledged:
        return (
            "seed_demo creates accounts whose passwords and two-factor secrets are public. "
            "It runs only with SANAD_DEBUG=1, or on a demo installation with "
            "--i-understand-this-is-a-demo."
        )
    if Case.objects.filter(demo_mark__isnull=True).exists():
        return "This installation holds real cases: seed_demo refuses to run here."
    usernames = [row[0] for row in DEMO_STAFF]
    if get_user_model().objects.filter(username__in=usernames, demo_mark__isnull=True).exists():
        return "A real account uses a demo username: seed_demo refuses to reset it."
    return None


def demo_account_mark(user) -> None:
    from casework.models import DemoAccount

    DemoAccount.objects.get_or_create(user=user)


def demo_case_mark(case) -> None:
    from casework.models import DemoCase

    DemoCase.objects.get_or_create(case=case)


def demo_account_refused(user) -> bool:
    """A demo account outside a demo installation: its secrets are public."""
    from casework.models import DemoAccount

    return not demo_mode_enabled() and DemoAccount.objects.filter(user_id=user.pk).exists()


def demo_totp_secret(username: str) -> bytes:
    """A stable 20-byte TOTP secret per demo user (demo only: derived, not random)."""
    return hmac.new(b"sanad-demo-totp", username.encode(), hashlib.sha256).digest()[:20]


def demo_totp_base32(username: str) -> str:
    return base64.b32encode(demo_totp_secret(username)).decode().rstrip("=")


@transaction.atomic
def seed_reference_data() -> None:
    """Governorates, units and categories, in ar / ckb / en. Safe to run again."""
    for order, (code, en, ar, ckb) in enumerate(GOVERNORATES):
        Governorate.objects.update_or_create(
            code=code,
            defaults={"sort_order": order, "name_en": en, "name_ar": ar, "name_ckb": ckb},
        )
    for kind, hotline, en, ar, ckb in UNITS:
        Unit.objects.update_or_create(
            kind=kind,
            defaults={"hotline": hotline, "name_en": en, "name_ar": ar, "name_ckb": ckb},
        )
    for order, (code, intimate, en, ar, ckb) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "sort_order": order,
                "involves_intimate_images": intimate,
                "name_en": en,
                "name_ar": ar,
                "name_ckb": ckb,
            },
        )


# --- demo cases --------------------------------------------------------------------

# Follow-up logins printed by seed_demo, so a newcomer can play the victim.
DEMO_VICTIM_LOGINS = {
    "baghdad-female": ("SND-DEM0-BAG1", "2468 1357 9753 8642 1029"),
    "karbala-urgent": ("SND-DEM0-KRB1", "5550 1234 8765 4321 0099"),
}

# (key, governorate, category, knows, wants female, extra answers)
DEMO_LIVE_CASES = [
    (
        "baghdad-female",
        "baghdad",
        "intimate_images",
        "yes",
        True,
        {
            "name": "Sara",
            "platform": "instagram",
            "contact_method": "messages_only",
            "narrative": "Someone I met on Instagram says he will send my photos to my family unless I pay 500 dollars.",
            "suspect_identifiers": ["@dark.rose.iq", "0770 400 1122"],
            "money_demanded": True,
            "contact_rules": ["never_through_family", "no_home_visit"],
        },
    ),
    (
        "karbala-urgent",
        "karbala",
        "sexual_demand",
        "yes",
        True,
        {
            "platform": "snapchat",
            "is_minor": True,
            "self_harm_risk": True,
            "device_shared": True,
            "narrative": "A boy from my school has a video and wants me to meet him. I am scared.",
            "suspect_identifiers": ["snapchat.com/add/ali_k_2009"],
            "contact_rules": ["female_voice_only"],
        },
    ),
    (
        "baghdad-nss",
        "baghdad",
        "fabricated_images",
        "no",
        True,
        {
            "platform": "telegram",
            "narrative": "An unknown account made fake pictures of me and sends them to my friends.",
            "suspect_identifiers": ["@dark.rose.iq", "t.me/fakepics_iq"],
        },
    ),
    (
        "karbala-money",
        "karbala",
        "money_demand",
        "yes",
        False,
        {
            "name": "Ahmed",
            "platform": "whatsapp",
            "contact_method": "phone",
            "phone": "0781 222 3344",
            "safe_hours": "After 2 pm",
            "money_demanded": True,
            "money_paid": True,
            "amount_paid": "200,000 IQD by Zain Cash",
            "narrative": "He has my private chat and keeps asking for more money.",
            "suspect_identifiers": ["0750 888 9911"],
        },
    ),
    (
        "erbil-female",
        "erbil",
        "hacked_account",
        "yes",
        True,
        {
            "platform": "facebook",
            "narrative": "My ex took over my Facebook and threatens to post my photos.",
            "suspect_identifiers": ["facebook.com/karwan.x"],
        },
    ),
    (
        "basra-nobody",
        "basra",
        "fake_romance",
        "no",
        False,
        {
            "platform": "tiktok",
            "narrative": "A fake romance on TikTok, now threats.",
            "suspect_identifiers": ["@tt_love_99"],
        },
    ),
    (
        "karbala-nss-female",
        "karbala",
        "intimate_images",
        "no",
        True,
        {
            "platform": "whatsapp",
            "narrative": "Unknown number sends my photos and asks for more.",
            "suspect_identifiers": ["+44 7700 900123"],
        },
    ),
    (
        "baghdad-family",
        "baghdad",
        "family_violence",
        "yes",
        True,
        {
            "narrative": "A relative threatens to share my pictures unless I marry him.",
            "contact_rules": ["never_through_family"],
        },
    ),
]


def seed_demo_cases(stdout, *, history: bool = True) -> list[tuple[str, str, str]]:
    """File the demo cases through report_file, once. Returns printed logins."""
    import uuid

    from casework.crypto import Sealer
    from casework.models import Case
    from casework.services import ReportAnswers, report_file

    logins = [
        (key, reference, passphrase) for key, (reference, passphrase) in DEMO_VICTIM_LOGINS.items()
    ]
    if Case.objects.exists():
        stdout.write("Demo cases exist already; not adding more.")
        return logins
    if history:
        seed_demo_case_history(stdout)
    for key, governorate, category, knows, female, extra in DEMO_LIVE_CASES:
        answers = ReportAnswers(
            category_code=category,
            knows_blackmailer=knows,
            governorate_code=governorate,
            wants_female_officer=female,
            **extra,
        )
        owner = uuid.uuid4()
        _sealer, wrapped = Sealer.new(owner=owner)
        reference, passphrase = DEMO_VICTIM_LOGINS.get(key, (None, None))
        filed = report_file(
            owner_uuid=owner,
            wrapped_key=wrapped,
            answers=answers,
            demo_passphrase=passphrase,
            demo_reference=reference,
        )
        demo_case_mark(filed.case)
    return logins


# --- demo history: three years of intake, the Karbala story ---------------------

# Matches outreach.demo: Karbala's campaign of ~180 seminars started 24 months
# ago and ran 12 months. Before it, about 8 cases a month; after, 2-3.
CAMPAIGN_STARTS_MONTHS_AGO = 24
CAMPAIGN_MONTHS = 12
HISTORY_MONTHS = 36
HISTORY_RATES = {
    "baghdad": (4, 6),
    "basra": (2, 4),
    "nineveh": (2, 4),
    "erbil": (1, 3),
    "najaf": (1, 2),
}
HISTORY_CATEGORIES = [
    "intimate_images",
    "fabricated_images",
    "hacked_account",
    "fake_romance",
    "money_demand",
]
# A few blackmailer accounts recur across cases, so linked cases show up.
HISTORY_NETWORK = ["@dark.rose.iq", "0770 400 1122", "t.me/fakepics_iq"]


def _karbala_cases(months_ago: int, rng) -> int:
    if months_ago > CAMPAIGN_STARTS_MONTHS_AGO:
        return rng.choice([7, 8, 8, 9])
    campaign_end = CAMPAIGN_STARTS_MONTHS_AGO - CAMPAIGN_MONTHS
    if months_ago > campaign_end:
        progress = (CAMPAIGN_STARTS_MONTHS_AGO - months_ago) / CAMPAIGN_MONTHS
        return max(2, round(8 - 5 * progress + rng.choice([-1, 0, 0, 1])))
    return rng.choice([2, 2, 3, 3])


def seed_demo_case_history(stdout) -> int:
    """Closed cases over the past three years, filed through report_file and then
    dated back (demo only), so the outreach charts have a story to tell."""
    import datetime as dt
    import random
    import uuid
    from zoneinfo import ZoneInfo

    from django.test.utils import override_settings

    from casework.crypto import Sealer
    from casework.services import FIRST_CONTACT_SLA, ReportAnswers, report_file

    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    baghdad = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    today = dt.datetime.now(tz=baghdad).date().replace(day=1)
    filed = 0
    # History cases are never logged into; a cheap hash keeps the seed quick.
    cheap = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    with override_settings(SANAD_PASSPHRASE_ARGON2=cheap):
        for months_ago in range(HISTORY_MONTHS, 0, -1):
            year, month = divmod(today.year * 12 + today.month - 1 - months_ago, 12)
            month_start = dt.date(year, month + 1, 1)
            plan = {code: rng.randint(*rate) for code, rate in HISTORY_RATES.items()}
            plan["karbala"] = _karbala_cases(months_ago, rng)
            for code, count in plan.items():
                for _ in range(count):
                    when = dt.datetime(
                        month_start.year,
                        month_start.month,
                        rng.randint(1, 28),
                        rng.randint(8, 22),
                        tzinfo=baghdad,
                    )
                    owner = uuid.uuid4()
                    _sealer, wrapped = Sealer.new(owner=owner)
                    answers = ReportAnswers(
                        category_code=rng.choice(HISTORY_CATEGORIES),
                        knows_blackmailer=rng.choice(["yes", "yes", "no"]),
                        governorate_code=code,
                        narrative="(demo history)",
                        wants_female_officer=rng.random() < 0.4,
                        money_demanded=rng.random() < 0.5,
                        suspect_identifiers=[rng.choice(HISTORY_NETWORK)]
                        if rng.random() < 0.1
                        else [],
                    )
                    case = report_file(owner_uuid=owner, wrapped_key=wrapped, answers=answers).case
                    demo_case_mark(case)
                    _date_back_as_closed(case, when, rng, FIRST_CONTACT_SLA)
                    filed += 1
    stdout.write(f"Demo history: {filed} closed cases over {HISTORY_MONTHS} months.")
    return filed


def _date_back_as_closed(case, when, rng, sla) -> None:
    """Demo only: place a freshly filed case in the past, handled and closed."""
    import datetime as dt

    from casework.models import Case

    case.filed_at = when
    case.first_contact_due_at = when + sla[case.priority]
    case.first_contact_at = when + dt.timedelta(hours=rng.uniform(0.5, 60))
    case.resolved_at = when + dt.timedelta(days=rng.uniform(3, 45))
    case.closed_at = case.resolved_at + dt.timedelta(days=rng.uniform(0, 5))
    case.status = Case.Status.CLOSED
    case.save(
        update_fields=[
            "filed_at",
            "first_contact_due_at",
            "first_contact_at",
            "resolved_at",
            "closed_at",
            "status",
        ]
    )
