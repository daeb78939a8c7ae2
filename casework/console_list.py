"""The console's case list at national scale: reference search and paging.

The list must cost the same at 1,000 cases and at 1,000,000, on page 1 and on
page 100. Three things make that so:

- the order is a stored column (``Case.console_rank``, then the first-contact
  deadline, then the id) walked through one index, never a sort on
  expressions that read the clock;
- a page is fetched in two steps: first the ids of its rows through that
  index (no join, no ciphertext, nothing but the id), then those few rows with
  what the columns show;
- the count stops at ``COUNT_CAP``: beyond it the page says "more than", and
  the officer narrows the list with a filter or a search.

Search matches whole or partial references ("SND-7K3", "7K3M", "q9xw") on
``Case.reference_key``, which PostgreSQL serves from a trigram index.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from casework.identifiers import MAX_REFERENCE_INPUT, REFERENCE_ALPHABET, to_western_digits

# Counting stops here: 200 pages of 50 cases.
COUNT_CAP = 10_000
# Fewer symbols than this would match a large share of all cases.
MIN_PARTIAL_SYMBOLS = 3
REFERENCE_PREFIX = "SND"

_SEPARATORS = re.compile(r"[\s\-_.–—/]")
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def reference_search_key(raw: str) -> tuple[str, bool] | None:
    """What an officer typed -> (symbols to look for, anchored at the start?).

    "snd-7k3" -> ("SND7K3", True); "7K3M" -> ("7K3M", False). None when it
    cannot be part of a reference (other characters, too short, too long).
    """
    if not raw or len(raw) > MAX_REFERENCE_INPUT:
        return None
    cleaned = _SEPARATORS.sub("", to_western_digits(unicodedata.normalize("NFKC", raw)).upper())
    anchored = cleaned.startswith(REFERENCE_PREFIX)
    body = (cleaned[len(REFERENCE_PREFIX) :] if anchored else cleaned).translate(_LOOKALIKES)
    if not (MIN_PARTIAL_SYMBOLS <= len(body) <= 8):
        return None
    if any(symbol not in REFERENCE_ALPHABET for symbol in body):
        return None
    return (REFERENCE_PREFIX + body if anchored else body), anchored


def cases_matching_reference(cases: QuerySet, raw: str) -> QuerySet:
    """``cases`` whose reference is, starts with, or contains what was typed.

    Applied to the viewer's own list, so search never reaches beyond scope.
    """
    key = reference_search_key(raw)
    if key is None:
        return cases.none()
    symbols, anchored = key
    body = symbols[len(REFERENCE_PREFIX) :] if anchored else symbols
    if len(body) == 8:
        # A whole reference: the unique index answers.
        return cases.filter(reference=f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}")
    if anchored:
        return cases.filter(reference_key__startswith=symbols)
    return cases.filter(reference_key__contains=symbols)


class ConsoleListPaginator(Paginator):
    """Pages whose cost does not grow with the number of cases (see the module)."""

    count_cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        """Up to ``count_cap`` + 1, so "more than the cap" can be told apart."""
        return self.object_list.order_by().values("pk")[: self.count_cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.count_cap

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        position = {pk: index for index, pk in enumerate(ids)}
        rows = sorted(
            self.object_list.order_by().filter(pk__in=ids), key=lambda row: position[row.pk]
        )
        return self._get_page(rows, number, self)


def case_list_rows(cases, *, change_url_of) -> list[dict]:
    """Display values for the list's rows, computed once per row in plain
    Python (the admin's generic row rendering costs about 1 ms a row).

    Redaction as everywhere in the console: the victim's initials only.
    """
    from casework.redaction import case_initials

    rows = []
    for case in cases:
        officer = case.assigned_officer
        rows.append(
            {
                "pk": case.pk,
                "reference": case.reference,
                "url": change_url_of(case.pk),
                "victim": case_initials(case) or "—",
                "status": case.get_status_display(),
                "priority": case.get_priority_display(),
                "unit": str(case.unit),
                "governorate": str(case.governorate) if case.governorate_id else "—",
                "assignment_state": case.get_assignment_state_display(),
                "officer": officer.user.get_username() if officer is not None else "—",
                "first_contact_due_at": case.first_contact_due_at,
                "overdue": case.is_overdue,
            }
        )
    return rows
