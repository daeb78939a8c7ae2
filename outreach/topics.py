"""The awareness topics every installation starts with, in ar / ckb / en.

The same list is frozen into migration 0002 (so a fresh database has them) and
used by the demo seeder (which only adds what is missing, so an editor's
wording is never overwritten). The Sorani wording needs a native check
(see /work/shared/GLOSSARY.md: several of these terms are unsourced).
"""

from __future__ import annotations

# (code, en, ar, ckb)
TOPICS: list[tuple[str, str, str, str]] = [
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
