"""Admin registrations for outreach. The console site takes these over.

The session admin is a second door to the same rules: who sees and corrects
which sessions comes from ``outreach.selectors``; the form is checked with
``services.session_check`` and saved with ``session_log``/``session_update``;
deleting goes through ``session_delete`` (also for the bulk action).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from modeltranslation.admin import TranslationAdmin

from casework.console import console_site
from outreach import selectors, services
from outreach.models import AwarenessSession, Topic


@admin.register(Topic, site=console_site)
class TopicAdmin(TranslationAdmin):
    list_display = ["code", "name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["code", "name"]


class AwarenessSessionAdminForm(forms.ModelForm):
    class Meta:
        model = AwarenessSession
        fields = [
            "held_on",
            "duration_minutes",
            "governorate",
            "district",
            "venue_type",
            "venue_name",
            "unit",
            "facilitators",
            "audience_female",
            "audience_male",
            "age_band",
            "topics",
            "materials",
            "follow_up_requests",
            "notes",
            "audience_confirmed",
        ]
        widgets = {
            "facilitators": forms.CheckboxSelectMultiple,
            "topics": forms.CheckboxSelectMultiple,
        }

    # Set by the ModelAdmin: the services need the acting user.
    acting_user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "At least one topic" is the service's rule, with its own message.
        if "topics" in self.fields:  # absent on a view-only page
            self.fields["topics"].required = False

    def details(self) -> services.SessionDetails:
        data = self.cleaned_data
        return services.SessionDetails(
            held_on=data["held_on"],
            duration_minutes=data["duration_minutes"],
            governorate=data["governorate"],
            district=data["district"],
            venue_type=data["venue_type"],
            venue_name=data["venue_name"],
            unit=data["unit"],
            facilitators=list(data.get("facilitators") or []),
            audience_female=data["audience_female"],
            audience_male=data["audience_male"],
            age_band=data["age_band"],
            topics=list(data.get("topics") or []),
            materials=data.get("materials", ""),
            follow_up_requests=data.get("follow_up_requests") or 0,
            notes=data.get("notes", ""),
            audience_confirmed=data.get("audience_confirmed", False),
        )

    def clean(self):
        data = super().clean()
        if not self.errors:
            existing = self.instance if self.instance.pk else None
            try:
                services.session_check(
                    details=self.details(), by=self.acting_user, session=existing
                )
            except ValidationError as refused:
                self.add_error(None, refused)
        return data


@admin.register(AwarenessSession, site=console_site)
class AwarenessSessionAdmin(admin.ModelAdmin):
    form = AwarenessSessionAdminForm
    list_display = [
        "held_on",
        "governorate",
        "venue_type",
        "venue_name",
        "audience_female",
        "audience_male",
        "logged_by",
    ]
    list_filter = ["governorate", "venue_type", "age_band", "topics"]
    date_hierarchy = "held_on"
    search_fields = ["venue_name", "district"]
    list_select_related = ["governorate", "logged_by"]
    readonly_fields = ["logged_by", "updated_by", "created_at", "updated_at"]

    # Roles, not Django model permissions, decide (as in the console views).
    def has_module_permission(self, request) -> bool:
        return selectors.user_has_outreach_access(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return selectors.user_has_outreach_access(request.user)
        return selectors.session_list_for_staff(user=request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request) -> bool:
        return selectors.user_has_outreach_access(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return selectors.user_has_outreach_access(request.user)
        return selectors.session_may_edit(session=obj, user=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def get_queryset(self, request):
        return selectors.session_list_for_staff(user=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"acting_user": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "governorate":
            kwargs["queryset"] = selectors.governorates_for_logging(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            saved = services.session_update(session=obj, by=request.user, details=form.details())
        else:
            saved = services.session_log(by=request.user, details=form.details())
        # The admin logs and redirects using ``obj``: make it the saved session.
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change) -> None:
        # Topics and facilitators were set by the service; only inline formsets remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj) -> None:
        services.session_delete(session=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for session in queryset:
            services.session_delete(session=session, by=request.user)
