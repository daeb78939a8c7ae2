"""Assign a case from the command line, through the same rule as the console."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from casework.models import Case, StaffProfile
from casework.services import case_assign


def _profile(username: str, what: str) -> StaffProfile:
    user = get_user_model().objects.filter(username=username).first()
    profile = (
        StaffProfile.objects.select_related("user").filter(user=user).first() if user else None
    )
    if profile is None:
        raise CommandError(
            _("No staff account %(username)s (%(what)s).") % {"username": username, "what": what}
        )
    return profile


class Command(BaseCommand):
    help = "Assign a case to an officer: python manage.py assign_case SND-XXXX-XXXX officer --by supervisor"

    def add_arguments(self, parser):
        parser.add_argument("reference", help="case reference, e.g. SND-7K3M-Q9XW")
        parser.add_argument("officer", help="username of the officer")
        parser.add_argument(
            "--by", required=True, help="username of the supervisor doing the assignment"
        )

    def handle(self, *args, reference, officer, by, **options):
        case = Case.objects.filter(reference=reference.strip().upper()).first()
        if case is None:
            raise CommandError(_("No case with that reference."))
        officer_profile = _profile(officer, "officer")
        supervisor = _profile(by, "--by")
        try:
            case = case_assign(case=case, officer=officer_profile, by=supervisor, via="command")
        except ValidationError as error:
            reason = " ".join(str(message) for message in error.messages)
            # One translated sentence, in the language the messages are in; the
            # stable code stays for scripts.
            raise CommandError(
                _("Refused (%(code)s): %(reason)s") % {"code": error.code, "reason": reason}
            ) from None
        self.stdout.write(
            _("%(reference)s assigned to %(officer)s.")
            % {"reference": case.reference, "officer": officer_profile.user.get_username()}
        )
