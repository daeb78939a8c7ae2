"""The seven awareness topics, so they exist in every installation.

The list is frozen here on purpose (a migration must not change when
``outreach/topics.py`` does). Existing rows are left as an editor wrote them.
"""

from django.db import migrations

# (code, en, ar, ckb)
TOPICS = [
    (
        "finding_victims",
        "How blackmailers find victims, and social engineering",
        "كيف يصل المبتزون إلى ضحاياهم، والهندسة الاجتماعية",
        "هەڕەشەکەران چۆن قوربانی دەدۆزنەوە، و ئەندازیاریی کۆمەڵایەتی",
    ),
    (
        "fake_romance",
        "Fake romances and friendships",
        "العلاقات العاطفية والصداقات المزيفة",
        "پەیوەندیی خۆشەویستی و هاوڕێیەتیی ساختە",
    ),
    (
        "account_security",
        "Account security and two-factor authentication",
        "تأمين الحسابات والاستيثاق بخطوتين",
        "پاراستنی هەژمار و سەلماندنی دوو هەنگاوی",
    ),
    (
        "fabricated_images",
        "Fabricated and AI-made images",
        "الصور المفبركة والمصنوعة بالذكاء الاصطناعي",
        "وێنەی ساختە و دروستکراو بە زیرەکیی دەستکرد",
    ),
    (
        "evidence_no_payment",
        "Keep the evidence, don't pay",
        "الاحتفاظ بالأدلة وعدم الدفع",
        "بەڵگەکان هەڵبگرە، پارە مەدە",
    ),
    (
        "how_to_report",
        "How to report: hotlines 497 and 131, and Sanad",
        "كيفية التبليغ: الخطان الساخنان 497 و131، ومنصة سند",
        "چۆنیەتیی تۆمارکردنی سکاڵا: هێڵی گەرمی 497 و 131، و سەنەد",
    ),
    (
        "parental_supervision",
        "Parents' supervision",
        "إشراف الأهل ومتابعتهم",
        "چاودێریی دایک و باوک",
    ),
]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("outreach", "Topic")
    for order, (code, en, ar, ckb) in enumerate(TOPICS):
        Topic.objects.get_or_create(
            code=code,
            defaults={
                "sort_order": order,
                # The untranslated column holds the default language (ar).
                "name": ar,
                "name_ar": ar,
                "name_ckb": ckb,
                "name_en": en,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_topics, migrations.RunPython.noop),
    ]
