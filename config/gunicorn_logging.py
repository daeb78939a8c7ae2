"""gunicorn's error log without client addresses or raw request lines.

gunicorn logs every malformed request as "Invalid request from ip=<address>:
<the request line as sent>", and an application error with the full URI. A
request line can carry anything the client typed (a phone number in a query
string), and the address identifies the person. This logger keeps the fact
and drops the rest.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from gunicorn.glogging import Logger

INVALID_REQUEST_PREFIX = "Invalid request from ip="
ERROR_HANDLING_REQUEST = ("Error handling request %s", "Error handling request %s %s")


class PrivateLogger(Logger):
    def warning(self, msg, *args, **kwargs):
        if isinstance(msg, str) and msg.startswith(INVALID_REQUEST_PREFIX):
            msg, args = "Invalid request refused (client and request line not logged)", ()
        super().warning(msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        super().exception(*_path_only(msg, args), **kwargs)

    def error(self, msg, *args, **kwargs):
        super().error(*_path_only(msg, args), **kwargs)


def _path_only(msg, args):
    """'Error handling request GET /x?phone=…' keeps only the method and path."""
    if msg in ERROR_HANDLING_REQUEST and args:
        *method, uri = args
        return (msg, *method, urlsplit(str(uri)).path)
    return (msg, *args)
