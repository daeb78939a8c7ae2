"""Object history names changed fields in the reader's language: Django stores
them in English ("Changed Sex.") and translates each name when it shows it."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import translation


@pytest.mark.parametrize(("lang", "expected"), [("ar", "الجنس"), ("ckb", "ڕەگەز"), ("en", "Sex")])
def test_history__changed_sex_reads_in_the_language_of_the_page(lang, expected):
    entry = LogEntry(
        action_flag=CHANGE, change_message='[{"changed": {"fields": ["Sex", "Role"]}}]'
    )
    with translation.override(lang):
        message = entry.get_change_message()
    assert expected in message
    assert lang == "en" or "Sex" not in message
