"""Create a console account from the server: the first administrators.

The console's two-person rule means an administrator, a supervisor or another
administrator is only activated when a second administrator approves it, so
the first two administrators come from here (whoever runs this already holds
the server). Audited like an account made in the console; existing accounts
are changed in the console, never here.
"""

from __future__ import annotations

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casework.models import Governorate, Sex, StaffProfile, Unit
from casework.staffing import staff_account_create


class Command(BaseCommand):
    help = (
        "Create a console account: manage.py create_staff_account <username> "
        "--role administrator --sex female (password read from the terminal or stdin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=StaffProfile.Role.values)
        parser.add_argument("--sex", required=True, choices=Sex.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--unit", choices=Unit.Kind.values, help="unit kind")
        parser.add_argument(
            "--governorate", action="append", default=[], help="governorate code (repeatable)"
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    def handle(self, *args, username, role, sex, first_name, unit, governorate, **options):
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Initial password: ")
        if len(password) < 12:
            raise CommandError("The initial password must be at least 12 characters long.")
        unit_obj = Unit.objects.filter(kind=unit).first() if unit else None
        if unit and unit_obj is None:
            raise CommandError(f"No unit {unit!r}: run migrate and seed the reference data.")
        governorates = list(Governorate.objects.filter(code__in=governorate))
        if len(governorates) != len(set(governorate)):
            raise CommandError("Unknown governorate code.")
        try:
            result = staff_account_create(
                by=None,
                username=username,
                first_name=first_name,
                password=password,
                role=role,
                sex=sex,
                unit=unit_obj,
                governorates=governorates,
                via="command",
            )
        except ValidationError as error:
            raise CommandError(f"Refused ({error.code}).") from None
        self.stdout.write(
            f"Created {result.profile.user.get_username()} ({role}); "
            "they set up two-factor at their first login."
        )
