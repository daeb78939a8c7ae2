from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Public reporting")

    def seed_demo(self, stdout) -> None:
        from reporting.demo import seed_demo_reports
        from reporting.services import advice_pages_install

        advice_pages_install()
        seed_demo_reports(stdout)
