"""The project's URLs plus one view that fails, for the 500 headers test."""

from django.urls import path

from config.urls import handler400, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken", broken), *urlpatterns]
