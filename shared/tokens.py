"""Access tokens as every CNOP process sees them: the claims, and their verification.

A CNOP access token is a JWT signed with Ed25519 (`alg` "EdDSA") whose header names the
signing key (`kid`) and whose payload carries `sub` (the lower-case username), `iat`,
`exp`, `jti` (a unique id that can be revoked), `iss`, `aud` and `token_use` ("access").
Only the auth service signs; the auth service and the token interceptor of every other
service verify with `verify_token`, the one verification path of the mesh.

Verification trusts nothing in the token before the signature checks out: the algorithm
must be on the allow-list (so "none", or HS256 keyed with a public key, never verify),
the key is chosen only from the caller's key set by `kid`, and every claim is required
and checked, with a small clock leeway. This module does no I/O: revocation is checked
by `shared.auth`, which also fetches the key set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.settings import Settings

ALGORITHM = "EdDSA"
ALLOWED_ALGORITHMS = [ALGORITHM]
TOKEN_USE_CLAIM = "token_use"  # noqa: S105 (a claim name, not a secret)
ACCESS_TOKEN_USE = "access"  # noqa: S105
REQUIRED_CLAIMS = ["sub", "iat", "exp", "jti", "iss", "aud", TOKEN_USE_CLAIM]
REVOKED_KEY_PREFIX = "cnop:revoked-token:"

# Finds the public key of a key id, or None when the key id is unknown.
KeyLookup = Callable[[str], Ed25519PublicKey | None]


class InvalidToken(Exception):
    """The token must not be accepted; `reason` is safe to show to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownKey(InvalidToken):
    """The token names a key id that is not in the key set."""


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """What a valid token must say about who issued it and for whom."""

    issuer: str
    audience: str
    leeway_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenPolicy:
        """The policy configured for this mesh."""
        return cls(settings.auth_issuer, settings.auth_audience, settings.auth_clock_leeway_seconds)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The verified claims of an access token."""

    subject: str
    token_id: str
    issued_at: int  # seconds since the epoch
    expires_at: int


def load_public_key(pem: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a PEM (SubjectPublicKeyInfo); ValueError for any other."""
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"expected an Ed25519 public key, got {type(key).__name__}")
    return key


def revoked_key(token_id: str) -> str:
    """The Redis key that marks a token id as revoked until the token expires."""
    return f"{REVOKED_KEY_PREFIX}{token_id}"


def verify_token(token: str, keys: KeyLookup, policy: TokenPolicy) -> TokenClaims:
    """The claims of a token with a valid signature and claims; InvalidToken otherwise.

    Raises UnknownKey when the signature cannot be checked because the token names a key
    id that `keys` does not know, so a caller can refresh its key set and try again.
    """
    key = keys(_key_id(token))
    if key is None:
        raise UnknownKey("The access token was signed by an unknown key")
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=ALLOWED_ALGORITHMS,
            audience=policy.audience,
            issuer=policy.issuer,
            leeway=policy.leeway_seconds,
            options={"require": REQUIRED_CLAIMS, "strict_aud": True},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("The access token has expired") from None
    except jwt.PyJWTError:
        raise InvalidToken("The access token is invalid") from None
    return _claims(payload)


def _key_id(token: str) -> str:
    """The key id of a token whose header names an allowed algorithm."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("The access token is malformed") from None
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise InvalidToken("The access token is invalid")
    key_id = header.get("kid")
    if not isinstance(key_id, str) or not key_id:
        raise InvalidToken("The access token is invalid")
    return key_id


def _claims(payload: dict[str, object]) -> TokenClaims:
    subject, token_id = payload["sub"], payload["jti"]
    if payload[TOKEN_USE_CLAIM] != ACCESS_TOKEN_USE:
        raise InvalidToken("The token is not an access token")
    if not isinstance(subject, str) or not subject or not isinstance(token_id, str) or not token_id:
        raise InvalidToken("The access token is invalid")
    return TokenClaims(
        subject=subject,
        token_id=token_id,
        issued_at=int(payload["iat"]),  # type: ignore[call-overload]
        expires_at=int(payload["exp"]),  # type: ignore[call-overload]
    )
