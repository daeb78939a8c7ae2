"""Case references, victim passphrases and suspect identifiers, normalised.

- A reference is ``SND-XXXX-XXXX`` in Crockford's base32 (no I, L, O, U):
  8 symbols, 40 bits of randomness. Typing O for 0 or I/L for 1 still works.
- A passphrase is 20 random digits (66 bits) in five groups of four: digits
  read, write and dictate the same way in Arabic, Sorani and English, and can
  be saved on a phone as a contact's number. Only an Argon2id hash is stored.
- Suspect identifiers are normalised before they are fingerprinted, so the
  same phone written two ways links two cases.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from urllib.parse import urlsplit

import phonenumbers
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.conf import settings

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


def passphrase_hash(passphrase: str) -> str:
    digits = passphrase_normalise(passphrase)
    if digits is None:
        raise ValueError("not a passphrase")
    return _hasher().hash(digits)


_DUMMY_HASH: dict[tuple, str] = {}


def passphrase_verify(stored_hash: str | None, candidate_digits: str) -> bool:
    """Check a normalised passphrase. With no stored hash, verify against a
    dummy hash of the same cost, so a missing reference takes as long as a
    wrong passphrase and gives the same answer."""
    hasher = _hasher()
    # Made on the first check of either kind, so even that one check does not
    # tell a missing reference from a wrong passphrase.
    key = tuple(sorted(settings.SANAD_PASSPHRASE_ARGON2.items()))
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hasher.hash(secrets.token_hex(16))
    if stored_hash is None:
        stored_hash = _DUMMY_HASH[key]
        candidate_digits = candidate_digits + "x"  # can never match
    try:
        return hasher.verify(stored_hash, candidate_digits)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


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
