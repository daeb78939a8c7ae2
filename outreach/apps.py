from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Outreach")

    def seed_demo(self, stdout) -> None:
        """Called by casework's ``seed_demo`` command after the demo staff exist."""
        from outreach.demo import seed_outreach_demo

        seed_outreach_demo(say=stdout.write)
