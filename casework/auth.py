"""Who may enter the caseworker console, and how they prove it.

Two steps. First a username and password; that makes a *password-only*
session, which can reach nothing but the second step, enrolment and logout.
Then a six-digit code from the staff member's authenticator (TOTP) or one of
their backup codes; only then is the session verified (django-otp) and the
console opens (``casework.console.ConsoleSite.has_permission``).

Guessing is throttled before anything is hashed, in the shared database
(``casework.throttle``): per username *and* client (5 failures in 15 minutes
lock that username from that client, even for the right password, for 15
minutes doubling with each repeat), per client address (30), and per username
from all clients together (a ceiling of 100 an hour). So an attacker guessing
from one place locks only themselves out: the staff member, from their own
device, still logs in with the password and a valid code. A lock on one
username never touches another. Failures at either step count; only a
completed login clears the count of its own client, so knowing the password
does not buy more guesses at the code. Keys are keyed hashes: no username or
address is stored by the throttle.

Everyone refused sees the same words whether the username is unknown, the
password wrong or the code wrong.

A staff member with no confirmed device is sent, after the password step, to
enrolment (``casework.enrolment``): an enrolment code from an administrator,
then a new authenticator secret (shown as a QR code and as text) that they
confirm with a code, then ten backup codes shown once. After that the secret
is never displayed again, and enrolment refuses to run.

Accounts made by ``seed_demo`` have public secrets: they are refused outside a
demo installation (``casework.demo.demo_account_refused``).
"""

from __future__ import annotations

import base64
import enum
import re
import secrets
import time
from dataclasses import dataclass, field
from importlib import import_module

import segno
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.audit import audit_record
from casework.client import client_address
from casework.demo import demo_account_refused, demo_mode_enabled
from casework.identifiers import to_western_digits
from casework.models import (
    BACKUP_CODE_ALPHABET,
    BACKUP_CODE_ITERATIONS,
    BACKUP_CODE_LENGTH,
    AuditEvent,
    BackupCodeDevice,
    DemoAccount,
    StaffProfile,
    StaffSession,
    backup_code_digest,
    backup_code_normalise,
)
from casework.staffing import staff_profile_change
from casework.throttle import throttle_clear, throttle_hit, throttle_key, throttle_state

LOGIN_REFUSED = _("Please check your details and try again.")
LOGIN_LOCKED = ngettext_lazy(
    "Too many attempts. Please wait %(minutes)s minute and try again, "
    "or ask an administrator for help.",
    "Too many attempts. Please wait %(minutes)s minutes and try again, "
    "or ask an administrator for help.",
    "minutes",
)
SECOND_STEP_EXPIRED = _("Your login took too long. Please start again.")
CODE_JUST_USED = _(
    "This code was just used. Wait for the next code in your app (a new one comes every "
    "30 seconds) and type that one."
)
NOT_ADMINISTRATOR = _("Only an administrator may do this.")
OWN_ACCOUNT = _("You cannot do this to your own account.")
ALREADY_ENROLLED = _("Two-factor authentication is already set up for this account.")

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"
# Inputs longer than these are refused before hashing: guessing must not burn CPU.
MAX_USERNAME_INPUT = 150
MAX_PASSWORD_INPUT = 256
MAX_CODE_INPUT = 32

SESSION_DEMO_ACCOUNT = "console_demo_account"
# Session key holding when the password step succeeded (epoch seconds).
SESSION_PASSWORD_STEP_AT = "console_password_at"  # noqa: S105 - a session key name, not a secret
_TOTP_PATTERN = re.compile(r"^[0-9]{6}$")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def user_max_failures() -> int:
    return _setting("SANAD_CONSOLE_MAX_FAILURES", 5)


def client_max_failures() -> int:
    return _setting("SANAD_CONSOLE_CLIENT_MAX_FAILURES", 30)


def lockout_seconds() -> int:
    return _setting("SANAD_CONSOLE_LOCKOUT_SECONDS", 15 * 60)


def second_step_seconds() -> int:
    """How long a password-only session may wait for its code (or enrolment)."""
    return _setting("SANAD_CONSOLE_SECOND_STEP_SECONDS", 15 * 60)


def locked_message() -> str:
    return LOGIN_LOCKED % {"minutes": max(1, lockout_seconds() // 60)}


# --- who is a console user ------------------------------------------------------


def request_client_address(request: HttpRequest) -> str:
    """The client's address, for throttle keys only (casework.client)."""
    return client_address(request)


def staff_is_console_user(user) -> bool:
    """Active, staff, with a staff profile, and not a demo account outside a
    demo: may try the second step at all."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and StaffProfile.objects.filter(user_id=user.pk).exists()
        and not demo_account_refused(user)
    )


def staff_has_confirmed_device(user) -> bool:
    """A confirmed authenticator or backup-code device: enrolment is over."""
    return (
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        or BackupCodeDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
    )


def _password_step_fresh(request: HttpRequest) -> bool:
    started = request.session.get(SESSION_PASSWORD_STEP_AT)
    return started is not None and time.time() - float(started) <= second_step_seconds()


def staff_session_is_stale_demo(request: HttpRequest) -> bool:
    """A session of a demo account on an installation that is no longer a demo."""
    return bool(request.session.get(SESSION_DEMO_ACCOUNT)) and not demo_mode_enabled()


def staff_awaiting_second_step(request: HttpRequest) -> bool:
    """A password-only console session that may still complete its login.

    Expired ones (older than ``second_step_seconds``) are logged out here, so a
    forgotten half-login does not sit for the whole session lifetime.
    """
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    if not _password_step_fresh(request):
        django_logout(request)
        return False
    return staff_is_console_user(user)


# --- throttling -------------------------------------------------------------------
#
# A wrong guess counts against three keys:
# - the pair (username, client): 5 failures lock that username *from that client*,
#   for 15 minutes, doubling with each further lock of the pair within a day
#   (exponential backoff). Somebody guessing elsewhere cannot lock the real
#   staff member out: their own client is another pair.
# - the client: 30 failures over any usernames lock the client.
# - the username, from all clients together: a much higher ceiling (100 an
#   hour), so spreading guesses over many addresses still ends somewhere.
# Every lock is audited with its scope.

PAIR_STRIKES_WINDOW_SECONDS = 24 * 3600
MAX_LOCK_SECONDS = 24 * 3600


def user_global_max_failures() -> int:
    return _setting("SANAD_CONSOLE_ACCOUNT_MAX_FAILURES", 100)


def user_global_window_seconds() -> int:
    return _setting("SANAD_CONSOLE_ACCOUNT_WINDOW_SECONDS", 3600)


def _username_key(username: str) -> str:
    # Case-folded: "Admin" and "admin" share one count.
    return throttle_key("console-user", username.strip().casefold())


def _pair_key(username: str, client_address: str) -> str:
    return throttle_key("console-user-client", f"{username.strip().casefold()} {client_address}")


def _pair_strikes_key(username: str, client_address: str) -> str:
    return throttle_key(
        "console-user-client-locks", f"{username.strip().casefold()} {client_address}"
    )


def _client_key(client_address: str) -> str:
    return throttle_key("console-client", client_address)


def _is_locked(*, username: str, client_address: str) -> bool:
    return (
        throttle_state(_client_key(client_address)).locked
        or throttle_state(_pair_key(username, client_address)).locked
        or throttle_state(_username_key(username)).locked
    )


def _pair_lock_seconds(username: str, client_address: str) -> int:
    """15 minutes, doubled for every earlier lock of this pair within a day."""
    strikes = throttle_state(_pair_strikes_key(username, client_address)).count
    return min(lockout_seconds() * 2 ** min(strikes, 16), MAX_LOCK_SECONDS)


def _record_failure(*, username: str, client_address: str) -> None:
    """Count one failed attempt against the pair, the username and the client.

    Reaching a limit locks that key and writes STAFF_LOCKOUT. The event's
    actor is the account concerned (when it exists), labelled "system";
    details hold the scope and lock length only, never the username typed or
    an address.
    """
    seconds = lockout_seconds()
    account = None

    def _account():
        nonlocal account
        if account is None:
            account = get_user_model().objects.filter(username=username).first()
        return account

    pair_lock = _pair_lock_seconds(username, client_address)
    pair_state = throttle_hit(
        key=_pair_key(username, client_address),
        limit=user_max_failures(),
        window_seconds=seconds,
        lock_seconds=pair_lock,
    )
    if pair_state.just_locked:
        throttle_hit(
            key=_pair_strikes_key(username, client_address),
            limit=2**31,
            window_seconds=PAIR_STRIKES_WINDOW_SECONDS,
            lock_seconds=0,
        )
        audit_record(
            action=AuditEvent.Action.STAFF_LOCKOUT,
            actor=_account(),
            actor_label="system",
            details={"scope": "user_client", "lock_seconds": pair_lock},
        )
    user_state = throttle_hit(
        key=_username_key(username),
        limit=user_global_max_failures(),
        window_seconds=user_global_window_seconds(),
        lock_seconds=seconds,
    )
    if user_state.just_locked:
        audit_record(
            action=AuditEvent.Action.STAFF_LOCKOUT,
            actor=_account(),
            actor_label="system",
            details={"scope": "user", "lock_seconds": seconds},
        )
    client_state = throttle_hit(
        key=_client_key(client_address),
        limit=client_max_failures(),
        window_seconds=seconds,
        lock_seconds=seconds,
    )
    if client_state.just_locked:
        audit_record(
            action=AuditEvent.Action.STAFF_LOCKOUT,
            actor_label="system",
            details={"scope": "client", "lock_seconds": seconds},
        )


# --- the two steps ------------------------------------------------------------------


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    CODE_JUST_USED = "code_just_used"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: object | None = None
    device: object | None = None
    method: str = ""
    backup_codes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome == LoginOutcome.OK

    @property
    def message(self) -> str:
        if self.outcome == LoginOutcome.LOCKED:
            return locked_message()
        if self.outcome == LoginOutcome.CODE_JUST_USED:
            return str(CODE_JUST_USED)
        return str(LOGIN_REFUSED)


def staff_login_password(*, request: HttpRequest, username: str, password: str) -> LoginResult:
    """Step one: username and password. On success the session is password-only.

    Refused without hashing anything when the client or the username is
    locked, or the input is absurdly long. An unknown username costs the same
    hash as a known one (Django's ModelBackend hashes anyway).
    """
    client = request_client_address(request)
    username = username or ""
    password = password or ""
    if _is_locked(username=username, client_address=client):
        return LoginResult(LoginOutcome.LOCKED)
    if not username or len(username) > MAX_USERNAME_INPUT or len(password) > MAX_PASSWORD_INPUT:
        _record_failure(username=username, client_address=client)
        return LoginResult(LoginOutcome.INVALID)

    user = authenticate(request, username=username, password=password)
    if user is None or not staff_is_console_user(user):
        _record_failure(username=username, client_address=client)
        return LoginResult(LoginOutcome.INVALID)

    # Django's login() keeps the session key when the same user logs in again,
    # so cycle it ourselves: a new key for every new privilege.
    django_login(request, user)
    _session_cycle(request, user)
    # Whatever this session had verified before, the code step comes again.
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SESSION_PASSWORD_STEP_AT] = time.time()
    return LoginResult(LoginOutcome.OK, user=user)


def _verify_code(user, code: str) -> tuple[object | None, str]:
    """The device of ``user`` that accepts ``code``, and which kind it was.

    Six digits go to the authenticator (TOTP: a code at or before the last one
    accepted is refused, so a code cannot be replayed); anything shaped like a
    backup code goes to the backup codes. Only these two device kinds count:
    django-otp's plain-text static tokens are never consulted.
    """
    digits = re.sub(r"\s", "", to_western_digits(code or ""))
    if _TOTP_PATTERN.match(digits):
        with transaction.atomic():
            devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            for device in devices.order_by("pk"):
                if device.verify_token(digits):
                    return device, "totp"
            if any(_totp_just_used(device, digits) for device in devices):
                return None, "totp_just_used"
        return None, ""
    if backup_code_normalise(code or "") is not None:
        for device in BackupCodeDevice.objects.filter(user=user, confirmed=True).order_by("pk"):
            if device.verify_token(code):
                return device, "backup_code"
    return None, ""


def _totp_just_used(device, digits: str) -> bool:
    """True when `digits` is the code this device last accepted, still inside
    its time window: a person typed the same code twice (a double submit, or a
    second login within 30 seconds), not a wrong one. It stays refused."""
    from django_otp.oath import TOTP

    if device.last_t < 0:
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() - device.last_t > device.tolerance:
        return False
    totp.time = device.t0 + device.last_t * device.step
    return f"{totp.token():0{device.digits}d}" == digits


def staff_login_code(*, request: HttpRequest, code: str) -> LoginResult:
    """Step two: a code from the authenticator, or a backup code. Opens the console.

    Only for a session whose password step succeeded within ``second_step_seconds``.
    """
    user = request.user
    if not (_password_step_fresh(request) and staff_is_console_user(user)):
        return LoginResult(LoginOutcome.INVALID)
    client = request_client_address(request)
    username = user.get_username()
    if _is_locked(username=username, client_address=client):
        return LoginResult(LoginOutcome.LOCKED)
    code = code or ""
    device, method = (None, "") if len(code) > MAX_CODE_INPUT else _verify_code(user, code)
    if device is None:
        _record_failure(username=username, client_address=client)
        if method == "totp_just_used":
            return LoginResult(LoginOutcome.CODE_JUST_USED)
        return LoginResult(LoginOutcome.INVALID)
    _login_complete(request=request, user=user, device=device, method=method)
    return LoginResult(LoginOutcome.OK, user=user, device=device, method=method)


def _login_complete(*, request: HttpRequest, user, device, method: str) -> None:
    _session_cycle(request, user)
    otp_login(request, device)
    request.session.pop(SESSION_PASSWORD_STEP_AT, None)
    # Read by ConsoleSite.has_permission without a query per request: a demo
    # session stops working the moment the installation is no longer a demo.
    request.session[SESSION_DEMO_ACCOUNT] = DemoAccount.objects.filter(user_id=user.pk).exists()
    # Only this client's count: guesses from elsewhere still count towards
    # the username's ceiling.
    client = request_client_address(request)
    throttle_clear(_pair_key(user.get_username(), client))
    throttle_clear(_pair_strikes_key(user.get_username(), client))
    audit_record(action=AuditEvent.Action.STAFF_LOGIN, actor=user, details={"method": method})


# --- enrolment (casework.enrolment) -------------------------------------------------

# What casework.enrolment shares with the login.
TOTP_PATTERN = _TOTP_PATTERN


def is_locked(*, username: str, client_address: str) -> bool:
    return _is_locked(username=username, client_address=client_address)


def record_failure(*, username: str, client_address: str) -> None:
    _record_failure(username=username, client_address=client_address)


def login_complete(*, request: HttpRequest, user, device, method: str) -> None:
    _login_complete(request=request, user=user, device=device, method=method)


def backup_code_new() -> str:
    symbols = "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


@transaction.atomic
def staff_backup_codes_issue(*, user) -> list[str]:
    """Ten new backup codes for ``user``; every older one stops working.

    Returns the codes in clear for showing once. Only their hashes are kept.
    The device row is reused, so a session verified by a backup code stays
    verified when its owner replaces the codes.
    """
    codes = [backup_code_new() for _ in range(BACKUP_CODE_COUNT)]
    salt = secrets.token_hex(16)
    hashes = [
        backup_code_digest(backup_code_normalise(c), salt=salt, iterations=BACKUP_CODE_ITERATIONS)
        for c in codes
    ]
    devices = BackupCodeDevice.objects.select_for_update().filter(user=user).order_by("pk")
    device = devices.first()
    if device is None:
        device = BackupCodeDevice(user=user, name=BACKUP_DEVICE_NAME)
    else:
        devices.exclude(pk=device.pk).delete()
    device.confirmed = True
    device.salt = salt
    device.iterations = BACKUP_CODE_ITERATIONS
    device.code_hashes = hashes
    device.throttle_reset(commit=False)
    device.save()
    return codes


def staff_backup_codes_renew(*, request: HttpRequest, code: str) -> LoginResult:
    """New backup codes for a verified staff member who shows a fresh authenticator code.

    A hijacked session alone cannot mint lasting second factors: the code must
    come from the authenticator (a backup code is not accepted here), and
    failures count towards the same lock as the login.
    """
    user = request.user
    if not (staff_is_console_user(user) and user.is_verified()):
        return LoginResult(LoginOutcome.INVALID)
    client = request_client_address(request)
    username = user.get_username()
    if _is_locked(username=username, client_address=client):
        return LoginResult(LoginOutcome.LOCKED)
    digits = re.sub(r"\s", "", to_western_digits(code or ""))
    device, method = _verify_code(user, digits) if _TOTP_PATTERN.match(digits) else (None, "")
    if device is None:
        _record_failure(username=username, client_address=client)
        return LoginResult(LoginOutcome.INVALID)
    codes = staff_backup_codes_issue(user=user)
    return LoginResult(LoginOutcome.OK, user=user, device=device, method=method, backup_codes=codes)


def staff_backup_codes_remaining(*, user) -> int:
    return sum(d.remaining for d in BackupCodeDevice.objects.filter(user=user, confirmed=True))


def totp_secret_display(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


_STYLE_ATTRIBUTE = re.compile(r"""\s+style\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)


def totp_qr_svg(device: TOTPDevice, *, label: str) -> SafeString:
    """The device's otpauth:// URL as an inline SVG QR code.

    Made on the server (segno), so no external request; no ``style``
    attributes, so the strict CSP (no 'unsafe-inline') lets it render. Size
    comes from the stylesheet (class ``totp-qr``).
    """
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="totp-qr",
        lineclass=None,
    )
    svg = _STYLE_ATTRIBUTE.sub("", svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno output, no user input except the escaped label


# --- sessions -------------------------------------------------------------------------


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def staff_session_track(*, request: HttpRequest, user, replaces: str | None = None) -> None:
    """Record that the request's session belongs to ``user`` (staff only)."""
    if replaces:
        StaffSession.objects.filter(session_key=replaces).delete()
    key = request.session.session_key
    if not key or not getattr(user, "is_staff", False):
        return
    StaffSession.objects.update_or_create(session_key=key, defaults={"user": user})
    # Drop this user's rows whose session is gone (logged out, expired, cycled).
    store = _session_store()
    stale = [
        row_key
        for row_key in StaffSession.objects.filter(user=user)
        .exclude(session_key=key)
        .values_list("session_key", flat=True)
        if not store().exists(row_key)
    ]
    StaffSession.objects.filter(session_key__in=stale).delete()


def _session_cycle(request: HttpRequest, user) -> None:
    old = request.session.session_key
    request.session.cycle_key()
    staff_session_track(request=request, user=user, replaces=old)


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """Index every staff login, whatever view made it."""
    if request is not None and hasattr(request, "session"):
        staff_session_track(request=request, user=user)


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and request.session.session_key:
        StaffSession.objects.filter(session_key=request.session.session_key).delete()


def staff_sessions_end(*, user, keep: str | None = None) -> int:
    """End every indexed session of ``user`` but ``keep``; returns how many were ended.

    Sessions are deleted through the configured session engine, so cached
    copies go too. A session the index missed still cannot act for an
    inactive user: Django's ModelBackend refuses inactive users on every request.
    """
    store = _session_store()
    rows = StaffSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store().delete(key)
    rows.delete()
    return len(keys)


# --- account changes --------------------------------------------------------------------


def _require_administrator(by: StaffProfile) -> None:
    if by is None or by.role != StaffProfile.Role.ADMINISTRATOR or not by.user.is_active:
        raise ValidationError(NOT_ADMINISTRATOR, code="administrator_required")


require_administrator = _require_administrator


@transaction.atomic
def staff_deactivate(*, profile: StaffProfile, by: StaffProfile) -> StaffProfile:
    """Deactivate a staff account and end all its sessions at once.

    Refused unless ``by`` is an active administrator, and for one's own
    account (so the last administrator cannot lock everyone out by mistake).
    Goes through ``casework.staffing.staff_profile_change`` (audited, and
    their open cases reassigned in the same transaction), then audited as
    STAFF_LOCKOUT with reason "deactivated".
    """
    _require_administrator(by)
    if profile.pk == by.pk:
        raise ValidationError(OWN_ACCOUNT, code="own_account")
    # The one door for staff changes: audited old -> new, and the open cases
    # they held go back through the assignment rules in this transaction.
    profile = staff_profile_change(
        profile=profile, by=by, is_active=False, via="deactivation"
    ).profile
    user = profile.user
    ended = staff_sessions_end(user=user)
    audit_record(
        action=AuditEvent.Action.STAFF_LOCKOUT,
        actor=by.user,
        details={"reason": "deactivated", "staff_profile": profile.pk, "sessions_ended": ended},
    )
    profile.user = user
    return profile


@transaction.atomic
def staff_two_factor_reset(*, profile: StaffProfile, by: StaffProfile) -> StaffProfile:
    """Remove every second factor of an account (a lost phone) and end its sessions.

    The staff member enrols again at their next login, with a new enrolment
    code from an administrator (``casework.enrolment``). Administrators only,
    never on their own account; audited as STAFF_LOCKOUT, reason "two_factor_reset".
    """
    _require_administrator(by)
    if profile.pk == by.pk:
        raise ValidationError(OWN_ACCOUNT, code="own_account")
    user = profile.user
    TOTPDevice.objects.filter(user=user).delete()
    BackupCodeDevice.objects.filter(user=user).delete()
    ended = staff_sessions_end(user=user)
    audit_record(
        action=AuditEvent.Action.STAFF_LOCKOUT,
        actor=by.user,
        details={
            "reason": "two_factor_reset",
            "staff_profile": profile.pk,
            "sessions_ended": ended,
        },
    )
    return profile
