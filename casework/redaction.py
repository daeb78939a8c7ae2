"""Redaction: the one place a case becomes what a member of staff may see.

Every console page that shows a case builds it from ``case_view_for`` (the case
page) or ``case_initials`` (the list). They return display values only, never
ciphertext, and decide how much is decrypted:

- the assigned officer sees the whole case;
- a supervisor of the case sees it redacted, and whole only for the page view
  in which they "reveal" it with a written reason (audited);
- everyone else who may see the case, administrators included, sees it
  redacted: initials instead of a name, a phone masked to its last two digits,
  no safe hours, no narrative or threat details, no suspect values, no
  messages, no officers' notes (they often repeat the victim's details);
  evidence as blurred previews at most.

Identity fields never leave this module unredacted except through the "full"
level below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from casework.crypto import DecryptionError, Sealer
from casework.inspection import EVIDENCE_RISK_WARNINGS
from casework.models import Case, Evidence, StaffProfile
from casework.officer_wording import officer_label
from casework.queues import case_first_open_record
from casework.selectors import (
    LinkedCases,
    case_access_for,
    case_list_sharing_suspect,
    evidence_can_open,
)
from casework.services import case_reveal, case_view_record

MASK = "•"
UNREADABLE = "?"

# The victim's contact rules, as the report form words them (same msgids, so
# the same translations). reporting.forms.ContactRule keeps the form's copy:
# casework may not import reporting.
CONTACT_RULE_LABELS = {
    "never_through_family": _("Never contact me through my family"),
    "no_home_visit": _("No visits to my home"),
    "no_voice_messages": _("Do not leave voice messages"),
    "female_voice_only": _("Only a woman's voice may call me"),
}


class Level:
    FULL = "full"  # the assigned officer
    REVEALED = "revealed"  # a supervisor, for one page view, with a reason
    REDACTED = "redacted"


def initials(name: str) -> str:
    """ "Layla Hassan" -> "L. H."; at most three words; "" for no name."""
    words = [word for word in (name or "").split() if word]
    return " ".join(f"{word[0]}." for word in words[:3])


def phone_masked(phone: str) -> str:
    """Only the last two digits, behind a fixed-length mask (the length of the
    number is not shown either). Short or digit-less values are fully masked."""
    digits = [ch for ch in (phone or "") if ch.isdigit()]
    if not digits:
        return ""
    if len(digits) < 6:
        return MASK * 8
    return MASK * 8 + "".join(digits[-2:])


def case_initials(case: Case) -> str:
    """The victim's initials for the case list (decrypts the identity in memory only)."""
    if not case.identity_enc:
        return ""
    try:
        sealer = Sealer.of(case)
        identity = sealer.open_json("identity", case.identity_enc, default={}) or {}
    except DecryptionError:
        return UNREADABLE
    return initials(identity.get("name", ""))


@dataclass(frozen=True)
class SuspectView:
    kind: str
    value: str | None  # None when redacted


@dataclass(frozen=True)
class MessageView:
    pk: int
    sender: str
    officer: str
    created_at: dt.datetime
    body: str


@dataclass(frozen=True)
class NoteView:
    author: str
    created_at: dt.datetime
    body: str


@dataclass(frozen=True)
class EvidenceView:
    pk: int
    kind: str
    size: int
    uploaded_at: dt.datetime
    is_intimate: bool
    can_preview: bool
    can_open: bool
    # Intimate evidence of a victim who asked for a female officer.
    female_staff_only: bool
    # False for an image too large to preview safely, and for non-images.
    has_preview: bool = False
    kind_is_image: bool = False
    # Why to be careful opening the original ("" when nothing was found).
    risk_warning: str = ""


@dataclass(frozen=True)
class CaseView:
    """Display values for one case page. No ciphertext, nothing lazy to decrypt."""

    level: str
    reference: str
    contact_method: str
    contact_rules: list[str]
    name: str  # full name, initials, or "" when anonymous
    phone: str  # full, masked, or ""
    safe_hours: str | None
    narrative: str | None
    threat_details: str | None
    amount_paid: str | None
    external_refs: dict[str, str] | None
    suspects: list[SuspectView]
    messages: list[MessageView] | None
    message_count: int
    notes: list[NoteView] | None  # None when redacted
    note_count: int
    evidence: list[EvidenceView]
    linked: LinkedCases
    can_reveal: bool
    can_assign: bool
    can_message: bool
    can_read_history: bool
    unreadable: list[str] = field(default_factory=list)

    @property
    def is_redacted(self) -> bool:
        return self.level == Level.REDACTED


def case_view_for(
    *, case: Case, viewer: StaffProfile, reveal_reason: str | None = None
) -> CaseView:
    """What ``viewer`` may see of ``case`` on one page view, and the audit of it.

    Writes one CASE_VIEWED event (with the level shown). With ``reveal_reason``
    a supervisor of the case gets the full case for this view only, through
    ``case_reveal`` (CASE_REVEALED with the reason); anyone else passing a
    reason gets the ValidationError ``by_not_allowed``. Http404 when the case is
    outside the viewer's scope.
    """
    access = case_access_for(case=case, viewer=viewer)
    if not access.visible:
        raise Http404
    # "Time until a person first opened it" (casework.queues), before any audit
    # write: lock order case row, then audit chain head.
    case_first_open_record(case=case, by=viewer)
    if access.can_see_full:
        level = Level.FULL
    elif reveal_reason is not None:
        case_reveal(case=case, by=viewer, reason=reveal_reason)
        level = Level.REVEALED
    else:
        level = Level.REDACTED
    case_view_record(case=case, by=viewer, level=level)
    full = level != Level.REDACTED

    sealer = Sealer.of(case)
    unreadable: list[str] = []

    def _open(what: str, opener, *args, default):
        try:
            return opener(*args)
        except DecryptionError:
            unreadable.append(what)
            return default

    identity = (
        _open("identity", sealer.open_json, "identity", case.identity_enc, {}, default={}) or {}
    )
    name = identity.get("name", "")
    phone = identity.get("phone", "")
    rules = [str(CONTACT_RULE_LABELS.get(rule, rule)) for rule in identity.get("contact_rules", [])]

    suspects = []
    for suspect in case.suspect_identifiers.order_by("pk"):
        value = None
        if full:
            value = _open(
                "suspect",
                sealer.open_text,
                f"suspect/{suspect.kind}",
                suspect.value_enc,
                default=UNREADABLE,
            )
        suspects.append(SuspectView(kind=str(suspect.get_kind_display()), value=value))

    messages = None
    message_rows = case.messages.select_related("officer__user").order_by("created_at", "pk")
    if full:
        messages = [
            MessageView(
                pk=message.pk,
                sender=str(
                    officer_label(message.officer)
                    if message.sender == message.Sender.OFFICER
                    else message.get_sender_display()
                ),
                officer=message.officer.user.get_username() if message.officer else "",
                created_at=message.created_at,
                body=_open(
                    "message",
                    sealer.open_text,
                    f"message/{message.pk}",
                    message.body_enc,
                    default=UNREADABLE,
                ),
            )
            for message in message_rows
        ]
        message_count = len(messages)
    else:
        message_count = message_rows.count()

    note_rows = case.notes.select_related("author__user").order_by("created_at", "pk")
    notes = None
    if full:
        notes = [
            NoteView(
                author=note.author.user.get_username(),
                created_at=note.created_at,
                body=_open(
                    "note", sealer.open_text, f"note/{note.pk}", note.body_enc, default=UNREADABLE
                ),
            )
            for note in note_rows
        ]
        note_count = len(notes)
    else:
        note_count = note_rows.count()

    threat = (
        _open("threat", sealer.open_json, "threat", case.threat_enc, {}, default={}) or {}
        if full
        else {}
    )
    evidence = []
    for item in Evidence.objects.filter(case=case).order_by("uploaded_at", "pk"):
        item.case = case  # the case already loaded: no query per file
        evidence.append(
            EvidenceView(
                pk=item.pk,
                kind=str(item.get_kind_display()),
                size=item.size,
                uploaded_at=item.uploaded_at,
                is_intimate=item.is_intimate,
                can_preview=access.can_preview_evidence,
                can_open=evidence_can_open(evidence=item, viewer=viewer),
                female_staff_only=case.wants_female_officer and item.is_intimate,
                has_preview=item.preview_enc is not None,
                kind_is_image=item.kind == Evidence.Kind.IMAGE,
                risk_warning=str(EVIDENCE_RISK_WARNINGS.get(item.risk, "")),
            )
        )
    return CaseView(
        level=level,
        reference=case.reference,
        contact_method=str(case.get_contact_method_display()),
        contact_rules=rules,
        name=name if full else initials(name),
        phone=phone if full else phone_masked(phone),
        safe_hours=identity.get("safe_hours", "") if full else None,
        narrative=(
            _open("narrative", sealer.open_text, "narrative", case.narrative_enc, default="")
            if full
            else None
        ),
        threat_details=threat.get("details", "") if full else None,
        amount_paid=threat.get("amount_paid", "") if full else None,
        external_refs=(
            _open(
                "external_refs",
                sealer.open_json,
                "external_refs",
                case.external_refs_enc,
                {},
                default={},
            )
            if full
            else None
        ),
        suspects=suspects,
        messages=messages,
        message_count=message_count,
        notes=notes,
        note_count=note_count,
        evidence=evidence,
        linked=case_list_sharing_suspect(case=case, viewer=viewer),
        can_reveal=access.can_reveal and level == Level.REDACTED,
        can_assign=access.can_assign,
        can_message=access.can_message and case.status != Case.Status.WITHDRAWN,
        can_read_history=access.can_read_history,
        unreadable=unreadable,
    )
