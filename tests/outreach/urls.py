"""The project's URLs plus outreach where the console will mount it, for tests and the bench.

The console site (another branch) mounts ``outreach.urls`` at
/<lang>/console/outreach/ behind its two-factor login; until then the tests
mount it here, with the plain admin site where the console's will be.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.urls import handler404, handler500
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *i18n_patterns(
        path("console/outreach/", include("outreach.urls")),
        path("console/admin/", admin.site.urls),
        prefix_default_language=True,
    ),
    *project_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
