"""Who is calling: every service verifies the caller's access token itself.

`TokenInterceptor` runs after the request-context interceptor on every service. For an
RPC that the protos do not mark `allow_anonymous`, it reads `authorization: Bearer
<token>` from the call's metadata, verifies it with `TokenVerifier` and sets the caller
(`shared.identity.caller_var`) for the handler; a missing, malformed, forged, expired or
revoked token is UNAUTHENTICATED. No identity is ever taken from plain metadata.

`TokenVerifier` is the one verification path of the mesh: the auth service answers
ValidateToken with it, and every interceptor uses it. It checks the signature and claims
(`shared.tokens.verify_token`) and then the revocation mark in Redis. The interceptor
checks revocation too, not only the edge: a caller who reaches a service directly (with
grpcurl, say) never passes the edge, and the edge caches a valid answer for up to two
seconds, so only the service's own check refuses a logged-out token at once everywhere.
It costs one Redis EXISTS per authenticated RPC. When Redis cannot answer, the call is
refused (SERVICE_UNAVAILABLE): a token that might be revoked is never accepted.

The public keys come from the auth service (GetPublicKeys) and are cached; a token that
names an unknown key id triggers a refetch, at most once per `MIN_REFRESH_SECONDS`, so
keys rotated in the auth service are picked up without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import grpc
import redis
from cnop.auth.v1 import auth_pb2, auth_pb2_grpc
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from grpc_interceptor import ServerInterceptor

from shared.clients import service_channel
from shared.contracts import method_policy
from shared.errors import ServiceUnavailable, Unauthenticated
from shared.identity import caller_var
from shared.interceptors import metadata_value
from shared.logs import user_id_var
from shared.redis_client import connect_redis
from shared.settings import Settings
from shared.tokens import (
    ALGORITHM,
    InvalidToken,
    KeyLookup,
    TokenClaims,
    TokenPolicy,
    load_public_key,
    revoked_key,
    verify_token,
)

logger = logging.getLogger(__name__)

AUTHORIZATION_HEADER = "authorization"
BEARER = "bearer"
MIN_REFRESH_SECONDS = 2.0  # at most one fetch of the keys per this, however many callers
MAX_KEY_AGE_SECONDS = 300.0  # refetch after this, so retired keys stop verifying
FETCH_TIMEOUT_SECONDS = 2.0

# The verified token of the RPC being served, for handlers that act on the token itself.
access_token_var: ContextVar[str | None] = ContextVar("access_token", default=None)

# Returns the current public keys by key id; raises when they cannot be fetched.
KeyFetch = Callable[[], dict[str, Ed25519PublicKey]]


def current_access_token() -> str:
    """The verified access token of the RPC being served; UNAUTHENTICATED when none."""
    token = access_token_var.get()
    if token is None:
        raise Unauthenticated("This operation needs a valid access token")
    return token


def bearer_token(authorization: str | None) -> str:
    """The token of an `authorization: Bearer <token>` value; UNAUTHENTICATED otherwise."""
    if not authorization:
        raise Unauthenticated("This operation needs an access token")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != BEARER or not token:
        raise Unauthenticated("Send the access token as 'Bearer <token>'")
    return token


class TokenVerifier:
    """Verifies access tokens: signature, claims, then revocation in Redis."""

    def __init__(self, keys: KeyLookup, redis_client: redis.Redis, policy: TokenPolicy) -> None:
        self._keys = keys
        self._redis = redis_client
        self._policy = policy

    def claims(self, token: str) -> TokenClaims:
        """The claims of a token with a valid signature and claims, revoked or not."""
        try:
            return verify_token(token, self._keys, self._policy)
        except InvalidToken as invalid:
            raise Unauthenticated(invalid.reason) from None

    def verify(self, token: str) -> TokenClaims:
        """The claims of a token that may be used now; UNAUTHENTICATED otherwise."""
        claims = self.claims(token)
        if self.is_revoked(claims.token_id):
            raise Unauthenticated("The access token has been revoked")
        return claims

    def is_revoked(self, token_id: str) -> bool:
        """Whether a token id is revoked; SERVICE_UNAVAILABLE when Redis cannot tell."""
        try:
            return bool(self._redis.exists(revoked_key(token_id)))
        except redis.RedisError:
            logger.warning("cannot check token revocation", extra={"event": "auth"})
            raise ServiceUnavailable(
                "Access tokens cannot be checked right now; try again shortly"
            ) from None


class PublicKeyCache:
    """The auth service's public keys by key id, fetched on demand and cached.

    The set is fetched on first use, again when a token names an unknown key id or the
    set is older than `MAX_KEY_AGE_SECONDS`, and never more than once per
    `MIN_REFRESH_SECONDS`, so tokens with made-up key ids cannot flood the auth service.
    """

    def __init__(self, fetch: KeyFetch, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._loaded_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = threading.Lock()

    def key(self, key_id: str) -> Ed25519PublicKey | None:
        """The key of `key_id`, or None; SERVICE_UNAVAILABLE while no key was ever fetched."""
        key = self._keys.get(key_id)
        if key is not None and not self._old():
            return key
        with self._lock:
            # Another thread may have refreshed the set while this one waited.
            key = self._keys.get(key_id)
            if (key is None or self._old()) and self._may_attempt():
                self._refresh()
                key = self._keys.get(key_id)
        if not self._keys:
            raise ServiceUnavailable("Access tokens cannot be checked right now; try again")
        return key

    def _old(self) -> bool:
        return self._loaded_at is None or self._clock() - self._loaded_at > MAX_KEY_AGE_SECONDS

    def _may_attempt(self) -> bool:
        return (
            self._attempted_at is None or self._clock() - self._attempted_at >= MIN_REFRESH_SECONDS
        )

    def _refresh(self) -> None:
        self._attempted_at = self._clock()
        try:
            keys = self._fetch()
        except grpc.RpcError as error:
            # Keep verifying with the keys we have, if any; try again later.
            logger.warning(
                "cannot fetch public keys: %s", error.code().name, extra={"event": "auth"}
            )
            return
        self._keys = keys
        self._loaded_at = self._clock()
        logger.info("public keys loaded: %s", sorted(keys), extra={"event": "auth"})


def auth_service_keys(settings: Settings) -> KeyFetch:
    """Fetches the verification keys from the auth service over gRPC."""
    stub = auth_pb2_grpc.AuthServiceStub(service_channel(settings, "auth"))

    def fetch() -> dict[str, Ed25519PublicKey]:
        reply = stub.GetPublicKeys(auth_pb2.GetPublicKeysRequest(), timeout=FETCH_TIMEOUT_SECONDS)
        return {
            key.key_id: load_public_key(key.public_key_pem)
            for key in reply.keys
            if key.algorithm == ALGORITHM
        }

    return fetch


class TokenInterceptor(ServerInterceptor):
    """Verifies the caller's token for every RPC that is not `allow_anonymous`."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self._verifier = verifier

    def intercept(
        self,
        method: Callable[..., Any],
        request_or_iterator: Any,
        context: grpc.ServicerContext,
        method_name: str,
    ) -> Any:
        policy = method_policy(method_name)
        if policy is None or policy.allow_anonymous:
            # Health, reflection and anonymous RPCs: no caller is set.
            return method(request_or_iterator, context)
        token = bearer_token(metadata_value(context, AUTHORIZATION_HEADER))
        claims = self._verifier.verify(token)
        caller = caller_var.set(claims.subject)
        # Left set for the RPC's log line; the request-context interceptor clears it.
        user_id_var.set(claims.subject)
        access_token = access_token_var.set(token)
        try:
            return method(request_or_iterator, context)
        finally:
            access_token_var.reset(access_token)
            caller_var.reset(caller)


def token_interceptor(
    settings: Settings, redis_client: redis.Redis | None = None
) -> TokenInterceptor:
    """The token interceptor of a service, with keys from the auth service."""
    keys = PublicKeyCache(auth_service_keys(settings))
    verifier = TokenVerifier(
        keys.key, redis_client or connect_redis(settings), TokenPolicy.from_settings(settings)
    )
    return TokenInterceptor(verifier)
