import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize(
    ("lang", "month"),
    [("ar", "تشرين الثاني"), ("ckb", "تشرینی دووەم"), ("en", "November")],
)
def test_dates__use_the_month_names_people_in_iraq_use(lang, month):
    with translation.override(lang):
        rendered = Template('{{ day|date:"j F Y" }}').render(
            Context({"day": dt.date(2026, 11, 24)})
        )
    assert rendered == f"24 {month} 2026"


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_numbers__western_digits_in_every_language(lang):
    with translation.override(lang):
        rendered = Template("{% load humanize %}{{ n|intcomma }}").render(Context({"n": 1234567}))
    assert all(ch in "0123456789,٬. " for ch in rendered), rendered
