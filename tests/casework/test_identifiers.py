import math

import pytest

from casework import identifiers


def test_reference_new__has_at_least_40_bits_and_the_expected_shape():
    assert len(identifiers.REFERENCE_ALPHABET) ** 8 >= 2**40
    assert math.log2(len(identifiers.REFERENCE_ALPHABET)) * 8 >= 40
    refs = {identifiers.reference_new() for _ in range(500)}
    assert len(refs) == 500
    assert all(identifiers.REFERENCE_PATTERN.match(ref) for ref in refs)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("SND-7K3M-Q9XW", "SND-7K3M-Q9XW"),
        ("snd 7k3m q9xw", "SND-7K3M-Q9XW"),
        ("7K3MQ9XW", "SND-7K3M-Q9XW"),
        ("SND-7K3M-Q9XO", "SND-7K3M-Q9X0"),  # O typed for zero
        ("SND-٧K٣M-Q٩XW", "SND-7K3M-Q9XW"),  # Arabic-Indic digits
        ("SND-7K3M", None),
        ("x" * 200, None),
        ("", None),
    ],
)
def test_reference_normalise(typed, expected):
    assert identifiers.reference_normalise(typed) == expected


def test_passphrase_new__has_at_least_64_bits():
    assert identifiers.PASSPHRASE_DIGITS * math.log2(10) >= 64
    phrase = identifiers.passphrase_new()
    assert len(phrase.replace(" ", "")) == 20


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("1234 5678 9012 3456 7890", True),
        ("12345678901234567890", True),
        ("١٢٣٤ ٥٦٧٨ ٩٠١٢ ٣٤٥٦ ٧٨٩٠", True),
        ("۱۲۳۴-۵۶۷۸-۹۰۱۲-۳۴۵۶-۷۸۹۰", True),
        ("1234", False),
        ("1" * 65, False),
    ],
)
def test_passphrase_normalise__any_digit_script(typed, ok):
    result = identifiers.passphrase_normalise(typed)
    assert (result == "12345678901234567890") if ok else result is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0770 123 4567", ("phone", "+9647701234567")),
        ("+964 770 123 4567", ("phone", "+9647701234567")),
        ("00964 770 123 4567", ("phone", "+9647701234567")),
        ("٠٧٧٠١٢٣٤٥٦٧", ("phone", "+9647701234567")),
        ("@Bad_Guy", ("handle", "bad_guy")),
        ("Bad_Guy", ("handle", "bad_guy")),
        ("https://www.facebook.com/Bad.Guy/?ref=x", ("url", "facebook.com/bad.guy")),
        ("m.facebook.com/bad.guy", ("url", "facebook.com/bad.guy")),
        ("instagram.com/badguy/", ("url", "instagram.com/badguy")),
        ("   ", None),
    ],
)
def test_suspect_identifier_normalise(raw, expected):
    assert identifiers.suspect_identifier_normalise(raw) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("٠٧٧٠ ١٢٣ ٤٥٦٧", "+9647701234567"),
        ("07701234567", "+9647701234567"),
        ("+964-770-123-4567", "+9647701234567"),
        ("", ""),
        ("call my sister", "call my sister"),
    ],
)
def test_phone_normalise__either_digit_set(typed, expected):
    assert identifiers.phone_normalise(typed) == expected
