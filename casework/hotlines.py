"""Help numbers (hotlines) as data: federal by default, per governorate where a
partner has confirmed one.

497 (Community Police) and 131 (National Security Service) are federal. The
Kurdistan Region and other governorates may have their own numbers; an
administrator adds them in the console once they are confirmed, and victims in
that governorate then see them in place of the federal number of the same
service. Nothing here invents a number: the data migration installs only the
two federal ones.

Pages read them with one small query (a handful of rows), at most once a
request; nothing is cached between requests, so a change shows at once on
every app server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext_lazy as _

NUMBER_INVALID = _("A help number may hold only digits, spaces and a leading +.")
_NUMBER_PATTERN = re.compile(r"^\+?[0-9][0-9 ]{1,18}$")
FEDERAL_COMMUNITY_POLICE = _("Community Police")
FEDERAL_COMMUNITY_POLICE_WHEN = _("If you know who the blackmailer is.")
FEDERAL_NATIONAL_SECURITY = _("National Security Service")
FEDERAL_NATIONAL_SECURITY_WHEN = _("If you do not know who the blackmailer is.")


class HelpNumber(models.Model):
    class Service(models.TextChoices):
        COMMUNITY_POLICE = "community_police", _("Community Police")
        NATIONAL_SECURITY = "national_security", _("National Security Service")
        OTHER = "other", _("Other")

    service = models.CharField(_("service"), max_length=32, choices=Service.choices)
    governorate = models.ForeignKey(
        "casework.Governorate",
        verbose_name=_("governorate"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="help_numbers",
        help_text=_("Empty for a federal number, shown in every governorate without its own."),
    )
    number = models.CharField(_("number"), max_length=20)
    label = models.CharField(_("label"), max_length=120)
    when_to_call = models.CharField(_("when to call"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("shown"), default=True)

    class Meta:
        app_label = "casework"
        ordering = ["sort_order", "pk"]
        verbose_name = _("help number")
        verbose_name_plural = _("help numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "governorate"], name="one_help_number_per_service_and_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.number}"


@dataclass(frozen=True)
class FederalHelpNumber:
    number: str
    label: str
    when_to_call: str


def federal_help_numbers() -> list[FederalHelpNumber]:
    """The two federal hotlines, from the code: shown when the database cannot
    be read (an outage), because a person in danger must still see them."""
    return [
        FederalHelpNumber("497", str(FEDERAL_COMMUNITY_POLICE), str(FEDERAL_COMMUNITY_POLICE_WHEN)),
        FederalHelpNumber(
            "131", str(FEDERAL_NATIONAL_SECURITY), str(FEDERAL_NATIONAL_SECURITY_WHEN)
        ),
    ]


def help_numbers_for(*, governorate=None) -> list[HelpNumber] | list[FederalHelpNumber]:
    """The numbers to show in `governorate` (or nationally when None): each
    service's local number where there is one, else its federal number; the
    federal ones from the code while the database is down."""
    try:
        rows = list(HelpNumber.objects.filter(is_active=True))
    except DatabaseError:
        return federal_help_numbers()
    local = {
        row.service: row
        for row in rows
        if governorate is not None and row.governorate_id == getattr(governorate, "pk", None)
    }
    chosen = [row for row in rows if row.governorate_id is None and row.service not in local]
    chosen += local.values()
    return sorted(chosen, key=lambda row: (row.sort_order, row.pk))


def help_number_normalise(number: str) -> str:
    """The number as shown (single spaces), or ValidationError on ``number``."""
    number = " ".join((number or "").split())
    if not _NUMBER_PATTERN.match(number):
        raise ValidationError(
            {"number": ValidationError(NUMBER_INVALID, code="help_number_invalid")}
        )
    return number


@transaction.atomic
def help_number_save(*, help_number: HelpNumber, by) -> HelpNumber:
    """Create or change a help number, as administrator `by`; audited."""
    from casework.audit import audit_record
    from casework.models import AuditEvent

    help_number.number = help_number_normalise(help_number.number)
    created = help_number.pk is None
    help_number.save()
    audit_record(
        action=AuditEvent.Action.HELP_NUMBER_CHANGED,
        actor=by,
        details={
            "help_number": help_number.pk,
            "service": help_number.service,
            "governorate": help_number.governorate_id,
            "number": help_number.number,
            "created": created,
            "shown": help_number.is_active,
        },
    )
    return help_number
