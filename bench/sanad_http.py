"""A browser without JavaScript, in the standard library: cookies, CSRF tokens,
multipart uploads, and the victim's and officer's journeys through Sanad.

Used by bench/load_faults.py and by the deployment tests (two app servers
behind nginx). Loopback only: the Secure session cookie is sent back over
plain HTTP because TLS ends at the proxy in front.
"""

from __future__ import annotations

import http.cookiejar
import re
import uuid
from dataclasses import dataclass
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

REFERENCE = re.compile(r"SND-[0-9A-Z]{4}-[0-9A-Z]{4}")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The receipt shows the code once, in the element the practice run refers to.
SHOWN = re.compile(r'id="secret-code">([0-9][0-9 ]+[0-9])<')


class LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    def return_ok_secure(self, cookie, request):
        return True


@dataclass
class Response:
    status: int
    body: bytes
    url: str
    headers: dict

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "sanad" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode()
            )
    for field, filename, content in files:
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    def __init__(self, base: str, *, timeout: float = 30):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar(policy=LoopbackCookiePolicy())
        self.opener = build_opener(HTTPCookieProcessor(self.jar))
        self.token = ""
        self.extra_headers: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type=None
    ) -> Response:
        headers = {**self.extra_headers, **({"Origin": "null"} if method == "POST" else {})}
        if content_type:
            headers["Content-Type"] = content_type
        request = Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:  # noqa: S310
                result = Response(
                    response.status, response.read(), response.url, dict(response.headers)
                )
        except HTTPError as error:
            result = Response(error.code, error.read(), error.url, dict(error.headers))
            error.close()
        match = TOKEN.search(result.text)
        if match:
            self.token = match.group(1)
        return result

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(
        self, path: str, data: dict, files: list[tuple[str, str, bytes]] | None = None
    ) -> Response:
        fields = {"csrfmiddlewaretoken": self.token, **data}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = (
                urlencode(fields, doseq=True).encode(),
                "application/x-www-form-urlencoded",
            )
        return self.request("POST", path, body, content_type)


def file_report(
    browser: Browser,
    *,
    narrative: str = "load test",
    files: list[tuple[str, bytes]] = (),
    lang: str = "en",
) -> tuple[str, str]:
    """A whole report, step by step; returns (reference, passphrase) or raises."""
    steps = [
        ("what", {"category": "money_demand", "narrative": narrative, "next": "1"}),
        ("blackmailer", {"knows_blackmailer": "no", "identifiers": "@load.test", "next": "1"}),
    ]
    for slug, data in steps:
        browser.get(f"/{lang}/report/{slug}/")
        _expect(browser.post(f"/{lang}/report/{slug}/", data), f"step {slug}")
    if files:
        browser.get(f"/{lang}/report/evidence/")
        response = browser.post(
            f"/{lang}/report/evidence/",
            {"next": "1"},
            files=[("files", name, content) for name, content in files],
        )
        _expect(response, "evidence")
    browser.get(f"/{lang}/report/contact/")
    contact = {"contact_method": "messages_only", "governorate": "baghdad", "next": "1"}
    _expect(browser.post(f"/{lang}/report/contact/", contact), "contact")
    browser.get(f"/{lang}/report/check/")
    receipt = browser.post(f"/{lang}/report/send/", {})
    _expect(receipt, "send")
    reference = REFERENCE.search(receipt.text)
    shown = SHOWN.search(receipt.text)
    if not reference or not shown:
        raise JourneyError("send", receipt.status)
    return reference.group(0), shown.group(1)


def followup_login(browser: Browser, reference: str, passphrase: str, *, lang="en") -> Response:
    browser.get(f"/{lang}/follow-up/")
    return browser.post(f"/{lang}/follow-up/", {"reference": reference, "passphrase": passphrase})


def followup_ok(response: Response) -> bool:
    return response.status == 200 and response.url.endswith("/follow-up/case/")


class JourneyError(Exception):
    def __init__(self, step: str, status: int):
        super().__init__(f"{step}: HTTP {status}")
        self.step = step
        self.status = status


def _expect(response: Response, step: str) -> None:
    if response.status != 200:
        raise JourneyError(step, response.status)
