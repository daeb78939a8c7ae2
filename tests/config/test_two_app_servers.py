"""Two gunicorn app servers behind nginx (Debian's package) as a round-robin
proxy, sharing one PostgreSQL database and one S3 bucket (moto's server).

A victim files with evidence, follows up and writes; an officer logs in and
replies and opens the evidence; each request goes to whichever server nginx
picks (round robin), and the evidence is opened on each server directly.
Throttles and lockouts hold across both. (Stalled bodies behind nginx:
tests/security/test_slow_bodies.py.)
"""

from __future__ import annotations

import signal
from pathlib import Path

import pyotp
import pytest
from django.db import connection

from bench.sanad_http import Browser, JourneyError, file_report, followup_login, followup_ok
from tests.servers import (
    app_server_env,
    free_port,
    gunicorn_start,
    nginx_server,
    s3_bucket_new,
    s3_environment,
    stop,
)

pytestmark = [pytest.mark.multiserver, pytest.mark.django_db(transaction=True)]

OFFICER = "officer.two.servers"
STAFF_PASSWORD = "two app servers staff password 2026"
NARRATIVE = "canary-two-servers narrative"


def _needs_nginx_and_postgres():
    if not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (apt-get install nginx)")
    if connection.vendor != "postgresql":
        pytest.skip("two app servers share a PostgreSQL database (DATABASE_URL)")


@pytest.fixture
def officer(reference_data):
    """A National Security officer in Baghdad (where the reports are routed),
    with a password the production hasher (Argon2) can check and TOTP."""
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from casework.models import Governorate, Sex, StaffProfile, Unit
    from casework.services import staff_account_upsert

    profile = staff_account_upsert(
        username=OFFICER,
        first_name="Officer",
        role=StaffProfile.Role.OFFICER,
        sex=Sex.FEMALE,
        unit=Unit.objects.get(kind=Unit.Kind.NATIONAL_SECURITY),
        governorates=Governorate.objects.filter(code="baghdad"),
    )
    hasher = Argon2PasswordHasher()
    profile.user.password = hasher.encode(STAFF_PASSWORD, hasher.salt())
    profile.user.save(update_fields=["password"])
    device = TOTPDevice.objects.create(user=profile.user, name="authenticator", confirmed=True)
    import base64

    return pyotp.TOTP(base64.b32encode(bytes.fromhex(device.key)).decode())


@pytest.fixture
def two_servers(tmp_path, moto_endpoint, reference_data):
    _needs_nginx_and_postgres()
    env = app_server_env(
        bucket_env=s3_environment(moto_endpoint, s3_bucket_new(moto_endpoint)),
        SANAD_FILING_LIMIT_PER_CLIENT="3",
    )
    ports = [free_port(), free_port()]
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    servers = []
    try:
        for port, log in zip(ports, logs, strict=True):
            servers.append(gunicorn_start(port=port, env=env, workers=2, access_log=str(log)))
        with nginx_server(directory=tmp_path / "nginx", upstream_ports=ports) as proxy:
            yield proxy, [f"http://127.0.0.1:{port}" for port in ports], logs
    finally:
        for server in servers:
            stop(server, signal.SIGQUIT)


def _direct(browser: Browser, base: str) -> Browser:
    """The same browser (cookies) talking to one app server directly, as if
    TLS had ended in front of it."""
    clone = Browser(base)
    clone.jar = browser.jar
    clone.opener = browser.opener
    clone.extra_headers = {"X-Forwarded-Proto": "https"}
    return clone


def test_two_app_servers__whole_journey_alternating_loses_nothing(two_servers, officer):
    from casework.audit import audit_verify_chain
    from casework.models import Case, Evidence, Message

    proxy, servers, logs = two_servers
    chat = ("chat.txt", ("evidence canary line\n" * 3000).encode())

    victim = Browser(proxy)
    reference, passphrase = file_report(victim, narrative=NARRATIVE, files=[chat])
    case = Case.objects.get(reference=reference)
    assert Evidence.objects.filter(case=case).count() == 1
    assert case.assigned_officer.user.username == OFFICER

    # Follow-up, then a message from the victim: the session survives every hop.
    assert followup_ok(followup_login(victim, reference, passphrase))
    for number in range(4):
        page = victim.get("/en/follow-up/case/")
        assert page.status == 200 and reference in page.text
        sent = victim.post("/en/follow-up/case/message/", {"body": f"victim message {number}"})
        assert sent.status == 200 and sent.url.endswith("/follow-up/case/")

    # The officer logs in (two steps, two servers) and replies.
    staff = Browser(proxy)
    staff.get("/en/console/login/")
    step = staff.post("/en/console/login/", {"username": OFFICER, "password": STAFF_PASSWORD})
    assert step.status == 200 and "/login/verify/" in step.url
    verified = staff.post("/en/console/login/verify/", {"code": officer.now()})
    assert verified.status == 200 and verified.url.endswith("/en/console/"), verified.url
    case_url = f"/en/console/casework/case/{case.pk}/change/"
    for _ in range(2):
        assert NARRATIVE in staff.get(case_url).text
    reply = staff.post(f"/en/console/casework/case/{case.pk}/message/", {"body": "officer reply"})
    assert reply.status == 200

    # The evidence uploaded through the proxy opens on each server directly.
    evidence = Evidence.objects.get(case=case)
    for base in servers:
        direct = _direct(staff, base)
        assert NARRATIVE in direct.get(case_url).text
        opened = direct.post(
            f"/en/console/casework/case/{case.pk}/evidence/{evidence.pk}/open/",
            {"reason": "checking the chat export"},
        )
        assert opened.status == 200 and opened.body == chat[1]

    # The victim reads the reply, through the proxy again.
    again = Browser(proxy)
    assert followup_ok(followup_login(again, reference, passphrase))
    assert "officer reply" in again.get("/en/follow-up/case/").text

    assert Message.objects.filter(case=case).count() == 5
    assert audit_verify_chain() is None
    # Round robin really alternated: each server took a fair share.
    served = [len(log.read_text().splitlines()) for log in logs]
    assert min(served) >= 0.35 * sum(served), served


def test_two_app_servers__throttles_and_lockouts_hold_across_both(two_servers, officer):
    proxy, servers, _logs = two_servers
    victim = Browser(proxy)
    reference, passphrase = file_report(victim)
    file_report(Browser(proxy))
    file_report(Browser(proxy))
    with pytest.raises(JourneyError) as busy:  # 4th filing from this client, limit 3
        file_report(Browser(proxy))
    assert busy.value.status == 429

    guesser = Browser(proxy)
    for _ in range(5):
        assert not followup_ok(followup_login(guesser, reference, "1234 5678 9012 3456 7890"))
    # Locked on both servers, even with the right code.
    for base in servers:
        owner = _direct(Browser(base), base)
        refused = followup_login(owner, reference, passphrase)
        assert refused.status == 429  # the reference is locked (5 guesses; clients allow 20)
    assert followup_login(Browser(proxy), reference, passphrase).status == 429
