"""Outreach console pages. The console mounts these at /<lang>/console/outreach/."""

from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("sessions/export.csv", views.session_export, name="session_export"),
    path("sessions/import/", views.session_import, name="session_import"),
    path(
        "sessions/import/template.csv",
        views.session_import_template,
        name="session_import_template",
    ),
    path("analytics/", views.analytics, name="analytics"),
    path("analytics/yearly/", views.yearly_summary, name="yearly_summary"),
]
