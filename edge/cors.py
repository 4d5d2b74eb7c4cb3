"""CORS for the edge: only origins on the allow-list may read its answers from a browser.

The header sets are computed once, so a request costs a dictionary lookup. Every
response carries `Vary: Origin`, because the same URL answers differently for different
origins and a shared cache must not hand one origin's answer to another. An allowed
origin gets `Access-Control-Allow-Origin` on every response, errors and 429s included,
since a browser lets a page read an error only then; any other origin gets no CORS
header at all. Preflights from an allowed origin are answered here and never reach a
service; other preflights fall through to the edge, which refuses them.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFLIGHT_STATUS = 204


class CorsMiddleware:
    """Adds CORS headers for allowed origins and answers their preflights."""

    def __init__(
        self,
        app: ASGIApp,
        origins: Iterable[str],
        methods: Iterable[str],
        request_headers: Iterable[str],
        exposed_headers: Iterable[str],
        max_age_seconds: int,
    ) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self.request_headers = frozenset(header.lower() for header in request_headers)
        self.preflight_headers = {
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Allow-Headers": ", ".join(sorted(self.request_headers)),
            "Access-Control-Max-Age": str(max_age_seconds),
            "Vary": "Origin",
        }
        self.exposed = ", ".join(exposed_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin in self.origins
        if allowed and scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin, headers, scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["Vary"] = "Origin"
                if allowed:
                    response_headers["Access-Control-Allow-Origin"] = str(origin)
                    response_headers["Access-Control-Expose-Headers"] = self.exposed
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(
        self, origin: str | None, headers: Headers, scope: Scope, receive: Receive, send: Send
    ) -> None:
        asked = {
            h.strip().lower() for h in headers.get("access-control-request-headers", "").split(",")
        }
        if not asked - {""} <= self.request_headers:
            # A header we do not accept: no CORS grant, so the browser stops here.
            await Response(status_code=PREFLIGHT_STATUS, headers={"Vary": "Origin"})(
                scope, receive, send
            )
            return
        grant = {**self.preflight_headers, "Access-Control-Allow-Origin": str(origin)}
        await Response(status_code=PREFLIGHT_STATUS, headers=grant)(scope, receive, send)
