"""Advice-page wording review: first-person Arabic titles, «هەڵە» (fault) beside
«تاوان» (crime) in Sorani, «سەنەد» in running Sorani text, one Sorani term for
two-step verification.

Only the exact phrases are replaced, so whatever an editor changed around them
in the console stays as it is.
"""

from django.db import migrations

PHRASES = {
    "title_ar": [
        ("ماذا تفعل أولاً", "ماذا أفعل أولًا؟"),
        ("كيف تحتفظ بالأدلة", "كيف أحتفظ بالأدلة؟"),
        ("تأمين حساباتك", "كيف أؤمّن حساباتي؟"),
    ],
    "title_ckb": [
        ("سەرەتا چی بکەیت", "سەرەتا چی بکەم؟"),
        ("چۆن بەڵگەکان هەڵبگریت", "چۆن بەڵگەکان هەڵبگرم؟"),
        ("هەژمارەکانت بپارێزە", "چۆن هەژمارەکانم بپارێزم؟"),
    ],
    "body_ar": [
        (
            "يمكن للضابط المسؤول عن حالتك المساعدة في كل خطوة.",
            "يمكن لمن يتابع بلاغك المساعدة في كل خطوة.",
        ),
    ],
    "summary_ckb": [("چوونەژوورەوەی دوو هەنگاوی", "پشتڕاستکردنەوەی دوو هەنگاوی")],
    "body_ckb": [
        ("ئەوەی بەسەرت دێت تاوانە، و تاوانی تۆ نییە.", "ئەوەی بەسەرت دێت تاوانە، و هەڵەی تۆ نییە."),
        ("لە سند، یان", "لە سەنەد، یان"),
        ("بەدواداچوونی سند بینووسیت", "بەدواداچوونی سەنەد بینووسیت"),
    ],
}


def _replace(apps, forward: bool):
    AdvicePage = apps.get_model("reporting", "AdvicePage")
    for page in AdvicePage.objects.all():
        changed = []
        for field, pairs in PHRASES.items():
            value = getattr(page, field) or ""
            for old, new in pairs:
                if old != new and (old, new)[not forward] in value:
                    # A title is replaced only when it is exactly the old one.
                    if field.startswith("title_") and value != (old, new)[not forward]:
                        continue
                    value = value.replace(*((old, new) if forward else (new, old)))
            if value != (getattr(page, field) or ""):
                setattr(page, field, value)
                changed.append(field)
        # The untranslated column mirrors Arabic (the default language).
        if "title_ar" in changed:
            page.title = page.title_ar
            changed.append("title")
        if changed:
            page.save(update_fields=changed)


def forwards(apps, schema_editor):
    _replace(apps, forward=True)


def backwards(apps, schema_editor):
    _replace(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_filing_receipt")]

    operations = [migrations.RunPython(forwards, backwards)]
