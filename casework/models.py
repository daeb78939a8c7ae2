"""The domain core: who works cases, the cases themselves, and what hangs off them.

Victim data never sits in a plain column: every field that can identify a
person or tell their story is ciphertext (``*_enc``), encrypted by
``casework.crypto`` with the case's own data key and bound to the case and field.
Nothing here renders victim data in ``__str__``: admin logs, delete pages and
error reports show only the reference.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case as Conditional
from django.db.models import Q, Value, When
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class Governorate(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("governorate")
        verbose_name_plural = _("governorates")

    def __str__(self) -> str:
        return self.name or self.code


class Unit(models.Model):
    """A police body that takes cases. Routing picks one by ``kind``."""

    class Kind(models.TextChoices):
        COMMUNITY_POLICE = "community_police", _("Community Police")
        NATIONAL_SECURITY = "national_security", _("National Security Service")
        FAMILY_PROTECTION = "family_protection", _("Family Protection")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, unique=True)
    name = models.CharField(_("name"), max_length=120)
    hotline = models.CharField(_("hotline"), max_length=16, blank=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class Sex(models.TextChoices):
    FEMALE = "female", pgettext_lazy("sex", "Female")
    MALE = "male", pgettext_lazy("sex", "Male")


class StaffProfile(models.Model):
    """What the console needs to know about a staff member to apply the rules."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Officer")
        SUPERVISOR = "supervisor", _("Supervisor")
        OUTREACH = "outreach", _("Outreach staff")
        ADMINISTRATOR = "administrator", _("Administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("unit"),
    )
    governorates = models.ManyToManyField(
        Governorate,
        blank=True,
        related_name="staff",
        verbose_name=_("governorates"),
        help_text=_("Officers work one governorate; supervisors may cover several."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"

    @property
    def is_female(self) -> bool:
        return self.sex == Sex.FEMALE


class Category(models.Model):
    """What happened. ``code`` is what rules key on; ``name`` is translated content."""

    FAMILY_VIOLENCE = "family_violence"
    INTIMATE_IMAGES = "intimate_images"
    FABRICATED_IMAGES = "fabricated_images"

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    description = models.CharField(_("description"), max_length=300, blank=True)
    involves_intimate_images = models.BooleanField(_("involves intimate images"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name or self.code


class Platform(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    FACEBOOK = "facebook", _("Facebook / Messenger")
    INSTAGRAM = "instagram", _("Instagram")
    TELEGRAM = "telegram", _("Telegram")
    TIKTOK = "tiktok", _("TikTok")
    SNAPCHAT = "snapchat", _("Snapchat")
    PHONE = "phone", _("Phone call or SMS")
    OTHER = "other", _("Other")


class Answer(models.TextChoices):
    """A victim's answer to a yes/no question, keeping its meaning.

    "Preferred not to say" and "not answered" are answers of their own: an
    officer must never read "No" for a self-harm question nobody answered.
    """

    YES = "yes", _("Yes")
    NO = "no", _("No")
    PREFER_NOT = "prefer_not", _("Preferred not to say")
    UNANSWERED = "unanswered", _("Not answered")


def _answer_field(verbose_name):
    return models.CharField(
        verbose_name, max_length=12, choices=Answer.choices, default=Answer.UNANSWERED
    )


def _answered_yes(field: str) -> property:
    """``case.is_minor`` and friends: True only for an explicit "yes".

    The setter keeps ``Case(is_minor=True)`` meaning "answered yes" for code
    written before the answers kept their meaning (demo data, fixtures).
    """

    def getter(self) -> bool:
        return getattr(self, field) == Answer.YES

    def setter(self, value: bool) -> None:
        setattr(self, field, Answer.YES if value else Answer.NO)

    return property(getter, setter)


# The console's order as one small number, so the list can walk an index
# instead of sorting on expressions that read the clock: open cases before
# finished ones, then urgent > high > normal, then cases still waiting for
# their first contact before contacted ones. Within a rank, the earliest
# first-contact deadline comes first, which puts overdue cases (deadline
# passed, no contact yet) at the top of their priority without asking now().
_RANK_BY_PRIORITY = {"urgent": 0, "high": 1, "normal": 2}
_FINISHED = ["resolved", "closed", "withdrawn"]
# Open cases rank below this, finished ones at or above: "open" as a range of
# the order index (queries say both, so the planner can walk that range).
OPEN_RANK_LIMIT = 10


def _console_rank_expression() -> Conditional:
    whens = []
    for priority, rank in _RANK_BY_PRIORITY.items():
        whens.append(
            When(Q(status__in=_FINISHED, priority=priority), then=Value(OPEN_RANK_LIMIT + rank))
        )
    whens.append(When(status__in=_FINISHED, then=Value(13)))
    for priority, rank in _RANK_BY_PRIORITY.items():
        waiting = Q(priority=priority, first_contact_at__isnull=True)
        whens.append(When(waiting, then=Value(2 * rank)))
        whens.append(When(priority=priority, then=Value(2 * rank + 1)))
    return Conditional(*whens, default=Value(7))


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("case status", "New")
        TRIAGED = "triaged", pgettext_lazy("case status", "Triaged")
        ASSIGNED = "assigned", pgettext_lazy("case status", "Assigned")
        IN_CONTACT = "in_contact", pgettext_lazy("case status", "In contact")
        ACCOUNTS_SECURED = "accounts_secured", pgettext_lazy("case status", "Accounts secured")
        SUSPECT_IDENTIFIED = (
            "suspect_identified",
            pgettext_lazy("case status", "Suspect identified"),
        )
        REFERRED_TO_COURT = "referred_to_court", pgettext_lazy("case status", "Referred to court")
        RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")
        CLOSED = "closed", pgettext_lazy("case status", "Closed")
        WITHDRAWN = "withdrawn", pgettext_lazy("case status", "Withdrawn")

    class Priority(models.TextChoices):
        URGENT = "urgent", pgettext_lazy("priority", "Urgent")
        HIGH = "high", pgettext_lazy("priority", "High")
        NORMAL = "normal", pgettext_lazy("priority", "Normal")

    class AssignmentState(models.TextChoices):
        UNASSIGNED = "unassigned", _("Not yet assigned")
        ASSIGNED = "assigned", _("Assigned")
        AWAITING_OFFICER = "awaiting_officer", _("Awaiting officer")
        AWAITING_FEMALE_OFFICER = "awaiting_female_officer", _("Awaiting female officer")

    class KnowsBlackmailer(models.TextChoices):
        YES = "yes", _("Yes, I know who it is")
        NO = "no", _("No, I do not know who it is")
        UNSURE = "unsure", _("I am not sure")

    class ContactMethod(models.TextChoices):
        MESSAGES_ONLY = "messages_only", _("Only through messages on Sanad")
        PHONE = "phone", _("By phone, at a safe number and time")

    # The uuid binds every ciphertext of the case (associated data), and is
    # chosen before filing so a draft's evidence is encrypted for its case.
    uuid = models.UUIDField(_("internal id"), default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.NEW, db_index=True
    )
    priority = models.CharField(
        _("priority"),
        max_length=8,
        choices=Priority.choices,
        default=Priority.NORMAL,
        db_index=True,
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit")
    )
    governorate = models.ForeignKey(
        Governorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("governorate"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices, blank=True)
    knows_blackmailer = models.CharField(
        _("knows the blackmailer"), max_length=8, choices=KnowsBlackmailer.choices, blank=True
    )
    threat_deadline = models.DateTimeField(_("threat deadline"), null=True, blank=True)
    money_demanded_answer = _answer_field(_("money demanded"))
    money_paid_answer = _answer_field(_("money paid"))
    minor_answer = _answer_field(_("under 18"))
    self_harm_answer = _answer_field(_("risk of self-harm"))
    device_shared = models.BooleanField(_("device shared or watched"), default=False)
    contact_method = models.CharField(
        _("contact method"),
        max_length=16,
        choices=ContactMethod.choices,
        default=ContactMethod.MESSAGES_ONLY,
    )
    wants_female_officer = models.BooleanField(_("asked for a female officer"), default=False)
    is_anonymous = models.BooleanField(_("anonymous"), default=True)

    assignment_state = models.CharField(
        _("assignment"),
        max_length=24,
        choices=AssignmentState.choices,
        default=AssignmentState.UNASSIGNED,
        db_index=True,
    )
    assigned_officer = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned officer"),
    )
    first_contact_due_at = models.DateTimeField(_("first contact due"), db_index=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    # The first time a person who can act on the case opened its page: the
    # "time until someone looked" SLA of the dashboard.
    first_opened_at = models.DateTimeField(_("first opened by staff"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Set by retention (casework.retention): the victim's content and evidence
    # are gone; routing, dates and categories stay for statistics.
    content_purged_at = models.DateTimeField(_("content purged at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Stored generated columns: the database keeps them right on every write
    # (services, admin, queryset.update, raw SQL), so no path can forget them.
    console_rank = models.GeneratedField(
        expression=_console_rank_expression(),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("queue order"),
    )
    # "SND-7K3M-Q9XW" -> "SND7K3MQ9XW": what reference search matches parts of.
    reference_key = models.GeneratedField(
        expression=Replace("reference", Value("-"), Value("")),
        output_field=models.CharField(max_length=16),
        db_persist=True,
    )

    # Envelope encryption: the case's data key, wrapped by a key-encryption key.
    # rotate_keys re-wraps every model that names its owner field like this.
    wrapped_key_owner_field = "uuid"
    # What rotate_keys decrypts to prove each data key still opens its case.
    wrapped_key_sample = ("identity_enc", "identity")
    wrapped_key = models.BinaryField(editable=False)
    # Ciphertext (casework.crypto); JSON inside for the structured ones.
    identity_enc = models.BinaryField(_("identity (encrypted)"), null=True, editable=False)
    narrative_enc = models.BinaryField(_("narrative (encrypted)"), null=True, editable=False)
    threat_enc = models.BinaryField(_("threat details (encrypted)"), null=True, editable=False)
    external_refs_enc = models.BinaryField(
        _("StopNCII / Take It Down numbers (encrypted)"), null=True, editable=False
    )

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["unit", "governorate", "status"], name="case_scope_idx"),
            models.Index(fields=["governorate", "filed_at"], name="case_intake_idx"),
            # The console list's order, walked instead of sorted.
            models.Index(
                fields=["console_rank", "first_contact_due_at", "id"], name="case_console_order_idx"
            ),
        ]

    def __str__(self) -> str:
        # Only the reference: this string lands in admin logs and delete pages.
        return self.reference

    def save(self, *args, **kwargs) -> None:
        from casework.eligibility import female_rule_broken

        officer = self.assigned_officer
        if female_rule_broken(case=self, officer=officer):
            # Services refuse before ever saving, so this is a save that went
            # around them: audited like every other refused attempt.
            from casework.audit import audit_record

            audit_record(
                action=AuditEvent.Action.CASE_ASSIGN_REFUSED,
                case=self if self.pk else None,
                details={
                    "code": "female_officer_required",
                    "codes": ["female_officer_required"],
                    "officer": officer.pk,
                    "via": "model_save",
                },
            )
            raise ValidationError(
                _("This case may only be assigned to a female officer."),
                code="female_officer_required",
            )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # The female-officer rule, guarded at the model too so even a direct
        # save through a form cannot break it (services are the main door).
        from casework.eligibility import female_rule_broken

        if female_rule_broken(case=self, officer=self.assigned_officer):
            raise ValidationError(
                {"assigned_officer": _("This case may only be assigned to a female officer.")},
                code="female_officer_required",
            )

    money_demanded = _answered_yes("money_demanded_answer")
    money_paid = _answered_yes("money_paid_answer")
    is_minor = _answered_yes("minor_answer")
    self_harm_risk = _answered_yes("self_harm_answer")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.first_contact_at is None
            and self.is_open
            and self.first_contact_due_at < timezone.now()
        )


# A case is finished once resolved, closed or withdrawn; every other status is
# open. The one definition: selectors, the dashboard and Case.is_open use it.
FINISHED_STATUSES = frozenset({Case.Status.RESOLVED, Case.Status.CLOSED, Case.Status.WITHDRAWN})
OPEN_STATUSES = [status for status in Case.Status.values if status not in FINISHED_STATUSES]


class SuspectIdentifier(models.Model):
    """Something that points at the blackmailer: a phone, a handle, a profile link."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone number")
        HANDLE = "handle", _("Username or handle")
        URL = "url", _("Profile link")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspect_identifiers")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    value_enc = models.BinaryField(editable=False)
    # Keyed hash (HMAC) of the normalised value: links cases without decryption.
    fingerprint = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("suspect identifier")
        verbose_name_plural = _("suspect identifiers")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Evidence(models.Model):
    """An encrypted file. ``owner_uuid`` is the case uuid, known before filing."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        PDF = "pdf", _("PDF document")
        TEXT = "text", _("Chat export (text)")
        ARCHIVE = "archive", _("Chat export (zip)")

    class Source(models.TextChoices):
        VICTIM = "victim", _("Victim")
        OFFICER = "officer", _("Officer")

    class Risk(models.TextChoices):
        """Why the officer is warned before opening the original (kept for court)."""

        NONE = "", _("None found")
        PDF_ACTIVE = "pdf_active", _("PDF with scripts, automatic actions or embedded files")
        PDF_UNCHECKED = "pdf_unchecked", _("PDF that could not be checked")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner_uuid = models.UUIDField(db_index=True, editable=False)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    storage_name = models.CharField(max_length=128, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64)
    filename_enc = models.BinaryField(null=True, editable=False)
    preview_enc = models.BinaryField(null=True, editable=False)
    is_intimate = models.BooleanField(_("may be intimate"), default=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.VICTIM)
    risk = models.CharField(
        _("risk found when checked"),
        max_length=16,
        choices=Risk.choices,
        blank=True,
        default=Risk.NONE,
        editable=False,
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return _("Evidence %(number)s") % {"number": self.pk}


class Message(models.Model):
    class Sender(models.TextChoices):
        VICTIM = "victim", _("Victim")
        OFFICER = "officer", _("Officer")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=8, choices=Sender.choices)
    officer = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body_enc = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return _("Message %(number)s") % {"number": self.pk}


class ReporterCredential(models.Model):
    """The slow hash of the victim's passphrase. The passphrase itself is never stored."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="credential")
    passphrase_hash = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"credential #{self.pk}"


class FollowUpLockout(models.Model):
    """A record, for staff, that guessing locked a reference or a client out.

    Deliberately holds no client address: ``client_fingerprint`` is a keyed hash
    that changes with the fingerprint key and cannot be turned back into an IP.
    """

    class Scope(models.TextChoices):
        REFERENCE = "reference", _("Case reference")
        CLIENT = "client", _("Client")
        NETWORK = "network", _("Network")

    scope = models.CharField(max_length=16, choices=Scope.choices)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    client_fingerprint = models.CharField(max_length=16, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    until = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("follow-up lockout")
        verbose_name_plural = _("follow-up lockouts")

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """Append-only, hash-chained record of everything done to or with a case.

    Written only by ``casework.audit.audit_record`` inside services. Each event
    carries the hash of the previous one, so editing or deleting any event
    breaks the chain from that point (``manage.py verify_audit``).
    """

    class Action(models.TextChoices):
        CASE_FILED = "casework.case.filed", _("Case filed")
        CASE_VIEWED = "casework.case.viewed", _("Case viewed")
        CASE_REVEALED = "casework.case.revealed", _("Case details revealed")
        CASE_ASSIGNED = "casework.case.assigned", _("Case assigned")
        CASE_ASSIGN_REFUSED = "casework.case.assign_refused", _("Assignment refused")
        CASE_AWAITING = "casework.case.awaiting_officer", _("Case awaiting officer")
        CASE_STATUS_CHANGED = "casework.case.status_changed", _("Status changed")
        CASE_WITHDRAWN = "casework.case.withdrawn", _("Report withdrawn")
        CASE_NOTE_ADDED = "casework.case.note_added", _("Note added")
        CASE_EXPORTED = "casework.case.exported", _("Export")
        EVIDENCE_ADDED = "casework.evidence.added", _("Evidence added")
        EVIDENCE_OPENED = "casework.evidence.opened", _("Evidence opened")
        MESSAGE_SENT = "casework.message.sent", _("Message sent")
        FOLLOWUP_LOGIN = "reporting.followup.login", _("Victim follow-up login")
        FOLLOWUP_LOCKOUT = "reporting.followup.lockout", _("Follow-up lockout")
        STAFF_LOGIN = "casework.staff.login", _("Staff login")
        STAFF_LOCKOUT = "casework.staff.lockout", _("Staff lockout")
        KEYS_ROTATED = "casework.keys.rotated", _("Keys rotated")
        CHECKLIST_TICKED = "casework.checklist.ticked", _("Checklist action recorded")
        FEEDBACK_RECEIVED = "casework.feedback.received", _("Feedback from the victim")
        DRAFTS_PURGED = "reporting.draft.purged", _("Expired report drafts deleted")
        STAFF_ENROLMENT_ISSUED = "casework.staff.enrolment_issued", _("Enrolment code issued")
        STAFF_ENROLLED = "casework.staff.enrolled", _("Two-factor set up")
        STAFF_CHANGED = "casework.staff.changed", _("Staff member changed")
        STAFF_CHANGE_REQUESTED = (
            "casework.staff.change_requested",
            _("Staff change awaiting a second administrator"),
        )
        STAFF_CHANGE_APPROVED = "casework.staff.change_approved", _("Staff change approved")
        STAFF_CHANGE_REJECTED = "casework.staff.change_rejected", _("Staff change rejected")
        CASE_ROUTED = "casework.case.routed", _("Case routed")
        CASE_CONTENT_PURGED = "casework.case.content_purged", _("Case content purged (retention)")
        EVIDENCE_PURGED = "casework.evidence.purged", _("Evidence purged (retention)")
        HELP_NUMBER_CHANGED = "casework.help_number.changed", _("Help number changed")

    sequence = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    action = models.CharField(_("action"), max_length=64, choices=Action.choices, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("by"),
    )
    actor_label = models.CharField(max_length=32, blank=True, editable=False)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        editable=False,
    )
    details = models.JSONField(default=dict, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    # HMAC of ``hash`` under SANAD_AUDIT_KEY (kept outside the database): whoever
    # rewrites events and recomputes the plain hashes cannot recompute this.
    mac = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"


class AuditChainHead(models.Model):
    """One row, locked by every append, so concurrent appends cannot fork the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.sequence}"


class ThrottleCounter(models.Model):
    """Attempts counted in the shared database, so limits hold across every
    gunicorn worker and app server. ``key`` is always a keyed hash: no case
    reference or client address is stored here."""

    key = models.CharField(max_length=80, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key[:12]


class AttemptLog(models.Model):
    """A sliding-window log of counted attempts at one guarded door.

    ``attempts`` holds the epoch seconds of the attempts still inside the
    window (never more than the limit), so a window never "carries over" at a
    boundary; ``locks`` holds when the key was locked in the last day, for
    escalating blocks and the daily cap on reference locks. ``key`` is a keyed
    hash: no reference or client address is stored.
    """

    key = models.CharField(max_length=80, unique=True)
    attempts = models.JSONField(default=list)
    locks = models.JSONField(default=list)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.key[:12]


class CaseNote(models.Model):
    """An officer's working note on a case; the text is encrypted like the narrative."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="+")
    body_enc = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return _("Note %(number)s") % {"number": self.pk}


class ChecklistItem(models.Model):
    """One of the field's standard actions, ticked with who and when."""

    class Code(models.TextChoices):
        EVIDENCE_PRESERVED = (
            "evidence_preserved",
            _("Evidence preserved (screenshots with links, threatening messages kept)"),
        )
        TOLD_NOT_TO_PAY = "told_not_to_pay", _("Victim told not to pay and not to delete")
        ACCOUNTS_SECURED = (
            "accounts_secured",
            _("Victim's accounts secured (passwords changed, two-factor on, sessions logged out)"),
        )
        SUSPECT_REPORTED = "suspect_reported", _("Suspect accounts reported to the platform")
        STOPNCII_RECORDED = "stopncii_recorded", _("StopNCII / Take It Down case recorded")
        SUSPECT_IDENTIFIED = "suspect_identified", _("Suspect identified")
        COURT_REFERRAL = "court_referral", _("Referred to court")

    class Article(models.TextChoices):
        ART_430 = "430", _("Penal Code article 430 (threats)")
        ART_431 = "431", _("Penal Code article 431")
        ART_432 = "432", _("Penal Code article 432")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checklist")
    code = models.CharField(_("action"), max_length=24, choices=Code.choices)
    article = models.CharField(
        _("Penal Code article"), max_length=3, choices=Article.choices, blank=True
    )
    done_by = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="checklist_once_per_case")
        ]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.get_code_display()


class CaseFeedback(models.Model):
    """The victim's rating of the handling, or a complaint about conduct.

    It goes to supervisors of the case's scope and never to the officer it is
    about (``about_officer``, fixed when it is written).
    """

    class Kind(models.TextChoices):
        RATING = "rating", _("Rating")
        COMPLAINT = "complaint", _("Complaint about conduct")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    rating = models.PositiveSmallIntegerField(_("rating (1-5)"), null=True, blank=True)
    body_enc = models.BinaryField(null=True, editable=False)
    about_officer = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback from a victim")
        verbose_name_plural = _("feedback from victims")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


# --- console authentication ---------------------------------------------------
# Appended for the console's two-factor login (casework.auth). django-otp's own
# static-token device keeps backup codes in plain text (a database dump would
# hand out working second factors), so Sanad keeps its own device that stores
# only hashes.

BACKUP_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
BACKUP_CODE_LENGTH = 10
_BACKUP_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_BACKUP_CODE_SEPARATORS = re.compile(r"[\s\-_.–—]")
_BACKUP_CODE_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{10}$")
# PBKDF2-SHA256, not Argon2, on purpose. A backup code is 10 random symbols of
# Crockford base32, 50 bits chosen by the server: there is no dictionary to
# exploit, so the hash only has to make walking 2^50 candidates offline
# hopeless. At 100,000 iterations that is ~10^20 SHA-256 blocks per device,
# while one online check costs ~60 ms (Argon2 would cost ~250 ms) and is
# throttled before it runs. One salt per device means one derivation per check,
# compared against every unused code; per-code salts would multiply the online
# cost by ten for a 3-bit (log2 10) offline gain.
BACKUP_CODE_ITERATIONS = 100_000


def backup_code_normalise(raw: str) -> str | None:
    """What a person typed -> the 10 canonical symbols, or None if it cannot be a code.

    Dashes and spaces are ignored, case folds, and O/I/L read as 0/1/1.
    """
    if not raw or len(raw) > 32:
        return None
    cleaned = _BACKUP_CODE_SEPARATORS.sub("", raw).upper().translate(_BACKUP_CODE_LOOKALIKES)
    return cleaned if _BACKUP_CODE_PATTERN.match(cleaned) else None


def backup_code_digest(code: str, *, salt: str, iterations: int) -> str:
    return hashlib.pbkdf2_hmac(
        "sha256", code.encode("ascii"), bytes.fromhex(salt), iterations
    ).hex()


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """One-time backup codes for the console's second step, stored hashed.

    ``code_hashes`` holds the PBKDF2 digest of each unused code; a code is
    removed when it is used, under a row lock, so two requests racing with the
    same code cannot both succeed. The codes themselves exist only in the
    response that shows them once (``casework.auth.staff_backup_codes_issue``).
    """

    salt = models.CharField(max_length=64, editable=False)
    iterations = models.PositiveIntegerField(default=BACKUP_CODE_ITERATIONS, editable=False)
    code_hashes = models.JSONField(default=list, editable=False)

    class Meta(Device.Meta):
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    def __str__(self) -> str:
        return f"backup codes #{self.pk}"

    @property
    def remaining(self) -> int:
        return len(self.code_hashes)

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        code = backup_code_normalise(str(token or ""))
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            allowed, _info = locked.verify_is_allowed()
            matched = None
            if allowed and code is not None:
                digest = backup_code_digest(code, salt=locked.salt, iterations=locked.iterations)
                # Compare with every stored hash, not stopping at a match.
                for stored in locked.code_hashes:
                    if hmac.compare_digest(stored, digest):
                        matched = stored
            if matched is None:
                if allowed:
                    locked.throttle_increment(commit=True)
            else:
                locked.code_hashes = [h for h in locked.code_hashes if h != matched]
                locked.throttle_reset(commit=False)
                locked.set_last_used_timestamp(commit=False)
                locked.save()
        for name in (
            "code_hashes",
            "throttling_failure_count",
            "throttling_failure_timestamp",
            "last_used_at",
        ):
            setattr(self, name, getattr(locked, name))
        return matched is not None


class StaffSession(models.Model):
    """Which sessions belong to which staff member, so they can be ended.

    Written when a staff member logs in (and when the session key changes);
    deactivating an account deletes every session listed here, instead of
    decoding every session in the database to find the user's.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    session_key = models.CharField(max_length=40, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")

    def __str__(self) -> str:
        return f"session #{self.pk}"


class DemoAccount(models.Model):
    """Marks a staff account made by ``seed_demo``.

    Its password and TOTP secret are derived from the public source, so the
    login refuses it unless the installation runs as a demo
    (``casework.demo.demo_mode_enabled``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_mark"
    )

    def __str__(self) -> str:
        return f"demo account #{self.user_id}"


class DemoCase(models.Model):
    """Marks a case filed by ``seed_demo``; any other case is real."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="demo_mark")

    def __str__(self) -> str:
        return f"demo case #{self.case_id}"


class EnrolmentToken(models.Model):
    """A single-use, expiring code an administrator gives a staff member so
    they can set up two-factor authentication. Only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")

    def __str__(self) -> str:
        return f"enrolment code #{self.pk}"


class StaffChangeRequest(models.Model):
    """A staff change that waits for a second administrator (two-person rule).

    A change that lets someone reveal cases (becoming a supervisor, or a
    supervisor's wider unit or governorates, or reactivating one) or approve
    such changes (becoming an administrator) is stored here by
    ``casework.staffing`` and applied only when a different administrator
    approves it (``staff_change_approve``).
    ``changes`` holds the new values by field (ids for unit and governorates).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    profile = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("staff member"),
    )
    changes = models.JSONField(_("requested changes"), default=dict, editable=False)
    requested_by = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("staff change awaiting approval")
        verbose_name_plural = _("staff changes awaiting approval")

    def __str__(self) -> str:
        return f"staff change #{self.pk}"


class KeyCheck(models.Model):
    """Which key bytes sit behind a key id: an HMAC of a constant under the key.

    Written the first time a key id wraps a data key. A later deployment that
    brings different bytes under the same id (a typo, a key from the wrong
    vault) is caught before it wraps anything (``casework.key_checks``), and
    ``/healthz`` fails, instead of filing reports nobody could read again.
    """

    key_id = models.CharField(max_length=32, unique=True, editable=False)
    check_value = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"key check {self.key_id}"


# Defined in its own module (casework/hotlines.py); imported here so Django
# registers the model with the app.
from casework.hotlines import HelpNumber  # noqa: E402, F401
