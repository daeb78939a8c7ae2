from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from casework.console import console_site
from config import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    # Before the console site, whose app index would otherwise claim "outreach/".
    path("console/outreach/", include("outreach.urls")),
    path("console/", console_site.urls),
    path("", include("reporting.urls")),
    prefix_default_language=True,
)

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
