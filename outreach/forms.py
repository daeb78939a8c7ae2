"""Forms parse what people type; the rules live in ``outreach.services``.

Fields here only turn text into values (a date, a number, a governorate). The
checks that catch mistakes (future dates, impossible durations, unusually large
audiences) are in ``services.session_check``, so the console, the admin and the
CSV import apply the same ones.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Governorate, StaffProfile, Unit
from outreach import selectors
from outreach.models import AgeBand, AwarenessSession, Topic, VenueType
from outreach.services import SessionDetails

MONTH_INVALID = _("Enter a month as YYYY-MM, for example 2024-03.")
RANGE_REVERSED = _("The first month is after the last month.")
RANGE_TOO_LONG = _("Choose at most 10 years.")
MAX_ANALYTICS_MONTHS = 120


class NumberInput(forms.NumberInput):
    """A number field that brings up the digit keyboard on phones."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "min": "0", **(attrs or {})})


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: StaffProfile) -> str:
        name = obj.user.get_full_name() or obj.user.first_name
        username = obj.user.get_username()
        return f"{name} ({username})" if name else username


class SessionForm(forms.Form):
    """Log or correct a session. Built for a phone: one column, native inputs."""

    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"),
        help_text=_("For example 90 for an hour and a half."),
        widget=NumberInput(attrs={"min": "1", "max": "1440"}),
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=Governorate.objects.none()
    )
    district = forms.CharField(label=_("District"), max_length=100)
    venue_type = forms.ChoiceField(label=_("Venue type"), choices=VenueType.choices)
    venue_name = forms.CharField(
        label=_("Venue name"),
        max_length=200,
        help_text=_(
            "The school, hall or page, for example “Al-Hussein Secondary School for Girls”."
        ),
    )
    unit = forms.ModelChoiceField(label=_("Organising unit"), queryset=Unit.objects.all())
    facilitators = StaffChoiceField(
        label=_("Facilitators"),
        queryset=StaffProfile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_female = forms.IntegerField(label=_("Women and girls"), widget=NumberInput())
    audience_male = forms.IntegerField(label=_("Men and boys"), widget=NumberInput())
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    materials = forms.CharField(
        label=_("Materials handed out"),
        required=False,
        help_text=_("For example “200 leaflets on the hotlines”."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up_requests = forms.IntegerField(
        label=_("Follow-up requests"),
        initial=0,
        help_text=_("How many attendees asked for follow-up. A number only: never their names."),
        widget=NumberInput(),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        help_text=_("Do not write the names or stories of attendees here."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    audience_confirmed = forms.BooleanField(
        label=_("The audience numbers are correct"), required=False
    )

    def __init__(self, *args, user, session: AwarenessSession | None = None, **kwargs):
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = session_initial(session)
        super().__init__(*args, **kwargs)
        self.user = user
        self.session = session
        governorates = selectors.governorates_for_logging(user=user)
        facilitators = selectors.facilitator_candidates(user=user)
        topics = Topic.objects.filter(is_active=True)
        if session is not None:
            # A correction may keep what was chosen before, even if no longer offered.
            governorates = Governorate.objects.filter(
                Q(pk__in=governorates.values("pk")) | Q(pk=session.governorate_id)
            )
            facilitators = StaffProfile.objects.filter(
                Q(pk__in=facilitators.values("pk")) | Q(pk__in=session.facilitators.all())
            ).order_by("user__first_name", "user__username")
            topics = Topic.objects.filter(Q(is_active=True) | Q(pk__in=session.topics.all()))
        self.fields["governorate"].queryset = governorates
        self.fields["facilitators"].queryset = facilitators.select_related("user")
        self.fields["topics"].queryset = topics
        self.fields["held_on"].widget.attrs["max"] = selectors.iraq_today().isoformat()
        if session is None:
            profile = user.staff_profile
            self.fields["facilitators"].initial = [profile.pk]
            if profile.unit_id:
                self.fields["unit"].initial = profile.unit_id
            if governorates.count() == 1:
                self.fields["governorate"].initial = governorates.get().pk

    @property
    def audience_warning(self) -> bool:
        """Show the "numbers are correct" box: the numbers were above the usual bound."""
        if not self.is_bound:
            return bool(self.initial.get("audience_confirmed"))
        errors = self.errors.as_data().get("audience_confirmed", [])
        warned = any(error.code == "audience_unusually_large" for error in errors)
        return warned or bool(self.data.get("audience_confirmed"))

    def to_details(self) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            held_on=data["held_on"],
            duration_minutes=data["duration_minutes"],
            governorate=data["governorate"],
            district=data["district"],
            venue_type=data["venue_type"],
            venue_name=data["venue_name"],
            unit=data["unit"],
            facilitators=list(data["facilitators"]),
            audience_female=data["audience_female"],
            audience_male=data["audience_male"],
            age_band=data["age_band"],
            topics=list(data["topics"]),
            materials=data["materials"],
            follow_up_requests=data["follow_up_requests"],
            notes=data["notes"],
            audience_confirmed=data["audience_confirmed"],
        )


def session_initial(session: AwarenessSession) -> dict:
    return {
        "held_on": session.held_on,
        "duration_minutes": session.duration_minutes,
        "governorate": session.governorate_id,
        "district": session.district,
        "venue_type": session.venue_type,
        "venue_name": session.venue_name,
        "unit": session.unit_id,
        "facilitators": [p.pk for p in session.facilitators.all()],
        "audience_female": session.audience_female,
        "audience_male": session.audience_male,
        "age_band": session.age_band,
        "topics": [t.pk for t in session.topics.all()],
        "materials": session.materials,
        "follow_up_requests": session.follow_up_requests,
        "notes": session.notes,
        "audience_confirmed": session.audience_confirmed,
    }


class SessionFilterForm(forms.Form):
    """Filters of the session list; the CSV export takes the same query string."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    governorate = forms.ModelChoiceField(
        label=_("Governorate"), queryset=Governorate.objects.all(), required=False
    )
    venue_type = forms.ChoiceField(
        label=_("Venue type"), choices=[("", _("All"))] + VenueType.choices, required=False
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all(), required=False)
    mine = forms.BooleanField(label=_("Only sessions I logged"), required=False)

    def filters(self) -> dict:
        """The filters that parsed; a mistyped one is reported and left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "governorate": data.get("governorate"),
            "venue_type": data.get("venue_type", ""),
            "topic": data.get("topic"),
        }


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, at most 2 MB, one session a row. The columns are listed below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class MonthField(forms.CharField):
    """A calendar month typed as YYYY-MM (``<input type="month">`` where supported)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.strip().split("-"))
            if not 2000 <= year <= 2100:
                raise ValueError(year)
            return dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(MONTH_INVALID, code="invalid_month") from None


class AnalyticsForm(forms.Form):
    """Which months and governorates the charts cover. Months only: nothing finer."""

    start = MonthField(label=_("First month"), required=False)
    end = MonthField(label=_("Last month"), required=False)
    governorates = forms.ModelMultipleChoiceField(
        label=_("Governorates"),
        queryset=Governorate.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: your own governorates (all of them for administrators)."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(RANGE_REVERSED, code="range_reversed")
            if len(selectors.month_range(start, end)) > MAX_ANALYTICS_MONTHS:
                raise forms.ValidationError(RANGE_TOO_LONG, code="range_too_long")
        return data


class BeforeAfterForm(forms.Form):
    """The Karbala question: a governorate and the date a campaign began."""

    governorate = forms.ModelChoiceField(label=_("Governorate"), queryset=Governorate.objects.all())
    since = forms.DateField(
        label=_("Campaign began on or after"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "The first session held in the governorate on or after this date starts the campaign."
        ),
    )
    months = forms.IntegerField(
        label=_("Months to compare on each side"),
        initial=12,
        min_value=1,
        max_value=36,
        widget=NumberInput(attrs={"min": "1", "max": "36"}),
    )
    skip_months = forms.IntegerField(
        label=_("Months the campaign lasted (left out)"),
        help_text=_(
            "Months after the first session's month that count on neither side, so that "
            "“after” starts when the campaign is over. 11 compares the year before the "
            "campaign with the year after it; 0 starts right after the first session."
        ),
        initial=11,
        required=False,
        min_value=0,
        max_value=36,
        widget=NumberInput(attrs={"min": "0", "max": "36"}),
    )


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    governorate = forms.ModelChoiceField(
        label=_("Governorate"),
        queryset=Governorate.objects.all(),
        required=False,
        empty_label=_("All of my governorates"),
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
