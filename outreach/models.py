"""Awareness sessions: what outreach staff did, where, for whom, about what.

Nothing here holds a victim's data, and nothing here may: attendees are
counted, never named (follow-up requests are a number too). Case figures are
never stored in outreach; analytics reads them, counted per month and
governorate, from ``casework.selectors.case_intake_by_month``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.models import Governorate, StaffProfile, Unit

# A session lasts at most a day; longer events are logged day by day.
MAX_DURATION_MINUTES = 24 * 60


class Topic(models.Model):
    """A subject an awareness session covers. ``code`` is stable; ``name`` is translated."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("outreach topic")
        verbose_name_plural = _("outreach topics")

    def __str__(self) -> str:
        return self.name or self.code


class VenueType(models.TextChoices):
    SCHOOL = "school", _("School")
    UNIVERSITY = "university", _("University")
    WOMENS_FORUM = "womens_forum", _("Women's forum")
    NEIGHBOURHOOD_FORUM = "neighbourhood_forum", _("Neighbourhood forum")
    PARENTS_WORKSHOP = "parents_workshop", _("Parents' workshop")
    TRIBAL_RELIGIOUS = "tribal_religious", _("Tribal or religious gathering")
    THEATRE = "theatre", _("Theatre show")
    ONLINE = "online", _("Online / social media campaign")
    OTHER = "other", pgettext_lazy("venue type", "Other")


class AgeBand(models.TextChoices):
    UNDER_15 = "under_15", _("Under 15")
    FROM_15_TO_17 = "15_17", _("15 to 17")
    FROM_18_TO_35 = "18_35", _("18 to 35")
    OVER_35 = "over_35", _("Over 35")
    MIXED = "mixed", _("Mixed ages")


class AwarenessSession(models.Model):
    """One awareness session (seminar, workshop, show or online campaign day).

    Written only through ``outreach.services`` (``session_log``,
    ``session_update``, ``sessions_import_csv``), which apply the validation
    and the rule on who may log and correct what.
    """

    held_on = models.DateField(_("date"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    governorate = models.ForeignKey(
        Governorate,
        on_delete=models.PROTECT,
        related_name="awareness_sessions",
        verbose_name=_("governorate"),
    )
    district = models.CharField(_("district"), max_length=100)
    venue_type = models.CharField(_("venue type"), max_length=24, choices=VenueType.choices)
    venue_name = models.CharField(_("venue name"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="awareness_sessions",
        verbose_name=_("organising unit"),
    )
    facilitators = models.ManyToManyField(
        StaffProfile,
        blank=True,
        related_name="facilitated_sessions",
        verbose_name=_("facilitators"),
    )
    audience_female = models.PositiveIntegerField(_("women and girls"))
    audience_male = models.PositiveIntegerField(_("men and boys"))
    age_band = models.CharField(_("age band"), max_length=16, choices=AgeBand.choices)
    topics = models.ManyToManyField(Topic, related_name="sessions", verbose_name=_("topics"))
    materials = models.TextField(_("materials handed out"), blank=True)
    follow_up_requests = models.PositiveIntegerField(
        _("follow-up requests"),
        default=0,
        help_text=_("How many attendees asked for follow-up. A number only: never their names."),
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("Do not write the names or stories of attendees here."),
    )
    audience_confirmed = models.BooleanField(
        _("audience numbers confirmed"),
        default=False,
        help_text=_("Ticked when the audience is unusually large for the venue and is correct."),
    )

    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("logged by"),
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last corrected by"),
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("awareness session")
        verbose_name_plural = _("awareness sessions")
        indexes = [
            # The analytics group by governorate and month of held_on.
            models.Index(fields=["governorate", "held_on"], name="outreach_session_gov_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1)
                & models.Q(duration_minutes__lte=MAX_DURATION_MINUTES),
                name="outreach_session_duration_within_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} · {self.venue_name}"

    @property
    def audience_total(self) -> int:
        return self.audience_female + self.audience_male
