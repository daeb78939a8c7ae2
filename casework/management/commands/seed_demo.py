"""Fill an empty installation with a believable demo. Safe to run again.

Core data comes from casework; other apps add theirs through an optional
``seed_demo(stdout)`` method on their AppConfig, so casework imports none of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import demo
from casework.models import Governorate, Unit
from casework.services import staff_account_upsert


def demo_totp_command() -> str:
    """The demo_totp command line as it works when pasted from this directory:
    the project's interpreter (not a bare "python" without Django) and the
    development settings (without them the settings refuse to load)."""
    python = Path(sys.executable)
    try:
        python = python.relative_to(Path.cwd())
    except ValueError:
        pass
    return f"SANAD_DEBUG=1 {python} manage.py demo_totp <username>"


class Command(BaseCommand):
    help = "Create demo governorates, units, staff (with TOTP) and, where apps provide them, demo data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo logins."
        )
        parser.add_argument(
            "--i-understand-this-is-a-demo",
            action="store_true",
            dest="demo_acknowledged",
            help=(
                "Without SANAD_DEBUG=1: seed anyway. The demo accounts' passwords and "
                "two-factor secrets are PUBLIC; their logins work only with SANAD_DEMO=1. "
                "Refused when real cases exist."
            ),
        )
        parser.add_argument(
            "--without-history",
            action="store_true",
            help="Skip the three years of closed demo cases (faster; for tests).",
        )

    def handle(self, *args, **options):
        refusal = demo.demo_seed_refusal(acknowledged=options["demo_acknowledged"])
        if refusal is not None:
            raise CommandError(refusal)
        if not demo.demo_mode_enabled():
            self.stderr.write(
                "WARNING: demo accounts with PUBLIC passwords and two-factor secrets. "
                "They cannot log in until SANAD_DEMO=1 is set; never do that with real cases."
            )
        # The printed table is for the person at the terminal: plain English.
        with translation.override("en"):
            self._seed(options)

    def _seed(self, options):
        demo.seed_reference_data()
        units = {unit.kind: unit for unit in Unit.objects.all()}
        governorates = {g.code: g for g in Governorate.objects.all()}
        rows = []
        for username, first_name, role, sex, unit_kind, gov_codes in demo.DEMO_STAFF:
            profile = staff_account_upsert(
                username=username,
                first_name=first_name,
                role=role,
                sex=sex,
                unit=units.get(unit_kind) if unit_kind else None,
                governorates=[governorates[code] for code in gov_codes],
                password=demo.DEMO_PASSWORD,
            )
            demo.demo_account_mark(profile.user)
            TOTPDevice.objects.update_or_create(
                user=profile.user,
                name="demo",
                defaults={"key": demo.demo_totp_secret(username).hex(), "confirmed": True},
            )
            rows.append(
                (
                    username,
                    profile.get_role_display(),
                    profile.get_sex_display(),
                    demo.demo_totp_base32(username),
                )
            )

        victim_logins = demo.seed_demo_cases(self.stdout, history=not options["without_history"])

        for config in apps.get_app_configs():
            seeder = getattr(config, "seed_demo", None)
            if callable(seeder):
                seeder(self.stdout)

        if not options["quiet_logins"]:
            self.stdout.write("")
            self.stdout.write(f"Demo staff logins (password for all: {demo.DEMO_PASSWORD})")
            self.stdout.write("username              role            sex     TOTP secret (base32)")
            for username, role, sex, secret in rows:
                self.stdout.write(f"{username:<21} {role:<15} {sex:<7} {secret}")
            self.stdout.write(
                "Add a secret to any authenticator app, or print the current code with:\n"
                f"  {demo_totp_command()}"
            )
            if victim_logins:
                self.stdout.write("")
                self.stdout.write("Demo victim follow-up logins (case number / secret code):")
                for key, reference, passphrase in victim_logins:
                    self.stdout.write(f"{key:<21} {reference}  {passphrase}")
