"""The token interceptor every service runs, its verifier and its key cache (no I/O)."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
import redis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from auth.keys import KeyRing, SigningKey, key_id_of
from auth.tokens import sign_token
from shared import auth
from shared.auth import (
    MIN_REFRESH_SECONDS,
    PublicKeyCache,
    TokenInterceptor,
    TokenVerifier,
    bearer_token,
)
from shared.errors import ServiceUnavailable, Unauthenticated
from shared.identity import caller_var, current_user
from shared.tokens import TokenPolicy, revoked_key

POLICY = TokenPolicy(issuer="cnop-auth", audience="cnop", leeway_seconds=5)
PROTECTED = "/cnop.user.v1.UserService/GetProfile"
ANONYMOUS = "/cnop.user.v1.UserService/Login"


class FakeRedis:
    """Just enough of redis.Redis for revocation checks."""

    def __init__(self, revoked: set[str] | None = None, down: bool = False) -> None:
        self.revoked = revoked or set()
        self.down = down

    def exists(self, key: str) -> int:
        if self.down:
            raise redis.ConnectionError("down")
        return int(key in self.revoked)


class FakeContext:
    def __init__(self, metadata: tuple[tuple[str, str], ...]) -> None:
        self._metadata = metadata

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def new_ring() -> KeyRing:
    private_key = Ed25519PrivateKey.generate()
    return KeyRing(SigningKey(key_id_of(private_key.public_key()), private_key))


def verifier(ring: KeyRing, store: FakeRedis) -> TokenVerifier:
    return TokenVerifier(ring.public_key, store, POLICY)  # type: ignore[arg-type]


def test_a_valid_token_verifies_and_a_revoked_one_does_not() -> None:
    ring, store = new_ring(), FakeRedis()
    issued = sign_token(ring.signing, "alice_01", POLICY, 60)
    assert verifier(ring, store).verify(issued.token).subject == "alice_01"
    store.revoked.add(revoked_key(issued.token_id))
    with pytest.raises(Unauthenticated, match="revoked"):
        verifier(ring, store).verify(issued.token)
    assert verifier(ring, store).claims(issued.token).token_id == issued.token_id


def test_revocation_that_cannot_be_checked_refuses_the_token() -> None:
    ring = new_ring()
    token = sign_token(ring.signing, "alice_01", POLICY, 60).token
    with pytest.raises(ServiceUnavailable):
        verifier(ring, FakeRedis(down=True)).verify(token)


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("BEARER abc", "abc")],
)
def test_bearer_tokens_are_read_from_the_authorization_value(header: str, token: str) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "abc"])
def test_an_authorization_value_without_a_bearer_token_is_refused(header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        bearer_token(header)


def intercept(interceptor: TokenInterceptor, method_name: str, *metadata: tuple[str, str]) -> Any:
    def handler(request: object, context: object) -> str:
        return current_user()

    return interceptor.intercept(handler, object(), FakeContext(metadata), method_name)


def test_the_interceptor_sets_the_caller_of_a_protected_rpc_and_resets_it() -> None:
    ring = new_ring()
    token = sign_token(ring.signing, "alice_01", POLICY, 60).token
    interceptor = TokenInterceptor(verifier(ring, FakeRedis()))
    assert intercept(interceptor, PROTECTED, ("authorization", f"Bearer {token}")) == "alice_01"
    assert caller_var.get() is None


@pytest.mark.parametrize(
    "metadata",
    [
        (),
        (("authorization", "Bearer not-a-token"),),
        (("x-cnop-user", "alice_01"),),  # an identity in plain metadata counts for nothing
    ],
)
def test_the_interceptor_refuses_a_protected_rpc_without_a_valid_token(
    metadata: tuple[tuple[str, str], ...],
) -> None:
    interceptor = TokenInterceptor(verifier(new_ring(), FakeRedis()))
    with pytest.raises(Unauthenticated):
        intercept(interceptor, PROTECTED, *metadata)


def test_the_interceptor_lets_anonymous_and_unknown_rpcs_through_without_a_caller() -> None:
    interceptor = TokenInterceptor(verifier(new_ring(), FakeRedis()))
    for method_name in (ANONYMOUS, "/grpc.health.v1.Health/Check"):
        with pytest.raises(Unauthenticated):  # the handler finds no caller
            intercept(interceptor, method_name)


class KeySource:
    """The auth service's key set as the cache fetches it, counting fetches."""

    def __init__(self, *keys: tuple[str, Ed25519PublicKey]) -> None:
        self.keys = dict(keys)
        self.fetches = 0
        self.failing = False

    def __call__(self) -> dict[str, Ed25519PublicKey]:
        self.fetches += 1
        if self.failing:
            raise FailedCall()
        return dict(self.keys)


class FailedCall(grpc.RpcError):
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE


def test_the_key_cache_fetches_once_and_refetches_an_unknown_key_at_a_limited_rate() -> None:
    first, second = new_ring(), new_ring()
    source = KeySource((first.signing.key_id, first.signing.public_key))
    clock = Clock()
    cache = PublicKeyCache(source, clock)

    assert cache.key(first.signing.key_id) is not None
    assert cache.key(first.signing.key_id) is not None
    assert source.fetches == 1

    # A rotation: the new key appears in the auth service; the first lookup refetches.
    source.keys[second.signing.key_id] = second.signing.public_key
    clock.now += MIN_REFRESH_SECONDS
    assert cache.key(second.signing.key_id) is not None
    assert source.fetches == 2

    # Made-up key ids cost at most one fetch per interval.
    for _ in range(50):
        assert cache.key("made-up") is None
    assert source.fetches == 2
    clock.now += MIN_REFRESH_SECONDS
    assert cache.key("made-up") is None
    assert source.fetches == 3


def test_old_keys_are_refetched_so_retired_keys_stop_verifying() -> None:
    ring = new_ring()
    source = KeySource((ring.signing.key_id, ring.signing.public_key))
    clock = Clock()
    cache = PublicKeyCache(source, clock)
    assert cache.key(ring.signing.key_id) is not None
    source.keys.clear()
    source.keys["newer"] = new_ring().signing.public_key
    clock.now += auth.MAX_KEY_AGE_SECONDS + 1
    assert cache.key(ring.signing.key_id) is None


def test_without_any_key_the_cache_reports_the_auth_service_unavailable() -> None:
    source = KeySource()
    source.failing = True
    cache = PublicKeyCache(source, Clock())
    with pytest.raises(ServiceUnavailable):
        cache.key("any")


def test_a_failed_refresh_keeps_the_keys_already_known() -> None:
    ring = new_ring()
    source = KeySource((ring.signing.key_id, ring.signing.public_key))
    clock = Clock()
    cache = PublicKeyCache(source, clock)
    assert cache.key(ring.signing.key_id) is not None
    source.failing = True
    clock.now += auth.MAX_KEY_AGE_SECONDS + 1
    assert cache.key(ring.signing.key_id) is not None
