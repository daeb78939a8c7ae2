"""The case list's table: the admin's headers (sorting links), light rows."""

from __future__ import annotations

import re

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers
from django.utils.text import capfirst

register = template.Library()


@register.inclusion_tag("admin/casework/case/change_list_rows.html")
def case_result_list(cl, rows):
    headers = list(result_headers(cl))
    # Each cell's column name, for data-label: rows stack on a phone (console.css).
    labels = {}
    for header in headers:
        column = re.search(r"column-(\w+)", str(header.get("class_attrib", "")))
        if column:
            labels[column.group(1)] = capfirst(str(header["text"]))
    return {
        "labels": labels,
        "cl": cl,
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "rows": rows,
        "with_checkbox": "action_checkbox" in cl.list_display,
    }
