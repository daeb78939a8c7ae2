"""The console's Django admin strings exist in Sorani (Django's own ckb lacks some)."""

import pytest
from django.utils import translation

from casework.admin_locale import ADMIN_STRINGS_MISSING_IN_DJANGO_CKB


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_admin_strings__translated_in_the_projects_catalogue(lang):
    with translation.override("en"):
        english = [str(message) for message in ADMIN_STRINGS_MISSING_IN_DJANGO_CKB]
    with translation.override(lang):
        translated = [str(message) for message in ADMIN_STRINGS_MISSING_IN_DJANGO_CKB]
    assert all(a != b for a, b in zip(english, translated, strict=True))
