"""The production Argon2id parameters, run once: the rest of the suite uses
cheap ones (tests/settings.py) because it tests the rules around hashing."""

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from django.test import override_settings

from casework import identifiers

# config/settings.py's defaults (below OWASP's minimum: the code is 66 random bits).
PRODUCTION = {"time_cost": 1, "memory_cost": 8 * 1024, "parallelism": 1}


def test_code_hash__production_parameters_hash_and_verify():
    with override_settings(SANAD_PASSPHRASE_ARGON2=PRODUCTION):
        code = identifiers.passphrase_new()
        stored = identifiers.passphrase_hash(code)
        assert stored.startswith("$sanad-hmac$") and "m=8192,t=1,p=1" in stored
        digits = identifiers.passphrase_normalise(code)
        assert identifiers.passphrase_check(stored, digits) == identifiers.CodeCheck(True, False)
        assert not identifiers.passphrase_verify(stored, "0" * len(digits))
        assert not identifiers.passphrase_verify(None, digits)


def test_code_hash__pepper_is_needed_to_verify(settings):
    code = identifiers.passphrase_new()
    digits = identifiers.passphrase_normalise(code)
    stored = identifiers.passphrase_hash(code)
    argon_part = stored[len(identifiers.PEPPERED_PREFIX) + 8 :]
    # The database alone holds an Argon2 hash of an HMAC, not of the digits.
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(argon_part, digits)
    settings.SANAD_CODE_PEPPER = "another-pepper"
    assert not identifiers.passphrase_verify(stored, digits)


def test_code_hash__legacy_hash_without_pepper_verifies_and_asks_for_rehash():
    digits = "12345678901234567890"
    legacy = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=2).hash(digits)
    assert identifiers.passphrase_check(legacy, digits) == identifiers.CodeCheck(True, True)
    assert not identifiers.passphrase_check(legacy, "0" * 20).matches


def test_code_hash__peppered_hash_with_other_parameters_asks_for_rehash(settings):
    code = "1234 5678 9012 3456 7890"
    settings.SANAD_PASSPHRASE_ARGON2 = {"time_cost": 2, "memory_cost": 2048, "parallelism": 1}
    stored = identifiers.passphrase_hash(code)
    settings.SANAD_PASSPHRASE_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    assert identifiers.passphrase_check(stored, code.replace(" ", "")).needs_rehash
