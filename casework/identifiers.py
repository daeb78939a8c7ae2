"""Case references, victim passphrases and suspect identifiers, normalised.

- A reference is ``SND-XXXX-XXXX`` in Crockford's base32 (no I, L, O, U):
  8 symbols, 40 bits of randomness. Typing O for 0 or I/L for 1 still works.
- A passphrase is 20 random digits (66 bits) in five groups of four: digits
  read, write and dictate the same way in Arabic, Sorani and English, and can
  be saved on a phone as a contact's number. Only a peppered Argon2id hash
  is stored.
- Suspect identifiers are normalised before they are fingerprinted, so the
  same phone written two ways links two cases.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.conf import settings

logger = logging.getLogger(__name__)

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PATTERN = re.compile(r"^SND-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
PASSPHRASE_DIGITS = 20
# Anything longer is refused before hashing: guessing must not burn CPU.
MAX_PASSPHRASE_INPUT = 64
MAX_REFERENCE_INPUT = 32

_EASTERN_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",
    "01234567890123456789",
)
_CROCKFORD_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def to_western_digits(value: str) -> str:
    """Arabic-Indic and Persian digits (as phones in Iraq type them) to 0-9."""
    return value.translate(_EASTERN_DIGITS)


def reference_new() -> str:
    symbols = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SND-{symbols[:4]}-{symbols[4:]}"


def reference_normalise(raw: str) -> str | None:
    """Turn what a person typed into a canonical reference, or None."""
    if not raw or len(raw) > MAX_REFERENCE_INPUT:
        return None
    cleaned = to_western_digits(unicodedata.normalize("NFKC", raw)).upper()
    cleaned = re.sub(r"[\s\-_.–—]", "", cleaned)
    if cleaned.startswith("SND"):
        cleaned = cleaned[3:]
    cleaned = cleaned.translate(_CROCKFORD_LOOKALIKES)
    if len(cleaned) != 8:
        return None
    reference = f"SND-{cleaned[:4]}-{cleaned[4:]}"
    return reference if REFERENCE_PATTERN.match(reference) else None


def passphrase_new() -> str:
    digits = "".join(secrets.choice("0123456789") for _ in range(PASSPHRASE_DIGITS))
    return " ".join(digits[i : i + 4] for i in range(0, PASSPHRASE_DIGITS, 4))


def passphrase_normalise(raw: str) -> str | None:
    """Digits only, whatever the script or spacing; None when it cannot be one."""
    if not raw or len(raw) > MAX_PASSPHRASE_INPUT:
        return None
    digits = re.sub(r"[\s\-_.]", "", to_western_digits(raw))
    if len(digits) != PASSPHRASE_DIGITS or not digits.isdigit():
        return None
    return digits


def _hasher() -> PasswordHasher:
    params = settings.SANAD_PASSPHRASE_ARGON2
    return PasswordHasher(
        time_cost=params["time_cost"],
        memory_cost=params["memory_cost"],
        parallelism=params["parallelism"],
    )


# A stored code hash is ``$sanad-hmac$<pepper id>`` + Argon2id(HMAC(pepper, digits)).
# The pepper lives outside the database, so a dump alone cannot be brute-forced
# at all; with the pepper too, 66 random bits at even 1 ms a guess is out of
# reach, which is why the Argon2id cost can stay low (measured in settings).
# Hashes without the prefix (made before the pepper) still verify and are
# rehashed at the next successful login.
PEPPERED_PREFIX = "$sanad-hmac$"


def _pepper() -> bytes:
    """SANAD_CODE_PEPPER, or a key derived from SANAD_FINGERPRINT_KEY.

    The fingerprint key is the right parent: it is required in production, is
    kept outside the database, and is never rotated casually (suspect links
    depend on it), whereas SECRET_KEY may be rotated and SANAD_KEYS rotate by
    design; a changed pepper would make every victim's code fail.
    """
    explicit = settings.SANAD_CODE_PEPPER
    if explicit:
        return explicit.encode()
    parent = settings.SANAD_FINGERPRINT_KEY.encode()
    return hmac.new(parent, b"sanad/code-pepper/v1", hashlib.sha256).digest()


def _pepper_id(pepper: bytes) -> str:
    return hmac.new(pepper, b"sanad/code-pepper-id", hashlib.sha256).hexdigest()[:8]


def _peppered(pepper: bytes, digits: str) -> str:
    return hmac.new(pepper, digits.encode(), hashlib.sha256).hexdigest()


def passphrase_hash(passphrase: str) -> str:
    digits = passphrase_normalise(passphrase)
    if digits is None:
        raise ValueError("not a passphrase")
    pepper = _pepper()
    return f"{PEPPERED_PREFIX}{_pepper_id(pepper)}{_hasher().hash(_peppered(pepper, digits))}"


@dataclass(frozen=True)
class CodeCheck:
    matches: bool
    needs_rehash: bool = False


def _current_key() -> tuple:
    return (tuple(sorted(settings.SANAD_PASSPHRASE_ARGON2.items())), _pepper_id(_pepper()))


def _parameter_prefix(stored_hash: str) -> str:
    """What a stored hash says before its salt: scheme, pepper id, Argon2 parameters."""
    peppered = stored_hash.startswith(PEPPERED_PREFIX)
    head = stored_hash[: len(PEPPERED_PREFIX) + 8] if peppered else ""
    parts = stored_hash[len(head) :].split("$")  # '', argon2id, v=19, m=..,t=..,p=.., salt, hash
    return head + "$".join(parts[:4]) + "$"


def _argon2_parameters(prefix: str) -> dict[str, int]:
    values = dict(item.split("=", 1) for item in prefix.rstrip("$").rsplit("$", 1)[-1].split(","))
    return {
        "memory_cost": int(values["m"]),
        "time_cost": int(values["t"]),
        "parallelism": int(values["p"]),
    }


def code_check_cost(stored_hash: str) -> int:
    """How many of today's checks one check against ``stored_hash`` costs (>= 1),
    so the site-wide budget counts an old, dearer hash for what it costs."""
    try:
        old = _argon2_parameters(_parameter_prefix(stored_hash))
    except (KeyError, ValueError, IndexError):
        return 1
    now = settings.SANAD_PASSPHRASE_ARGON2
    ratio = (old["memory_cost"] * old["time_cost"]) / (now["memory_cost"] * now["time_cost"])
    return max(1, min(round(ratio), 100))


# Per process: the share of stored hashes per parameter prefix (refreshed every
# few minutes) and one dummy hash per prefix.
_SHARES: dict = {"at": -1e9, "key": None, "shares": []}
_DUMMY_HASH: dict[tuple, str] = {}
SHARES_MAX_AGE_SECONDS = 600


def stored_hash_shares() -> list[tuple[str, float]]:
    """(parameter prefix, share) of every kind of stored code hash: a handful of
    kinds at most (one per parameter change), found with two queries each."""
    from casework.models import ReporterCredential

    now = time.monotonic()
    if _SHARES["key"] == _current_key() and now - _SHARES["at"] < SHARES_MAX_AGE_SECONDS:
        return _SHARES["shares"]
    counts: dict[str, int] = {}
    remaining = ReporterCredential.objects.all()
    for _kind in range(8):
        sample = remaining.values_list("passphrase_hash", flat=True).first()
        if sample is None:
            break
        prefix = _parameter_prefix(sample)
        counts[prefix] = ReporterCredential.objects.filter(
            passphrase_hash__startswith=prefix
        ).count()
        remaining = remaining.exclude(passphrase_hash__startswith=prefix)
    total = sum(counts.values())
    shares = [(prefix, count / total) for prefix, count in sorted(counts.items())] if total else []
    _SHARES.update(at=now, key=_current_key(), shares=shares)
    return shares


def _dummy_for_prefix(prefix: str | None) -> str:
    """A hash of no code, made as stored hashes of ``prefix`` were (None: as today)."""
    key = (_current_key(), prefix)
    if key not in _DUMMY_HASH:
        digits = "0" * PASSPHRASE_DIGITS
        if prefix is None:
            _DUMMY_HASH[key] = passphrase_hash(digits)
        else:
            hasher = PasswordHasher(**_argon2_parameters(prefix))
            if prefix.startswith(PEPPERED_PREFIX):
                pepper = _pepper()
                made = hasher.hash(_peppered(pepper, digits))
                _DUMMY_HASH[key] = f"{PEPPERED_PREFIX}{_pepper_id(pepper)}{made}"
            else:
                _DUMMY_HASH[key] = hasher.hash(digits)
    return _DUMMY_HASH[key]


def dummy_hash_for(seed: str | None) -> str:
    """The hash a reference that does not exist is checked against.

    Chosen per reference (a keyed hash of ``seed``), in the proportions of the
    kinds of stored hashes: while some victims' codes still carry older, dearer
    parameters, the same share of unknown references costs as much, so the time
    a check takes does not tell whether a reference exists.
    """
    shares = stored_hash_shares() if seed else []
    if not shares:
        return _dummy_for_prefix(None)
    digest = hmac.new(_pepper(), f"dummy/{seed}".encode(), hashlib.sha256).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    cumulative = 0.0
    for prefix, share in shares:
        cumulative += share
        if point < cumulative:
            return _dummy_for_prefix(prefix)
    return _dummy_for_prefix(shares[-1][0])


def passphrase_check(
    stored_hash: str | None, candidate_digits: str, *, dummy_seed: str | None = None
) -> CodeCheck:
    """Check a normalised code; say whether a match should be hashed again.

    With no stored hash, the check runs against ``dummy_hash_for(dummy_seed)``
    (the reference typed), so a missing reference costs as long as a wrong
    code and gives the same answer.
    """
    hasher = _hasher()
    pepper = _pepper()
    pepper_id = _pepper_id(pepper)
    # The dummy of today's kind is made on the first check of either kind, so
    # even that one check does not tell a missing reference from a wrong code.
    _dummy_for_prefix(None)
    if stored_hash is None:
        stored_hash = dummy_hash_for(dummy_seed)
        candidate_digits = candidate_digits + "x"  # can never match
    if stored_hash.startswith(PEPPERED_PREFIX):
        stored_id, argon_hash = (
            stored_hash[len(PEPPERED_PREFIX) : len(PEPPERED_PREFIX) + 8],
            stored_hash[len(PEPPERED_PREFIX) + 8 :],
        )
        if stored_id != pepper_id:
            logger.error(
                "A victim's code hash was made with another pepper: check SANAD_CODE_PEPPER."
            )
            return CodeCheck(False)
        candidate = _peppered(pepper, candidate_digits)
    else:
        argon_hash, candidate = stored_hash, candidate_digits
    try:
        matched = hasher.verify(argon_hash, candidate)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return CodeCheck(False)
    legacy = not stored_hash.startswith(PEPPERED_PREFIX)
    return CodeCheck(matched, needs_rehash=legacy or hasher.check_needs_rehash(argon_hash))


def passphrase_verify(stored_hash: str | None, candidate_digits: str) -> bool:
    """True when the normalised code matches (see passphrase_check)."""
    return passphrase_check(stored_hash, candidate_digits).matches


_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def _e164(digits: str) -> str | None:
    """A phone number in E.164, Iraq (+964) by default; None when it is not one."""
    try:
        number = phonenumbers.parse(digits, "IQ")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_normalise(raw: str) -> str:
    """A victim's own phone, typed with any digits: E.164 (Iraq by default)
    when it parses, otherwise the Western-digit text as typed."""
    value = to_western_digits(unicodedata.normalize("NFKC", raw or "")).strip()
    if not value:
        return ""
    return _e164(_PHONE_SEPARATORS.sub("", value)) or value


# --- suspect identifiers -------------------------------------------------------

_URL_HINT = re.compile(r"^(https?://|www\.)|\.[a-z]{2,}(/|$)", re.IGNORECASE)


def suspect_identifier_normalise(raw: str) -> tuple[str, str] | None:
    """Classify and normalise one identifier: ("phone"|"handle"|"url", value).

    Phones go to E.164 with Iraq (+964) as the default country; handles are
    lower-cased without a leading @; links become host + path, lower-cased host,
    no scheme, no "www.", no query string or trailing slash, lower-cased.
    """
    value = to_western_digits(unicodedata.normalize("NFKC", raw)).strip()
    if not value or len(value) > 300:
        return None
    digits_only = _PHONE_SEPARATORS.sub("", value)
    if re.fullmatch(r"\+?\d{6,16}", digits_only) or digits_only.startswith("00"):
        return "phone", _e164(digits_only) or digits_only
    if _URL_HINT.search(value) and " " not in value:
        parts = urlsplit(value if "://" in value else f"https://{value}")
        host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
        path = parts.path.rstrip("/")
        if host:
            # Handles in profile links are case-insensitive on every platform
            # victims name, so the whole link is lower-cased for matching.
            return "url", f"{host}{path}".lower()
    handle = value.removeprefix("@").strip().lower()
    handle = re.sub(r"\s+", "", handle)
    return ("handle", handle) if handle else None
