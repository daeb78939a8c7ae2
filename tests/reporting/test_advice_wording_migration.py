"""The advice-wording data migration replaces only the reviewed phrases."""

import importlib

import pytest
from django.apps import apps

from reporting.models import AdvicePage

migration = importlib.import_module("reporting.migrations.0004_words_advice_wording")


@pytest.mark.django_db
def test_advice_wording_migration__replaces_phrases_and_keeps_editor_text():
    page = AdvicePage.objects.get(slug="first-steps")
    page.title_ar = page.title = "ماذا تفعل أولاً"
    page.body_ckb = "دەستکاری. ئەوەی بەسەرت دێت تاوانە، و تاوانی تۆ نییە. لە سند، یان"
    page.save()
    edited = AdvicePage.objects.get(slug="keep-evidence")
    edited.title_ar = "عنوان كتبه محرّر"
    edited.save()

    migration.forwards(apps, None)

    page.refresh_from_db()
    edited.refresh_from_db()
    assert page.title_ar == page.title == "ماذا أفعل أولًا؟"
    assert page.body_ckb == "دەستکاری. ئەوەی بەسەرت دێت تاوانە، و هەڵەی تۆ نییە. لە سەنەد، یان"
    assert edited.title_ar == "عنوان كتبه محرّر"
