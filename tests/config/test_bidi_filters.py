"""Template filters that keep left-to-right text in order inside RTL pages."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


def render(source: str, **context) -> str:
    return Template("{% load sanad %}" + source).render(Context(context))


def test_ltr__isolates_escapes_and_uses_western_digits():
    assert render("{{ v|ltr }}", v="<b>٠٧٧٠</b>") == '<bdi dir="ltr">&lt;b&gt;0770&lt;/b&gt;</bdi>'
    assert render("{{ v|ltr }}", v="") == ""


def test_ltr_lines__one_isolate_per_line():
    assert render("{{ v|ltr_lines }}", v="+964 770\n\n@a.b") == (
        '<bdi dir="ltr">+964 770</bdi><br><bdi dir="ltr">@a.b</bdi>'
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("-48"), "-48%"), (Decimal("12"), "+12%"), (Decimal("0"), "0%"), (-2.5, "-2.5%")],
)
def test_signed_percent__sign_before_number_inside_one_isolate(value, expected):
    with translation.override("ar"):
        assert render("{{ v|signed_percent }}", v=value) == f'<bdi dir="ltr">{expected}</bdi>'


def test_ltr_text__unicode_isolates_for_options():
    assert render("{{ v|ltr_text }}", v="officer.f") == "\u2066officer.f\u2069"


@pytest.mark.parametrize(
    ("lang", "size", "expected"),
    [
        ("ar", 5, "5 بايت"),
        ("ar", 2_411_724, "2.3 ميغابايت"),
        ("ckb", 1, "1 بایت"),
        ("ckb", 15 * 1024, "15 کیلۆبایت"),
        ("en", 2, "2 bytes"),
        ("en", 12 * 1024 * 1024, "12 MB"),
    ],
)
def test_file_size__our_own_words_with_a_decimal_point(lang, size, expected):
    with translation.override(lang):
        assert render("{{ v|file_size }}", v=size) == expected
