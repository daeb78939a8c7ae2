"""The CSV format of sessions, shared by the import (services) and the export (views).

The columns are documented in the README ("Outreach CSV import"): keep the two
in step. Codes, not translated labels, go in the cells, so a file means the
same thing in every language.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from outreach.models import AwarenessSession

# Import columns, in the order the template and the export use.
IMPORT_COLUMNS: list[str] = [
    "date",
    "duration_minutes",
    "governorate",
    "district",
    "venue_type",
    "venue_name",
    "unit",
    "facilitators",
    "audience_female",
    "audience_male",
    "age_band",
    "topics",
    "materials",
    "follow_up_requests",
    "notes",
    "audience_confirmed",
]
REQUIRED_COLUMNS: frozenset[str] = frozenset(
    {
        "date",
        "duration_minutes",
        "governorate",
        "district",
        "venue_type",
        "venue_name",
        "audience_female",
        "audience_male",
        "age_band",
        "topics",
    }
)
# The export adds these after the import columns; they are not importable
# (importing an export would log its sessions a second time).
EXPORT_ONLY_COLUMNS: list[str] = [
    "id",
    "audience_total",
    "facilitators_women",
    "logged_by",
]
EXPORT_COLUMNS: list[str] = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS

# Where a rule names a model field, the import reports the column.
COLUMN_FOR_FIELD: dict[str, str] = {"held_on": "date"}

LIST_SEPARATOR = ";"

# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def split_list(value: str) -> list[str]:
    """``"a; b;;c"`` -> ``["a", "b", "c"]``."""
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def csv_safe(value: object) -> object:
    """Neutralise spreadsheet formulas in text cells (CSV injection).

    Text starting with ``= + - @`` (or a tab or carriage return) gets a leading
    single quote, so Excel and LibreOffice show it instead of running it.
    Numbers are written as they are.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(sessions: Iterable[AwarenessSession]) -> Iterator[str]:
    """CSV lines for ``sessions`` (prefetch topics and facilitators__user), header first.

    Starts with a UTF-8 byte-order mark so Excel reads Arabic and Sorani right.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
    for session in sessions:
        facilitators = list(session.facilitators.all())
        row = [
            session.held_on.isoformat(),
            session.duration_minutes,
            session.governorate.code,
            session.district,
            session.venue_type,
            session.venue_name,
            session.unit.kind,
            LIST_SEPARATOR.join(p.user.get_username() for p in facilitators),
            session.audience_female,
            session.audience_male,
            session.age_band,
            LIST_SEPARATOR.join(t.code for t in session.topics.all()),
            session.materials,
            session.follow_up_requests,
            session.notes,
            "yes" if session.audience_confirmed else "no",
            session.pk,
            session.audience_total,
            sum(1 for p in facilitators if p.is_female),
            session.logged_by.get_username(),
        ]
        yield writer.writerow([csv_safe(cell) for cell in row])
