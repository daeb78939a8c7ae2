"""Template helpers shared by the public site and the console."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()

# How each language names itself in the menu. Django calls Sorani «کوردی»
# alone; readers look for «کوردی» and need to see it is Sorani.
MENU_NAMES = {"ckb": "کوردی (سۆرانی)"}


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """The current page in every language, as plain links (no JS, no cookie).

    The query string is dropped on purpose: it can carry what the user typed.
    """
    request = context["request"]
    current = context.get("LANGUAGE_CODE")
    links = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": MENU_NAMES.get(code, info["name_local"]),
                "url": translate_url(request.path, code),
                "current": code == current,
                "bidi": info["bidi"],
            }
        )
    return links


@register.filter
def advice_text(value: str):
    """Plain text to safe HTML: blank-line paragraphs, "- " lines as a list.

    Everything is escaped first; editors cannot inject markup.
    """
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    blocks = []
    for block in (value or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("\n".join(blocks))  # noqa: S308 - built from escaped text only


def _isolated(text: str):
    from django.utils.html import format_html

    from casework.identifiers import to_western_digits

    return format_html('<bdi dir="ltr">{}</bdi>', " ".join(to_western_digits(text).split()))


@register.filter
def ltr(value):
    """Left-to-right text inside a right-to-left page, kept in its own order.

    Phone numbers (+964 …), handles (@name), usernames and signed numbers
    (-48%) otherwise come out reversed in Arabic and Sorani: «4567 123 770
    964+». The text is isolated in ``<bdi dir="ltr">`` and shown with Western
    digits, as it is stored.
    """
    if value is None or value == "":
        return ""
    return _isolated(str(value))


@register.filter
def ltr_lines(value):
    """``ltr`` for each line of a multi-line value (one identifier a line)."""
    from django.utils.html import format_html_join
    from django.utils.safestring import mark_safe

    lines = [line for line in str(value or "").splitlines() if line.strip()]
    if not lines:
        return ""
    return format_html_join(mark_safe("<br>"), "{}", ((_isolated(line),) for line in lines))


@register.filter
def signed_percent(value):
    """A change in percent with its sign, isolated: «-48%», «+12%»."""
    if value is None or value == "":
        return ""
    from django.utils import formats

    number = formats.number_format(abs(value), decimal_pos=0 if value == int(value) else 1)
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return _isolated(f"{sign}{number}%")


@register.filter
def ltr_text(value):
    """``ltr`` for places that take no markup (``<option>``, ``title``):
    Unicode's left-to-right isolate (U+2066 … U+2069) around the text."""
    from casework.identifiers import to_western_digits

    if value is None or value == "":
        return ""
    return "\u2066" + " ".join(to_western_digits(str(value)).split()) + "\u2069"


@register.filter
def file_size(value):
    """A file's size in words Sanad's catalogues translate («2.3 ميغابايت»).

    Django's ``filesizeformat`` reads wrong in Arabic and Sorani («2,3 م.ب»,
    «5 بايتان», «1بایت»); these are our own strings, with a decimal point.
    """
    from django.utils import formats
    from django.utils.translation import gettext, ngettext

    size = int(value or 0)
    if size < 1024:
        return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size}
    for unit_size, message in ((1024**2, gettext("%(size)s MB")), (1024, gettext("%(size)s KB"))):
        if size >= unit_size:
            amount = round(size / unit_size, 1)
            shown = formats.number_format(
                amount if amount < 10 else round(amount), decimal_pos=1 if amount < 10 else 0
            )
            return message % {"size": shown}
    return ""
