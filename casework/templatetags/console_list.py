"""The case list's table: the admin's headers (sorting links), light rows."""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers

register = template.Library()


@register.inclusion_tag("admin/casework/case/change_list_rows.html")
def case_result_list(cl, rows):
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "rows": rows,
        "with_checkbox": "action_checkbox" in cl.list_display,
    }
