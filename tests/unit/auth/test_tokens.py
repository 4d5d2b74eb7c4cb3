"""Signing and verifying access tokens, including forged ones and key rotation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auth.keys import KeyRing, SigningKey, key_id_of, public_pem
from auth.tokens import revocation_seconds, sign_token
from shared.tokens import (
    InvalidToken,
    TokenClaims,
    TokenPolicy,
    UnknownKey,
    verify_token,
)

POLICY = TokenPolicy(issuer="cnop-auth", audience="cnop", leeway_seconds=5)
TTL = 3600


def new_signing_key() -> SigningKey:
    private_key = Ed25519PrivateKey.generate()
    return SigningKey(key_id_of(private_key.public_key()), private_key)


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing(new_signing_key())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def resign(ring: KeyRing, **changes: object) -> str:
    """A token signed with the ring's key whose claims differ from a valid one's."""
    claims = claims_of(sign_token(ring.signing, "alice_01", POLICY, TTL).token)
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not None}
    headers = {"kid": ring.signing.key_id}
    return jwt.encode(claims, ring.signing.private_key, algorithm="EdDSA", headers=headers)


def test_a_signed_token_verifies_with_every_claim(ring: KeyRing) -> None:
    issued = sign_token(ring.signing, "alice_01", POLICY, TTL, now=int(time.time()))
    claims = verify_token(issued.token, ring.public_key, POLICY)
    assert claims == TokenClaims("alice_01", issued.token_id, issued.issued_at, issued.expires_at)
    assert issued.expires_at - issued.issued_at == TTL
    header = jwt.get_unverified_header(issued.token)
    assert header["alg"] == "EdDSA"
    assert header["kid"] == ring.signing.key_id
    payload = claims_of(issued.token)
    assert set(payload) == {"sub", "iat", "exp", "jti", "iss", "aud", "token_use"}
    assert payload["token_use"] == "access"
    assert (payload["iss"], payload["aud"]) == ("cnop-auth", "cnop")


def test_every_token_has_its_own_id(ring: KeyRing) -> None:
    ids = {sign_token(ring.signing, "alice_01", POLICY, TTL).token_id for _ in range(20)}
    assert len(ids) == 20


def test_an_expired_token_is_refused(ring: KeyRing) -> None:
    issued = sign_token(ring.signing, "alice_01", POLICY, 60, now=int(time.time()) - 120)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(issued.token, ring.public_key, POLICY)


def test_a_token_just_past_expiry_is_accepted_within_the_leeway(ring: KeyRing) -> None:
    issued = sign_token(ring.signing, "alice_01", POLICY, 60, now=int(time.time()) - 62)
    assert verify_token(issued.token, ring.public_key, POLICY).subject == "alice_01"


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "someone-else"},
        {"aud": "other-audience"},
        {"aud": ["cnop", "other"]},
        {"token_use": "refresh"},
        {"iat": int(time.time()) + 600},
        {"sub": ""},
        {"sub": 42},
        {"jti": ""},
        {"sub": None},
        {"jti": None},
        {"exp": None},
        {"iat": None},
        {"iss": None},
        {"aud": None},
        {"token_use": None},
    ],
)
def test_a_token_with_a_wrong_or_missing_claim_is_refused(
    ring: KeyRing, changes: dict[str, object]
) -> None:
    with pytest.raises(InvalidToken):
        verify_token(resign(ring, **changes), ring.public_key, POLICY)


def test_a_token_signed_by_another_key_with_the_same_key_id_is_refused(ring: KeyRing) -> None:
    impostor = SigningKey(ring.signing.key_id, Ed25519PrivateKey.generate())
    forged = sign_token(impostor, "alice_01", POLICY, TTL).token
    with pytest.raises(InvalidToken, match="invalid"):
        verify_token(forged, ring.public_key, POLICY)


def test_a_token_naming_an_unknown_key_is_refused(ring: KeyRing) -> None:
    stranger = sign_token(new_signing_key(), "alice_01", POLICY, TTL).token
    with pytest.raises(UnknownKey):
        verify_token(stranger, ring.public_key, POLICY)


def test_a_token_without_a_key_id_is_refused(ring: KeyRing) -> None:
    claims = claims_of(sign_token(ring.signing, "alice_01", POLICY, TTL).token)
    token = jwt.encode(claims, ring.signing.private_key, algorithm="EdDSA")
    with pytest.raises(InvalidToken):
        verify_token(token, ring.public_key, POLICY)


def test_an_unsigned_token_is_refused(ring: KeyRing) -> None:
    claims = claims_of(sign_token(ring.signing, "alice_01", POLICY, TTL).token)
    header = {"alg": "none", "typ": "JWT", "kid": ring.signing.key_id}
    token = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}."
    with pytest.raises(InvalidToken):
        verify_token(token, ring.public_key, POLICY)


def test_an_hs256_token_keyed_with_the_public_key_is_refused(ring: KeyRing) -> None:
    claims = claims_of(sign_token(ring.signing, "alice_01", POLICY, TTL).token)
    header = {"alg": "HS256", "typ": "JWT", "kid": ring.signing.key_id}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    secret = public_pem(ring.signing.public_key).encode()
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidToken):
        verify_token(f"{signing_input}.{b64(signature)}", ring.public_key, POLICY)


def test_a_tampered_payload_is_refused(ring: KeyRing) -> None:
    header, _, signature = sign_token(ring.signing, "alice_01", POLICY, TTL).token.split(".")
    claims = claims_of(sign_token(ring.signing, "alice_01", POLICY, TTL).token)
    claims["sub"] = "mallory_01"
    tampered = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"
    with pytest.raises(InvalidToken, match="invalid"):
        verify_token(tampered, ring.public_key, POLICY)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x.y.z", "...."])
def test_garbage_is_refused(ring: KeyRing, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        verify_token(garbage, ring.public_key, POLICY)


def test_tokens_of_the_previous_key_verify_after_a_rotation() -> None:
    old = new_signing_key()
    old_token = sign_token(old, "alice_01", POLICY, TTL).token
    rotated = KeyRing(new_signing_key(), previous={old.key_id: old.public_key})
    new_token = sign_token(rotated.signing, "bob_0001", POLICY, TTL).token

    assert verify_token(old_token, rotated.public_key, POLICY).subject == "alice_01"
    assert verify_token(new_token, rotated.public_key, POLICY).subject == "bob_0001"
    assert list(rotated.public_keys()) == [rotated.signing.key_id, old.key_id]

    retired = KeyRing(rotated.signing)
    with pytest.raises(UnknownKey):
        verify_token(old_token, retired.public_key, POLICY)


def test_a_revocation_outlives_the_token_and_its_leeway(ring: KeyRing) -> None:
    now = int(time.time())
    issued = sign_token(ring.signing, "alice_01", POLICY, TTL, now=now)
    claims = verify_token(issued.token, ring.public_key, POLICY)
    assert revocation_seconds(claims, POLICY, now=now) == TTL + POLICY.leeway_seconds + 1
    assert revocation_seconds(claims, POLICY, now=now + 10 * TTL) == 1
