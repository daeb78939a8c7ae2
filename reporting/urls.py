from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("exit/", views.quick_exit, name="quick_exit"),
]
