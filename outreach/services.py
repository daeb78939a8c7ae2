"""Writes that carry a rule. The console views, the admin, the CSV import and the
demo seeder all log and correct sessions through these functions.

What they refuse, and why:
- a role other than outreach staff, supervisor or administrator (PermissionDenied);
- correcting a session that is not yours to correct (PermissionDenied; the
  views answer 404 before it comes to that);
- a session in a governorate the user does not cover (administrators cover all);
- real mistakes: a date in the future or before 2000, a duration of zero or
  longer than a day, negative or empty audience counts, more follow-up
  requests than people present, no topic;
- an audience above the venue type's usual bound unless the user confirmed the
  numbers (``audience_confirmed``): large numbers happen (a university hall, a
  social-media campaign), so this is a warning to confirm, not a ban. The
  bounds come from ``settings.SANAD_OUTREACH_AUDIENCE_WARN`` (a dict by venue
  type) over the defaults below.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from casework.models import Governorate, StaffProfile, Unit
from outreach import csv_format
from outreach.models import MAX_DURATION_MINUTES, AgeBand, AwarenessSession, Topic, VenueType
from outreach.selectors import (
    governorates_for_logging,
    iraq_today,
    session_may_edit,
    user_has_outreach_access,
)

EARLIEST_DATE = dt.date(2000, 1, 1)
# Beyond any online campaign's reach, and far inside the database column.
MAX_AUDIENCE = 10_000_000
MAX_IMPORT_BYTES = 2 * 1024 * 1024

# People at one session above which the form asks "are these numbers right?".
AUDIENCE_WARN_DEFAULTS: dict[str, int] = {
    VenueType.SCHOOL: 600,
    VenueType.UNIVERSITY: 1000,
    VenueType.WOMENS_FORUM: 300,
    VenueType.NEIGHBOURHOOD_FORUM: 400,
    VenueType.PARENTS_WORKSHOP: 300,
    VenueType.TRIBAL_RELIGIOUS: 1500,
    VenueType.THEATRE: 1500,
    VenueType.ONLINE: 500_000,
    VenueType.OTHER: 1000,
}

NO_ACCESS = _("Only outreach staff, supervisors and administrators may log awareness sessions.")
NOT_YOURS = _("You may not correct this session.")
DATE_IN_FUTURE = _("The date is in the future. Log a session once it has taken place.")
DATE_TOO_OLD = _("The date is before 2000. Check the year.")
DURATION_OUT_OF_RANGE = _("The duration must be between 1 minute and 24 hours (1440 minutes).")
AUDIENCE_NEGATIVE = _("A count cannot be negative.")
AUDIENCE_IMPOSSIBLE = _("This count is too large to be right. Check for extra digits.")
AUDIENCE_EMPTY = _("Enter how many people attended: both counts are zero.")
AUDIENCE_UNUSUALLY_LARGE = _(
    "The audience (%(total)s) is larger than usual for this kind of venue (more than "
    "%(bound)s). Check the numbers, and confirm them if they are correct."
)
FOLLOW_UP_NEGATIVE = _("The number of follow-up requests cannot be negative.")
FOLLOW_UP_EXCEEDS_AUDIENCE = _(
    "There are more follow-up requests (%(requests)s) than people present (%(total)s)."
)
GOVERNORATE_NOT_COVERED = _("You do not cover this governorate.")
TEXT_REQUIRED = _("This field is required.")
TEXT_TOO_LONG = _("This is too long (the limit is %(limit)s).")
NO_TOPIC = _("Choose at least one topic.")
UNKNOWN_CHOICE = _("This is not one of the choices.")
FACILITATOR_INACTIVE = _("%(name)s is not an active staff member.")

FILE_TOO_LARGE = _("The file is larger than 2 MB. Split it into smaller files.")
FILE_NOT_UTF8 = _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
FILE_EMPTY = _("The file has no header row.")
FILE_NO_ROWS = _("The file has a header but no sessions.")
COLUMNS_MISSING = _("Required columns are missing: %(columns)s.")
COLUMNS_UNKNOWN = _("Unknown columns: %(columns)s. The import page lists the columns.")
COLUMNS_DUPLICATED = _("Columns appear more than once: %(columns)s.")
ROW_TOO_LONG = _("This row has more cells than the header.")
VALUE_NOT_A_DATE = _("“%(value)s” is not a date in the form YYYY-MM-DD.")
VALUE_NOT_A_NUMBER = _("“%(value)s” is not a whole number.")
VALUE_NOT_YES_NO = _("“%(value)s” is not yes or no.")
VALUE_UNKNOWN_CODE = _("“%(value)s” is not a known code.")
VALUE_UNKNOWN_USER = _("“%(value)s” is not the username of a staff member.")
UNIT_REQUIRED = _("Give the organising unit: you have none on your profile.")


@dataclass(frozen=True, kw_only=True)
class SessionDetails:
    """What a person says about a session: parsed, not yet checked."""

    held_on: dt.date
    duration_minutes: int
    governorate: Governorate
    district: str
    venue_type: str
    venue_name: str
    unit: Unit
    facilitators: Sequence[StaffProfile] = ()
    audience_female: int
    audience_male: int
    age_band: str
    topics: Sequence[Topic]
    materials: str = ""
    follow_up_requests: int = 0
    notes: str = ""
    audience_confirmed: bool = False

    @property
    def audience_total(self) -> int:
        return self.audience_female + self.audience_male


def audience_warn_bound(venue_type: str) -> int:
    """Audience above which a session asks for confirmation (configurable per venue type)."""
    bounds = {**AUDIENCE_WARN_DEFAULTS, **getattr(settings, "SANAD_OUTREACH_AUDIENCE_WARN", {})}
    return bounds.get(venue_type, bounds[VenueType.OTHER])


def _require_access(user) -> None:
    if not user_has_outreach_access(user):
        raise PermissionDenied(NO_ACCESS)


def session_check(*, details: SessionDetails, by, session: AwarenessSession | None = None) -> None:
    """Raise one ValidationError naming every mistake in ``details``, keyed by field.

    ``session`` is the session being corrected, if any: a session may stay in
    a governorate its editor does not cover (a supervisor correcting an old
    entry), but nobody may move one into such a governorate.
    """
    errors: dict[str, list[ValidationError]] = {}

    def add(name: str, message, code: str, **params) -> None:
        errors.setdefault(name, []).append(
            ValidationError(message, code=code, params=params or None)
        )

    today = iraq_today()
    if details.held_on > today:
        add("held_on", DATE_IN_FUTURE, "date_in_future")
    elif details.held_on < EARLIEST_DATE:
        add("held_on", DATE_TOO_OLD, "date_too_old")
    if not 1 <= details.duration_minutes <= MAX_DURATION_MINUTES:
        add("duration_minutes", DURATION_OUT_OF_RANGE, "duration_out_of_range")

    moved = session is None or session.governorate_id != details.governorate.pk
    if moved and not governorates_for_logging(user=by).filter(pk=details.governorate.pk).exists():
        add("governorate", GOVERNORATE_NOT_COVERED, "governorate_not_covered")

    for name, limit in (("district", 100), ("venue_name", 200)):
        value = getattr(details, name).strip()
        if not value:
            add(name, TEXT_REQUIRED, "required")
        elif len(value) > limit:
            add(name, TEXT_TOO_LONG, "too_long", limit=limit)
    if details.venue_type not in VenueType.values:
        add("venue_type", UNKNOWN_CHOICE, "invalid_choice")
    if details.age_band not in AgeBand.values:
        add("age_band", UNKNOWN_CHOICE, "invalid_choice")

    counts_ok = True
    for name in ("audience_female", "audience_male"):
        if getattr(details, name) < 0:
            add(name, AUDIENCE_NEGATIVE, "negative_count")
            counts_ok = False
        elif getattr(details, name) > MAX_AUDIENCE:
            add(name, AUDIENCE_IMPOSSIBLE, "count_impossible")
            counts_ok = False
    total = details.audience_total
    if counts_ok and total == 0:
        add("audience_female", AUDIENCE_EMPTY, "no_audience")
    bound = audience_warn_bound(details.venue_type)
    if counts_ok and total > bound and not details.audience_confirmed:
        add(
            "audience_confirmed",
            AUDIENCE_UNUSUALLY_LARGE,
            "audience_unusually_large",
            total=total,
            bound=bound,
        )
    if details.follow_up_requests < 0:
        add("follow_up_requests", FOLLOW_UP_NEGATIVE, "negative_count")
    elif counts_ok and details.follow_up_requests > total:
        add(
            "follow_up_requests",
            FOLLOW_UP_EXCEEDS_AUDIENCE,
            "follow_up_exceeds_audience",
            requests=details.follow_up_requests,
            total=total,
        )

    if not details.topics:
        add("topics", NO_TOPIC, "no_topic")
    for profile in details.facilitators:
        if not profile.user.is_active:
            add(
                "facilitators",
                FACILITATOR_INACTIVE,
                "facilitator_inactive",
                name=profile.user.get_username(),
            )

    if errors:
        raise ValidationError(errors)


def _apply(session: AwarenessSession, details: SessionDetails) -> None:
    session.held_on = details.held_on
    session.duration_minutes = details.duration_minutes
    session.governorate = details.governorate
    session.district = details.district.strip()
    session.venue_type = details.venue_type
    session.venue_name = details.venue_name.strip()
    session.unit = details.unit
    session.audience_female = details.audience_female
    session.audience_male = details.audience_male
    session.age_band = details.age_band
    session.materials = details.materials.strip()
    session.follow_up_requests = details.follow_up_requests
    session.notes = details.notes.strip()
    # Only a number above the bound needs (and keeps) the confirmation.
    session.audience_confirmed = details.audience_confirmed and (
        details.audience_total > audience_warn_bound(details.venue_type)
    )


@transaction.atomic
def session_log(*, by, details: SessionDetails) -> AwarenessSession:
    """Record a session that took place, logged by ``by``."""
    _require_access(by)
    session_check(details=details, by=by)
    session = AwarenessSession(logged_by=by)
    _apply(session, details)
    session.save()
    session.topics.set(details.topics)
    session.facilitators.set(details.facilitators)
    return session


@transaction.atomic
def session_update(*, session: AwarenessSession, by, details: SessionDetails) -> AwarenessSession:
    """Correct a session: its author, a supervisor of its governorate, or an administrator."""
    _require_access(by)
    # Lock the row: two corrections at once are applied one after the other.
    session = AwarenessSession.objects.select_for_update().get(pk=session.pk)
    if not session_may_edit(session=session, user=by):
        raise PermissionDenied(NOT_YOURS)
    session_check(details=details, by=by, session=session)
    _apply(session, details)
    session.updated_by = by
    session.save()
    session.topics.set(details.topics)
    session.facilitators.set(details.facilitators)
    return session


@transaction.atomic
def session_delete(*, session: AwarenessSession, by) -> None:
    """Remove a session logged by mistake (twice, or never held). Same rule as correcting."""
    _require_access(by)
    session = AwarenessSession.objects.select_for_update().get(pk=session.pk)
    if not session_may_edit(session=session, user=by):
        raise PermissionDenied(NOT_YOURS)
    session.delete()


# --- CSV import -------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in an import file. ``row`` counts the header as row 1, like a spreadsheet."""

    row: int | None
    column: str | None
    message: str
    code: str


@dataclass
class CsvImportError(Exception):
    """The file was refused; nothing from it was saved."""

    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.errors)} problem(s) in the import file"


def _error(row: int | None, column: str | None, message, code: str, **params) -> RowError:
    text = str(message) % params if params else str(message)
    return RowError(row=row, column=column, message=text, code=code)


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


class _Cell(Exception):
    def __init__(self, message, code: str, **params):
        self.message, self.code, self.params = message, code, params


def _int(value: str) -> int:
    text = value.strip().translate(_DIGITS).replace(",", "")
    try:
        return int(text)
    except ValueError:
        raise _Cell(VALUE_NOT_A_NUMBER, "not_a_number", value=value) from None


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip().translate(_DIGITS))
    except ValueError:
        raise _Cell(VALUE_NOT_A_DATE, "not_a_date", value=value) from None


def _yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text in {"", "no", "false", "0"}:
        return False
    if text in {"yes", "true", "1"}:
        return True
    raise _Cell(VALUE_NOT_YES_NO, "not_yes_no", value=value)


def _code(value: str, known: dict) -> object:
    text = value.strip()
    if text not in known:
        raise _Cell(VALUE_UNKNOWN_CODE, "unknown_code", value=value)
    return known[text]


def _codes(value: str, known: dict) -> list:
    return [_code(part, known) for part in csv_format.split_list(value)]


def _read_rows(file: IO[bytes]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    data = file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise CsvImportError([_error(None, None, FILE_TOO_LARGE, "file_too_large")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvImportError([_error(None, None, FILE_NOT_UTF8, "not_utf8")]) from None
    records = csv.reader(io.StringIO(text, newline=""))
    header = next(records, None)
    if not header or not any(cell.strip() for cell in header):
        raise CsvImportError([_error(None, None, FILE_EMPTY, "no_header")])
    rows = []
    for index, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, as spreadsheets leave at the end
        rows.append((index, cells))
    return [cell.strip() for cell in header], rows


def _check_header(header: list[str]) -> None:
    known = set(csv_format.IMPORT_COLUMNS)
    duplicated = sorted({c for c in header if header.count(c) > 1})
    unknown = [c for c in header if c not in known]
    missing = [c for c in csv_format.REQUIRED_COLUMNS if c not in header]
    errors = []
    if duplicated:
        errors.append(
            _error(1, None, COLUMNS_DUPLICATED, "duplicate_columns", columns=", ".join(duplicated))
        )
    if unknown:
        errors.append(
            _error(1, None, COLUMNS_UNKNOWN, "unknown_columns", columns=", ".join(unknown))
        )
    if missing:
        errors.append(
            _error(1, None, COLUMNS_MISSING, "missing_columns", columns=", ".join(missing))
        )
    if errors:
        raise CsvImportError(errors)


@dataclass(frozen=True)
class _Lookups:
    governorates: dict[str, Governorate]
    units: dict[str, Unit]
    topics: dict[str, Topic]
    staff: dict[str, StaffProfile]
    default_unit: Unit | None


def _parse_row(
    *, index: int, values: dict[str, str], lookups: _Lookups
) -> tuple[dict[str, object], list[RowError]]:
    """Turn one row's cells into ``SessionDetails`` arguments, or say what is wrong."""
    kwargs: dict[str, object] = {}
    errors: list[RowError] = []

    def parse(column: str, target: str, parser) -> None:
        raw = values.get(column, "")
        if column in csv_format.REQUIRED_COLUMNS and not raw.strip():
            errors.append(_error(index, column, TEXT_REQUIRED, "required"))
            return
        try:
            kwargs[target] = parser(raw)
        except _Cell as problem:
            errors.append(_error(index, column, problem.message, problem.code, **problem.params))

    venue_types = {code: code for code in VenueType.values}
    age_bands = {code: code for code in AgeBand.values}
    parse("date", "held_on", _date)
    parse("duration_minutes", "duration_minutes", _int)
    parse("governorate", "governorate", lambda v: _code(v, lookups.governorates))
    parse("district", "district", str)
    parse("venue_type", "venue_type", lambda v: _code(v, venue_types))
    parse("venue_name", "venue_name", str)
    if values.get("unit", "").strip():
        parse("unit", "unit", lambda v: _code(v, lookups.units))
    elif lookups.default_unit is not None:
        kwargs["unit"] = lookups.default_unit
    else:
        errors.append(_error(index, "unit", UNIT_REQUIRED, "unit_required"))
    facilitators = []
    for name in csv_format.split_list(values.get("facilitators", "")):
        if name in lookups.staff:
            facilitators.append(lookups.staff[name])
        else:
            errors.append(
                _error(index, "facilitators", VALUE_UNKNOWN_USER, "unknown_user", value=name)
            )
    kwargs["facilitators"] = facilitators
    parse("audience_female", "audience_female", _int)
    parse("audience_male", "audience_male", _int)
    parse("age_band", "age_band", lambda v: _code(v, age_bands))
    parse("topics", "topics", lambda v: _codes(v, lookups.topics))
    parse("materials", "materials", str)
    parse("follow_up_requests", "follow_up_requests", lambda v: _int(v) if v.strip() else 0)
    parse("notes", "notes", str)
    parse("audience_confirmed", "audience_confirmed", _yes_no)
    return kwargs, errors


@transaction.atomic
def sessions_import_csv(*, by, file: IO[bytes]) -> list[AwarenessSession]:
    """Import past sessions from a CSV file: all of them, or none.

    The file is UTF-8 (with or without a byte-order mark), at most 2 MB, one
    session a row, with the columns of ``outreach.csv_format`` (documented in
    the README). Every row is checked with the same rules as the console form
    (``session_check``) before anything is written; if any row fails,
    ``CsvImportError`` lists every problem with its row number and column,
    and nothing is saved.
    """
    _require_access(by)
    header, rows = _read_rows(file)
    _check_header(header)
    if not rows:
        raise CsvImportError([_error(None, None, FILE_NO_ROWS, "no_rows")])

    errors: list[RowError] = []
    records: list[tuple[int, dict[str, str]]] = []
    for index, cells in rows:
        if any(cell.strip() for cell in cells[len(header) :]):
            errors.append(_error(index, None, ROW_TOO_LONG, "row_too_long"))
            continue
        cells = cells[: len(header)] + [""] * (len(header) - len(cells))
        records.append((index, dict(zip(header, cells, strict=True))))

    usernames = {
        name
        for _index, values in records
        for name in csv_format.split_list(values.get("facilitators", ""))
    }
    lookups = _Lookups(
        governorates={g.code: g for g in Governorate.objects.all()},
        units={u.kind: u for u in Unit.objects.all()},
        topics={t.code: t for t in Topic.objects.all()},
        staff={
            p.user.get_username(): p
            for p in StaffProfile.objects.select_related("user").filter(
                **{f"user__{get_user_model().USERNAME_FIELD}__in": usernames}
            )
        },
        default_unit=by.staff_profile.unit,
    )
    parsed: list[SessionDetails] = []
    for index, values in records:
        kwargs, row_errors = _parse_row(index=index, values=values, lookups=lookups)
        if not row_errors:
            details = SessionDetails(**kwargs)
            try:
                session_check(details=details, by=by)
            except ValidationError as invalid:
                row_errors = [
                    _error(
                        index,
                        csv_format.COLUMN_FOR_FIELD.get(name, name),
                        problem.message,
                        problem.code or "invalid",
                        **(problem.params or {}),
                    )
                    for name, problems in invalid.error_dict.items()
                    for problem in problems
                ]
            else:
                parsed.append(details)
        errors.extend(row_errors)

    if errors:
        raise CsvImportError(sorted(errors, key=lambda e: e.row or 0))
    return [session_log(by=by, details=details) for details in parsed]
