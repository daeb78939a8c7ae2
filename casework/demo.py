"""Reference data every installation needs, and the demo staff of `seed_demo`.

Reference data (governorates, units, categories) is real and translated in all
three languages. Demo staff have a known password and a TOTP secret derived
from their username, so running the seed twice gives the same codes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

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
        "داواکردنی کاری سێکسی",
    ),
    (
        "recruitment",
        False,
        "Pressure to bring in other people or to work for the blackmailer",
        "الضغط لاستدراج أشخاص آخرين أو للعمل لصالح المبتز",
        "فشار بۆ هێنانی کەسانی تر یان کارکردن بۆ هەڕەشەکەر",
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


def seed_demo_cases(stdout) -> list[tuple[str, str, str]]:
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
        report_file(
            owner_uuid=owner,
            wrapped_key=wrapped,
            answers=answers,
            demo_passphrase=passphrase,
            demo_reference=reference,
        )
    return logins
