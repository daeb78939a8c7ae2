"""Print the current TOTP code of a demo account (demo installations only)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from casework import demo
from casework.models import DemoAccount


class Command(BaseCommand):
    help = "Print the current six-digit code for a demo staff account."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not demo.demo_mode_enabled():
            raise CommandError(
                "Demo codes exist only on a demo installation (SANAD_DEBUG=1 or SANAD_DEMO=1)."
            )
        known = {row[0] for row in demo.DEMO_STAFF}
        if username not in known:
            raise CommandError("Not a demo account.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError("Run seed_demo first.")
        if not DemoAccount.objects.filter(user=user).exists():
            raise CommandError("Not a demo account.")
        code = totp(demo.demo_totp_secret(username))
        self.stdout.write(f"{code:06d}")
