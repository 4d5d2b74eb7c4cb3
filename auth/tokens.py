"""Signing access tokens, and how long a revocation must be kept. No I/O.

Tokens are verified by `shared.tokens.verify_token`, the same function every service's
token interceptor uses, so the auth service and the mesh can never disagree on what a
valid token is. See `shared.tokens` for the claims.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from auth.keys import SigningKey
from shared.tokens import ACCESS_TOKEN_USE, ALGORITHM, TOKEN_USE_CLAIM, TokenClaims, TokenPolicy

TOKEN_TYPE = "bearer"  # noqa: S105 (the OAuth token type, not a secret)
MIN_REVOCATION_SECONDS = 1


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A signed token and the claims a caller needs to know about it."""

    token: str
    token_id: str
    issued_at: int  # seconds since the epoch
    expires_at: int


def sign_token(
    signing: SigningKey,
    subject: str,
    policy: TokenPolicy,
    ttl_seconds: int,
    now: int | None = None,
) -> IssuedToken:
    """A new access token for `subject`, valid for `ttl_seconds` from `now`."""
    issued_at = int(time.time()) if now is None else now
    token_id = uuid.uuid4().hex
    claims = {
        "sub": subject,
        "iat": issued_at,
        "exp": issued_at + ttl_seconds,
        "jti": token_id,
        "iss": policy.issuer,
        "aud": policy.audience,
        TOKEN_USE_CLAIM: ACCESS_TOKEN_USE,
    }
    token = jwt.encode(
        claims, signing.private_key, algorithm=ALGORITHM, headers={"kid": signing.key_id}
    )
    return IssuedToken(token, token_id, issued_at, issued_at + ttl_seconds)


def revocation_seconds(claims: TokenClaims, policy: TokenPolicy, now: int | None = None) -> int:
    """How long a revocation must be kept: until the token no longer verifies anyway."""
    current = int(time.time()) if now is None else now
    # Verification accepts a token up to the leeway past `exp`; outlive that by a second.
    remaining = claims.expires_at + policy.leeway_seconds + 1 - current
    return max(MIN_REVOCATION_SECONDS, remaining)
