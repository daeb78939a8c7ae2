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


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ar", "25 تشرين الثاني 2026، 00:30"),
        ("ckb", "25 تشرینی دووەم 2026، 00:30"),
        ("en", "25 November 2026, 00:30"),
    ],
)
def test_dates__one_datetime_format_per_language(lang, expected):
    moment = dt.datetime(2026, 11, 25, 0, 30, tzinfo=dt.UTC)
    with translation.override(lang):
        default = Template("{{ moment }}").render(Context({"moment": moment}))
        named = Template('{{ moment|date:"DATETIME_FORMAT" }}').render(Context({"moment": moment}))
    assert default == named == expected


@pytest.mark.parametrize("lang", ["ar", "ckb", "en"])
def test_numbers__decimals_with_a_point(lang):
    from decimal import Decimal

    with translation.override(lang):
        rendered = Template("{{ n }}").render(Context({"n": Decimal("2.5")}))
    assert rendered == "2.5"


@pytest.mark.parametrize(("lang", "month"), [("ar", "نيسان"), ("ckb", "نیسان"), ("en", "Apr")])
def test_chart_axis_months__iraqi_names(lang, month):
    from django.utils import formats

    with translation.override(lang):
        assert formats.date_format(dt.date(2026, 4, 1), "M") == month
