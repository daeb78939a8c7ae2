"""The report journey's forms: one short form per step, all optional unless
the case cannot be acted on without it. Forms only parse; rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.identifiers import MAX_PASSPHRASE_INPUT, MAX_REFERENCE_INPUT
from casework.models import Case, Platform
from casework.reference_data import categories_active, governorates_all

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# "skip" is stored as "preferred not to say", never as "no" (casework.models.Answer).
YES_NO_SKIP = [*YES_NO, ("skip", _("I prefer not to say"))]
MAX_IDENTIFIER_LINES = 20
IDENTIFIER_LINE_TOO_LONG = _(
    "Line %(line)s is too long. Please keep each line under 300 characters."
)
TOO_MANY_IDENTIFIERS = _("Please list at most %(limit)s phone numbers, usernames or links.")
PHONE_NEEDED = _("Please write a safe phone number, or choose to be contacted by messages only.")


class RadioSelect(forms.RadioSelect):
    """Radio buttons rendered by our own template: a fieldset with a legend."""


class DeadlineChoice:
    NONE = "none"
    WITHIN_24H = "24h"
    WITHIN_48H = "48h"
    WITHIN_WEEK = "week"
    LATER = "later"
    UNSURE = "unsure"

    CHOICES = [
        (NONE, _("There is no deadline")),
        (WITHIN_24H, _("Within 24 hours")),
        (WITHIN_48H, _("Within 2 days")),
        (WITHIN_WEEK, _("Within a week")),
        (LATER, _("Later than a week")),
        (UNSURE, _("I am not sure")),
    ]
    HOURS = {WITHIN_24H: 24, WITHIN_48H: 48, WITHIN_WEEK: 24 * 7, LATER: 24 * 30}


class ContactRule:
    NEVER_THROUGH_FAMILY = "never_through_family"
    NO_HOME_VISIT = "no_home_visit"
    NO_VOICE_MESSAGES = "no_voice_messages"
    FEMALE_VOICE_ONLY = "female_voice_only"

    CHOICES = [
        (NEVER_THROUGH_FAMILY, _("Never contact me through my family")),
        (NO_HOME_VISIT, _("No visits to my home")),
        (NO_VOICE_MESSAGES, _("Do not leave voice messages")),
        (FEMALE_VOICE_ONLY, _("Only a woman's voice may call me")),
    ]
    LABELS = dict(CHOICES)


class WhatForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is happening?"),
        widget=RadioSelect,
        choices=[],
        error_messages={
            "required": _("Please choose what is happening, or choose “Something else”.")
        },
    )
    platform = forms.ChoiceField(
        label=_("Where is it happening?"),
        widget=RadioSelect,
        choices=Platform.choices,
        required=False,
    )
    narrative = forms.CharField(
        label=_("In your own words, what happened? (optional)"),
        help_text=_(
            "Write as much or as little as you want. Only the officers on your case can read it."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=10000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (category.code, category.name) for category in categories_active()
        ]


class BlackmailerForm(forms.Form):
    knows_blackmailer = forms.ChoiceField(
        label=_("Do you know who is threatening you?"),
        widget=RadioSelect,
        choices=Case.KnowsBlackmailer.choices,
        error_messages={"required": _("Please choose one answer. “I am not sure” is fine.")},
    )
    identifiers = forms.CharField(
        label=_("Their phone numbers, usernames or profile links (optional)"),
        help_text=_(
            "One on each line. Copy them exactly as they appear. This helps find them, and other people they threaten."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        required=False,
        max_length=6000,
    )

    def clean_identifiers(self) -> str:
        lines = [
            line.strip() for line in self.cleaned_data["identifiers"].splitlines() if line.strip()
        ]
        if len(lines) > MAX_IDENTIFIER_LINES:
            raise forms.ValidationError(
                TOO_MANY_IDENTIFIERS, code="too_many", params={"limit": MAX_IDENTIFIER_LINES}
            )
        for number, line in enumerate(lines, start=1):
            if len(line) > 300:
                raise forms.ValidationError(
                    IDENTIFIER_LINE_TOO_LONG, code="line_too_long", params={"line": number}
                )
        return "\n".join(lines)


class ThreatForm(forms.Form):
    deadline = forms.ChoiceField(
        label=_("Did they give you a deadline?"),
        widget=RadioSelect,
        choices=DeadlineChoice.CHOICES,
        required=False,
    )
    demands = forms.CharField(
        label=_("What are they asking for? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=3000,
    )
    money_demanded = forms.ChoiceField(
        label=_("Did they ask for money?"), widget=RadioSelect, choices=YES_NO, required=False
    )
    money_paid = forms.ChoiceField(
        label=_("Has any money been paid?"),
        help_text=_("It is not your fault if you paid. It helps the police to know."),
        widget=RadioSelect,
        choices=YES_NO_SKIP,
        required=False,
    )
    amount_paid = forms.CharField(
        label=_("How much, and how was it sent? (optional)"),
        required=False,
        max_length=200,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceForm(forms.Form):
    files = forms.FileField(
        label=_("Add files (optional)"),
        help_text=_(
            "Screenshots, photos, short videos, PDF files or chat exports. Up to %(count)s files, %(size)s MB each."
        ),
        widget=MultipleFileInput(
            attrs={"accept": "image/*,video/*,application/pdf,text/plain,application/zip,.txt,.zip"}
        ),
        required=False,
    )

    def __init__(self, *args, max_files: int = 10, max_megabytes: int = 25, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = self.fields["files"].help_text % {
            "count": max_files,
            "size": max_megabytes,
        }


class SafetyForm(forms.Form):
    is_minor = forms.ChoiceField(
        label=_("Are you under 18?"),
        widget=RadioSelect,
        choices=YES_NO_SKIP,
        required=False,
    )
    self_harm = forms.ChoiceField(
        label=_("Are you thinking of harming yourself?"),
        help_text=_(
            "If you are, please call 497 now or go to the nearest hospital emergency department. You can still send this report."
        ),
        widget=RadioSelect,
        choices=YES_NO_SKIP,
        required=False,
    )
    device_shared = forms.ChoiceField(
        label=_("Does anyone else use or check this phone or computer?"),
        help_text=_(
            "If so, we will be extra careful how we contact you. Use the red Quick exit button at any time."
        ),
        widget=RadioSelect,
        choices=[("yes", _("Yes")), ("no", _("No")), ("unsure", _("I am not sure"))],
        required=False,
    )


class ContactForm(forms.Form):
    contact_method = forms.ChoiceField(
        label=_("How can the officer contact you?"),
        widget=RadioSelect,
        choices=Case.ContactMethod.choices,
        initial=Case.ContactMethod.MESSAGES_ONLY,
    )
    phone = forms.CharField(
        label=_("A safe phone number (optional)"),
        help_text=_(
            "Only if it is safe for you to be called on it. Arabic or Western digits are both fine."
        ),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off", "dir": "ltr"}
        ),
    )
    safe_hours = forms.CharField(
        label=_("Safe times to call (optional)"),
        help_text=_("For example: weekdays 10 to 12 in the morning."),
        required=False,
        max_length=200,
    )
    contact_rules = forms.MultipleChoiceField(
        label=_("Rules the officer must follow (optional)"),
        widget=forms.CheckboxSelectMultiple,
        choices=ContactRule.CHOICES,
        required=False,
    )
    name = forms.CharField(
        label=_("A name or nickname we can call you (optional)"),
        help_text=_("You can stay anonymous. Any name you give is stored encrypted."),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    governorate = forms.ChoiceField(
        label=_("Which governorate do you live in?"), required=False, choices=[]
    )
    female_officer = forms.ChoiceField(
        label=_("Do you want your case handled by a female officer?"),
        widget=RadioSelect,
        choices=[("yes", _("Yes, a female officer")), ("no", _("No preference"))],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["governorate"].choices = [
            ("", pgettext_lazy("governorate", "I prefer not to say"))
        ] + [(g.code, g.name) for g in governorates_all()]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("contact_method") == Case.ContactMethod.PHONE
            and not cleaned.get("phone", "").strip()
        ):
            self.add_error("phone", forms.ValidationError(PHONE_NEEDED, code="phone_needed"))
        return cleaned


class FollowUpLoginForm(forms.Form):
    reference = forms.CharField(
        label=_("Case number"),
        help_text=_("It looks like SND-7K3M-Q9XW."),
        max_length=MAX_REFERENCE_INPUT,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "dir": "ltr",
                "spellcheck": "false",
            }
        ),
    )
    passphrase = forms.CharField(
        label=_("Secret code"),
        help_text=_("The 20 digits you were given when you sent your report."),
        max_length=MAX_PASSPHRASE_INPUT,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "dir": "ltr"}
        ),
    )


class PracticeForm(forms.Form):
    passphrase_typed = forms.CharField(
        label=_("Type your secret code here to check you have it right"),
        max_length=MAX_PASSPHRASE_INPUT,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "dir": "ltr"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        max_length=5000,
    )


class ExternalReferenceForm(forms.Form):
    service = forms.ChoiceField(
        label=_("Service"),
        choices=[("stopncii", "StopNCII.org"), ("takeitdown", "Take It Down")],
        widget=RadioSelect,
    )
    number = forms.CharField(
        label=_("Case number they gave you"),
        max_length=80,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well is your case being handled?"),
        widget=RadioSelect,
        choices=[
            ("5", _("Very well")),
            ("4", _("Well")),
            ("3", _("Neither well nor badly")),
            ("2", _("Badly")),
            ("1", _("Very badly")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    complaint = forms.CharField(
        label=_("A complaint about how an officer treated you (optional)"),
        help_text=_("This goes to a supervisor, never to the officer it is about."),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        required=False,
        max_length=5000,
    )
