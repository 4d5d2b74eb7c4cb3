"""The REST edge: an ASGI app that turns each HTTP request into one gRPC call.

For every request the edge takes or makes a request id, finds the route in the table
built from the protos (404 or 405 with `Allow` when there is none), checks the access
token through the auth service unless the method allows anonymous calls, transcodes
the JSON into the request message, calls the service with a deadline and forwards the
token, the request id and any `Idempotency-Key`, then writes the answer or the error as
JSON. One log line is written per request.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import grpc
from redis import asyncio as aioredis
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from edge.addresses import ClientAddresses
from edge.cors import CorsMiddleware
from edge.docs import READ_METHODS, ApiDocs
from edge.errors import JSON_TYPE, ApiError, from_cnop_error, from_rpc_error
from edge.metrics import metrics_page
from edge.ratelimit import RateLimiter, Verdict
from edge.routes import Match, Route, RouteTable, WrongMethod, build_route_table
from edge.telemetry import RequestTelemetry
from edge.tokens import TokenValidator, bearer_token
from edge.transcode import BadJson, json_to_message, message_to_json, parse_json
from edge.upstream import Upstreams
from shared.breaker import is_transport_failure
from shared.clients import breaker_for
from shared.errors import CnopError, ValidationFailed
from shared.interceptors import accept_request_id
from shared.logs import request_id_var, user_id_var
from shared.settings import SERVICES, Settings

logger = logging.getLogger("cnop.http")

REQUEST_ID_HEADER = "x-request-id"
IDEMPOTENCY_HEADER = "idempotency-key"
# The address of the HTTP client, for the user service's login lock-out.
CLIENT_ADDRESS_HEADER = "x-cnop-client-address"
# Printable ASCII only: gRPC metadata cannot carry anything else.
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,128}")
CORS_MAX_AGE_SECONDS = 600
# Response headers a browser client may read.
EXPOSED_HEADERS = [
    "X-Request-ID", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
    "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
]  # fmt: skip
REDIS_TIMEOUT_SECONDS = 0.5


class EdgeApp:
    """The ASGI application of the edge."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.routes: RouteTable = build_route_table()
        self.addresses = ClientAddresses(settings.edge_trusted_proxies)
        self.breakers = {service: breaker_for(settings, service) for service in SERVICES}
        self._deadline = settings.edge_default_deadline_seconds
        self._deadlines = settings.edge_route_deadlines
        self._operations = {"/health": self.health, **ApiDocs(self.routes).operations()}
        self._operations["/metrics"] = metrics_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request_token = request_id_var.set(request_id)
        telemetry = RequestTelemetry(request)
        started = time.perf_counter()
        template = "unmatched"
        try:
            operation = self._operations.get(request.url.path)
            if operation is not None:
                template = request.url.path
                _check_read_method(request)
                response = await operation(request)
            else:
                match = self._match(request)
                template = match.route.template
                response = await self._call(request, match, request_id)
        except ApiError as error:
            response = Response(error.body(request_id), error.status, error.headers, JSON_TYPE)
        except Exception:
            logger.exception("unhandled error", extra={"event": "error"})
            internal = ApiError(500, "INTERNAL", f"Internal error; quote request id {request_id}")
            response = Response(internal.body(request_id), 500, media_type=JSON_TYPE)
        response.headers["X-Request-ID"] = request_id
        await response(scope, receive, send)
        logger.info(
            "%s %s %d",
            request.method,
            template,
            response.status_code,
            extra={
                "event": "http",
                "method": request.method,
                "route": template,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            },
        )
        telemetry.finish(template, response.status_code)
        user_id_var.set(None)
        request_id_var.reset(request_token)

    def _match(self, request: Request) -> Match:
        found = self.routes.match(request.method, request.url.path)
        if found is None:
            raise ApiError(404, "NOT_FOUND", f"No route for {request.url.path}")
        if isinstance(found, WrongMethod):
            allowed = ", ".join(found.allowed)
            raise ApiError(
                405,
                "METHOD_NOT_ALLOWED",
                f"{request.method} is not allowed here; use {allowed}",
                headers={"Allow": allowed},
            )
        return found

    async def _call(self, request: Request, match: Match, request_id: str) -> Response:
        route = match.route
        policy = route.policy
        peer = request.client.host if request.client is not None else None
        client = self.addresses.client_of(peer, request.headers.get("x-forwarded-for"))
        # The address budget is checked first, before the auth service is asked anything.
        limits = await self.limiter.check(policy.rate_limit_class, f"ip:{client}")
        metadata: list[tuple[str, str]] = [
            (REQUEST_ID_HEADER, request_id),
            (CLIENT_ADDRESS_HEADER, client),
        ]
        if not policy.allow_anonymous:
            token = bearer_token(request.headers.get("authorization"))
            subject = await self.tokens.subject(token, request_id)
            user_id_var.set(subject)
            user_limits = await self.limiter.check(policy.rate_limit_class, f"user:{subject}")
            limits = _tighter(limits, user_limits)
            metadata.append(("authorization", f"Bearer {token}"))
        if policy.idempotent:
            key = _idempotency_key(request.headers)
            if key is not None:
                metadata.append((IDEMPOTENCY_HEADER, key))

        body = await self._json_body(request) if route.body else None
        try:
            message = json_to_message(route.request_class, body, match.path_params, _query(request))
        except ValidationFailed as failed:
            raise ApiError(422, failed.code, failed.message, failed.violations) from None

        reply = await self._invoke(route, message, metadata, request_id)
        response = _json_response(route, reply)
        if limits is not None:
            response.headers.update(limits.headers())
        return response

    async def _invoke(
        self, route: Route, message: Any, metadata: list[tuple[str, str]], request_id: str
    ) -> Any:
        """Calls the route's RPC through its upstream's breaker, within its deadline."""
        component = route.policy.component
        breaker = self.breakers[component]
        try:
            breaker.admit()
        except CnopError as refused:
            raise from_cnop_error(refused) from None
        try:
            reply = await self.upstreams.callable_for(route)(
                message, timeout=self._deadlines.get(route.policy.method.name, self._deadline),
                metadata=tuple(metadata),
            )  # fmt: skip
        except grpc.aio.AioRpcError as error:
            breaker.record(failed=is_transport_failure(error.code(), error.trailing_metadata()))
            raise from_rpc_error(error, component, request_id) from None
        breaker.record(failed=False)
        return reply

    async def _json_body(self, request: Request) -> Any:
        limit = self.settings.edge_max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        chunks = bytearray()
        async for chunk in request.stream():
            chunks.extend(chunk)
            if len(chunks) > limit:
                raise _too_large(limit)
        if not chunks.strip():
            return None  # an empty body is an empty request
        try:
            return parse_json(bytes(chunks))
        except BadJson:
            raise ApiError(400, "BAD_REQUEST", "The request body is not valid JSON") from None

    async def health(self, request: Request) -> Response:
        """Redis and every service's gRPC health, as `/health` reports them."""
        checks: dict[str, str] = {"redis": await self._redis_health()}
        for service in SERVICES:
            checks[service] = await self.upstreams.health(service)
        failing = {name for name, result in checks.items() if result != "ok"}
        if not failing:
            status, code = "healthy", 200
        elif failing.issuperset(SERVICES):
            status, code = "unhealthy", 503
        else:
            # Some routes still work: stay in the load balancer's rotation.
            status, code = "degraded", 200
        body = {"status": status, "service": "edge", "checks": checks}
        return Response(json.dumps(body), code, media_type=JSON_TYPE)

    async def _redis_health(self) -> str:
        try:
            await self.redis.ping()
        except Exception as error:
            return f"unreachable: {type(error).__name__}"
        return "ok"

    def _connect(self) -> None:
        # gRPC aio channels belong to the event loop that creates them: the server's.
        self.upstreams = Upstreams(self.settings)
        self.tokens = TokenValidator(self.upstreams.channels["auth"], self.breakers["auth"])
        self.redis = aioredis.Redis.from_url(
            self.settings.redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self.limiter = RateLimiter(self.settings, self.redis)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._connect()
                for route in self.routes.routes:
                    logger.info(
                        "route %s %s -> %s",
                        route.http_method,
                        route.template,
                        route.rpc_name,
                        extra={"event": "route", "http_method": route.http_method,
                               "path": route.template, "rpc": route.rpc_name},
                    )  # fmt: skip
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.upstreams.close()
                await self.redis.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _json_response(route: Route, reply: Any) -> Response:
    payload = message_to_json(reply)
    if route.response_body:
        payload = payload[route.response_body]
    return Response(
        json.dumps(payload, separators=(",", ":")), route.policy.success_status,
        media_type=JSON_TYPE,
    )  # fmt: skip


def _check_read_method(request: Request) -> None:
    """The edge's own pages (/health, /metrics, docs) are only read."""
    if request.method not in READ_METHODS:
        allowed = ", ".join(READ_METHODS)
        message = f"{request.method} is not allowed here; use {allowed}"
        raise ApiError(405, "METHOD_NOT_ALLOWED", message, headers={"Allow": allowed})


def _tighter(first: Verdict | None, second: Verdict | None) -> Verdict | None:
    """The verdict with fewer requests left, whose headers the response carries."""
    if first is None or second is None:
        return first or second
    return first if first.remaining <= second.remaining else second


def create_app(settings: Settings) -> ASGIApp:
    """The edge with CORS in front: preflights are answered here and go no further."""
    edge = EdgeApp(settings)
    return CorsMiddleware(
        edge,
        origins=settings.edge_cors_origins,
        methods=sorted({route.http_method for route in edge.routes.routes}),
        request_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        exposed_headers=EXPOSED_HEADERS,
        max_age_seconds=CORS_MAX_AGE_SECONDS,
    )


def _query(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def _idempotency_key(headers: Headers) -> str | None:
    key = headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
        raise ApiError(400, "BAD_REQUEST", "Idempotency-Key must be 1-128 printable characters")
    return key


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "PAYLOAD_TOO_LARGE", f"The request body is over {limit} bytes")
