"""Issue a staff member's enrolment code from the command line (same rule as the console)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casework.enrolment import enrolment_token_seconds, staff_enrolment_issue
from casework.management.commands.assign_case import _profile


class Command(BaseCommand):
    help = (
        "Issue a single-use enrolment code so a staff member can set up two-factor: "
        "python manage.py issue_enrolment username --by administrator"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the staff member who will enrol")
        parser.add_argument("--by", required=True, help="username of the issuing administrator")

    def handle(self, *args, username, by, **options):
        profile = _profile(username, "staff member")
        administrator = _profile(by, "--by")
        try:
            code = staff_enrolment_issue(profile=profile, by=administrator, via="command")
        except ValidationError as error:
            reason = " ".join(str(message) for message in error.messages)
            raise CommandError(f"Refused ({error.code}): {reason}") from None
        hours = enrolment_token_seconds() // 3600
        self.stdout.write(
            f"Enrolment code for {profile.user.get_username()} (works once, within {hours} hours):"
        )
        self.stdout.write(code)
