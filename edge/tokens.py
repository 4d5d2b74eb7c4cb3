"""Access-token checks at the edge, through the auth service.

A valid answer is cached for a couple of seconds in a bounded cache, so a burst of
requests with one token costs one call to the auth service, while a revoked token is
refused everywhere within `CACHE_SECONDS` (well inside the 5 s the API promises).
Failures are never cached.
"""

from __future__ import annotations

import hashlib
import re
import time

import grpc
from cachetools import TTLCache
from cnop.auth.v1 import auth_pb2, auth_pb2_grpc

from edge.errors import ApiError, from_cnop_error, from_rpc_error
from shared.breaker import CircuitBreaker, is_transport_failure
from shared.errors import CnopError

CACHE_SECONDS = 2.0
CACHE_ENTRIES = 10_000
VALIDATE_TIMEOUT_SECONDS = 2.0
BEARER = "bearer"
# A JWT is three base64url parts; anything else is no token of ours, and bytes outside
# ASCII could not even travel on to the services as gRPC metadata.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*", re.ASCII)


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header; 401 when there is none."""
    if not authorization:
        raise ApiError(401, "UNAUTHENTICATED", "This operation needs an access token")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != BEARER or not TOKEN_PATTERN.fullmatch(token):
        raise ApiError(401, "UNAUTHENTICATED", "Send the access token as 'Bearer <token>'")
    return token


class TokenValidator:
    """Validates tokens through the auth service, with a short bounded cache."""

    def __init__(self, channel: grpc.aio.Channel, breaker: CircuitBreaker) -> None:
        self._stub = auth_pb2_grpc.AuthServiceStub(channel)
        self._breaker = breaker
        self._cache: TTLCache[str, str] = TTLCache(
            maxsize=CACHE_ENTRIES, ttl=CACHE_SECONDS, timer=time.monotonic
        )

    async def subject(self, token: str, request_id: str) -> str:
        """The user the token belongs to; raises a 401 `ApiError` when it is not valid."""
        key = hashlib.sha256(token.encode()).hexdigest()  # never keep raw tokens around
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            self._breaker.admit()
        except CnopError as refused:
            raise from_cnop_error(refused) from None
        try:
            reply = await self._stub.ValidateToken(
                auth_pb2.ValidateTokenRequest(access_token=token),
                timeout=VALIDATE_TIMEOUT_SECONDS,
                metadata=(("x-request-id", request_id),),
            )
        except grpc.aio.AioRpcError as error:
            self._breaker.record(
                failed=is_transport_failure(error.code(), error.trailing_metadata())
            )
            raise from_rpc_error(error, "auth", request_id) from None
        self._breaker.record(failed=False)
        self._cache[key] = reply.subject
        return str(reply.subject)
