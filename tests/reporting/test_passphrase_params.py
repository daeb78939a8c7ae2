"""The production Argon2id parameters, run once: the rest of the suite uses
cheap ones (tests/settings.py) because it tests the rules around hashing."""

from django.test import override_settings

from casework import identifiers

PRODUCTION = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 2}


def test_code_hash__production_parameters_hash_and_verify():
    with override_settings(SANAD_PASSPHRASE_ARGON2=PRODUCTION):
        code = identifiers.passphrase_new()
        stored = identifiers.passphrase_hash(code)
        assert "$argon2id$" in stored and "m=65536,t=3,p=2" in stored
        digits = identifiers.passphrase_normalise(code)
        assert identifiers.passphrase_verify(stored, digits)
        assert not identifiers.passphrase_verify(stored, "0" * len(digits))
        assert not identifiers.passphrase_verify(None, digits)
