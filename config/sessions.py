"""Django's session middleware, minus one failure: when the database is down
the session cannot be loaded, and saving it afterwards raised AttributeError
(the "try again" page became a bare 500). A session that never loaded has
nothing to save."""

from __future__ import annotations

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not hasattr(session, "_session_cache"):
            return response
        return super().process_response(request, response)
