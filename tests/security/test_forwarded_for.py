"""X-Forwarded-For is believed only from a configured proxy (casework.client).

Reached directly, gunicorn passed the client's own X-Forwarded-For on, so a
guesser could name a new address on every try and never hit a per-client lock.
"""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from casework.client import client_address
from tests.casework.console_fixtures import *  # noqa: F403
from tests.casework.console_fixtures import password_login

pytestmark = pytest.mark.django_db
LOCKED = "Too many attempts"


@pytest.fixture
def one_proxy(settings):
    settings.SANAD_TRUSTED_PROXY_COUNT = 1
    settings.SANAD_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]


@pytest.mark.parametrize(
    "peer, forwarded, seen",
    [
        ("10.1.2.3", "203.0.113.9", "203.0.113.9"),  # through the proxy
        ("10.1.2.3", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # forged entry on the left
        ("198.51.100.23", "203.0.113.9", "198.51.100.23"),  # straight to gunicorn
        ("198.51.100.23", "", "198.51.100.23"),
        ("not-an-address", "203.0.113.9", "not-an-address"),
    ],
)
def test_client_address__forwarded_for_only_from_a_trusted_proxy(one_proxy, peer, forwarded, seen):
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == seen


def test_console_login__a_direct_client_cannot_dodge_its_lock_with_forged_addresses(
    one_proxy, officer_baghdad
):
    username = officer_baghdad.user.username
    guesser = Client(REMOTE_ADDR="198.51.100.23")
    for number in range(5):
        guesser.defaults["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{number}"
        password_login(guesser, username, "guess")
    guesser.defaults["HTTP_X_FORWARDED_FOR"] = "192.0.2.99"
    assert LOCKED in password_login(guesser, username).content.decode()
