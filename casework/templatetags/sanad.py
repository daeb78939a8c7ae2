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
