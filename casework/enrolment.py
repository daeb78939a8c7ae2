"""Setting up a staff member's second factor, only with a code from an administrator.

Knowing an account's initial password is not enough to enrol: whoever passes
the password step of an account without a device must also type a
single-use, expiring *enrolment code* that an administrator issued for that
account (``staff_enrolment_issue``: the console's staff list, or
``manage.py issue_enrolment``). Only a hash of the code is stored.

Each redeemed code makes a fresh TOTP secret, tied to the session that
redeemed it; older unconfirmed secrets are deleted, so a secret seen by one
session is worthless to every other. When enrolment completes, every other
session of that account (say, someone else who had passed the password step)
is ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import auth
from casework.audit import audit_record
from casework.identifiers import to_western_digits
from casework.models import AuditEvent, EnrolmentToken, StaffProfile

ALREADY_ENROLLED_ISSUE = _(
    "This account has two-factor authentication already. Reset it first if the phone was lost."
)
NOT_A_CONSOLE_ACCOUNT = _("This account cannot use the console.")

ENROLMENT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ENROLMENT_CODE_GROUPS = 4
ENROLMENT_CODE_GROUP_LENGTH = 4
MAX_ENROLMENT_CODE_INPUT = 64
# The session key naming the device this session may confirm.
SESSION_ENROLMENT_DEVICE = "console_enrolment_device"


def enrolment_token_seconds() -> int:
    return int(getattr(settings, "SANAD_ENROLMENT_CODE_SECONDS", 72 * 3600))


def enrolment_code_normalise(code: str) -> str:
    """Upper case, western digits, no spaces or dashes: how it is hashed."""
    return re.sub(r"[\s\-]", "", to_western_digits(code or "")).upper()


def enrolment_code_hash(code: str) -> str:
    # The code is 80 random bits: a plain hash is enough, and nothing stored
    # can be typed back in.
    return hashlib.sha256(enrolment_code_normalise(code).encode()).hexdigest()


def _enrolment_code_new() -> str:
    groups = [
        "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_GROUP_LENGTH))
        for _ in range(ENROLMENT_CODE_GROUPS)
    ]
    return "-".join(groups)


@transaction.atomic
def staff_enrolment_issue(*, profile: StaffProfile, by: StaffProfile, via: str = "console") -> str:
    """A new enrolment code for ``profile``; returned in clear, to hand over once.

    ``by`` must be an active administrator (the first administrator may issue
    their own). Refused for an account that has a confirmed device (reset its
    two-factor first) and for non-console accounts. Any older unused code of
    the account stops working. Audited with who issued it and through what.
    """
    auth.require_administrator(by)
    user = profile.user
    if not auth.staff_is_console_user(user):
        raise ValidationError(NOT_A_CONSOLE_ACCOUNT, code="not_console_user")
    if auth.staff_has_confirmed_device(user):
        raise ValidationError(ALREADY_ENROLLED_ISSUE, code="already_enrolled")
    EnrolmentToken.objects.filter(user=user, used_at__isnull=True).delete()
    code = _enrolment_code_new()
    lifetime = enrolment_token_seconds()
    EnrolmentToken.objects.create(
        user=user,
        token_hash=enrolment_code_hash(code),
        issued_by=by.user,
        expires_at=timezone.now() + dt.timedelta(seconds=lifetime),
    )
    audit_record(
        action=AuditEvent.Action.STAFF_ENROLMENT_ISSUED,
        actor=by.user,
        details={"staff_profile": profile.pk, "valid_hours": lifetime // 3600, "via": via},
    )
    return code


def staff_enrolment_redeem(*, request: HttpRequest, code: str) -> auth.LoginResult:
    """Spend an enrolment code: this session gets a fresh authenticator secret.

    Only for a live password-only session of an account without a confirmed
    device. The code must be the account's, unused and unexpired; it is used
    up here, whatever happens next. A wrong code counts towards the login lock.
    """
    user = request.user
    if not auth.staff_awaiting_second_step(request) or auth.staff_has_confirmed_device(user):
        return auth.LoginResult(auth.LoginOutcome.INVALID)
    client = auth.request_client_address(request)
    username = user.get_username()
    if auth.is_locked(username=username, client_address=client):
        return auth.LoginResult(auth.LoginOutcome.LOCKED)
    device = None
    if len(code or "") <= MAX_ENROLMENT_CODE_INPUT:
        with transaction.atomic():
            token = (
                EnrolmentToken.objects.select_for_update()
                .filter(
                    user=user,
                    token_hash=enrolment_code_hash(code),
                    used_at__isnull=True,
                    expires_at__gt=timezone.now(),
                )
                .first()
            )
            if token is not None:
                token.used_at = timezone.now()
                token.save(update_fields=["used_at"])
                # A fresh secret per attempt: no earlier unconfirmed secret survives.
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                device = TOTPDevice.objects.create(
                    user=user, name=auth.TOTP_DEVICE_NAME, confirmed=False
                )
    if device is None:
        auth.record_failure(username=username, client_address=client)
        return auth.LoginResult(auth.LoginOutcome.INVALID)
    request.session[SESSION_ENROLMENT_DEVICE] = device.pk
    return auth.LoginResult(auth.LoginOutcome.OK, user=user, device=device)


def staff_enrolment_device(*, request: HttpRequest) -> TOTPDevice | None:
    """The unconfirmed authenticator this session made by redeeming a code, if any.

    Refused once any device of the account is confirmed: the secret of a
    confirmed device is never shown again.
    """
    user = request.user
    if auth.staff_has_confirmed_device(user):
        raise PermissionDenied(auth.ALREADY_ENROLLED)
    device_id = request.session.get(SESSION_ENROLMENT_DEVICE)
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()


def staff_enrolment_confirm(*, request: HttpRequest, code: str) -> auth.LoginResult:
    """Confirm this session's new authenticator with a code from it; issue backup codes.

    On success the device is confirmed, the session verified, every other
    session of the account ended, and the result carries the backup codes:
    the only time they exist in clear.
    """
    user = request.user
    if not auth.staff_awaiting_second_step(request):
        return auth.LoginResult(auth.LoginOutcome.INVALID)
    client = auth.request_client_address(request)
    username = user.get_username()
    if auth.is_locked(username=username, client_address=client):
        return auth.LoginResult(auth.LoginOutcome.LOCKED)
    digits = re.sub(r"\s", "", to_western_digits(code or ""))[: auth.MAX_CODE_INPUT]
    device_id = request.session.get(SESSION_ENROLMENT_DEVICE)
    verified = False
    with transaction.atomic():
        if auth.staff_has_confirmed_device(user) or device_id is None:
            return auth.LoginResult(auth.LoginOutcome.INVALID)
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_id, user=user, confirmed=False)
            .first()
        )
        verified = (
            device is not None
            and auth.TOTP_PATTERN.match(digits) is not None
            and device.verify_token(digits)
        )
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = auth.staff_backup_codes_issue(user=user)
    if not verified:
        auth.record_failure(username=username, client_address=client)
        return auth.LoginResult(auth.LoginOutcome.INVALID)
    request.session.pop(SESSION_ENROLMENT_DEVICE, None)
    auth.login_complete(request=request, user=user, device=device, method="enrolment")
    ended = auth.staff_sessions_end(user=user, keep=request.session.session_key)
    audit_record(
        action=AuditEvent.Action.STAFF_ENROLLED,
        actor=user,
        details={"other_sessions_ended": ended},
    )
    return auth.LoginResult(
        auth.LoginOutcome.OK, user=user, device=device, method="enrolment", backup_codes=codes
    )
