"""The AuthService RPCs: issue, validate and revoke access tokens, publish public keys."""

from __future__ import annotations

import hmac
import logging

import grpc
import redis
from cnop.auth.v1 import auth_pb2, auth_pb2_grpc
from google.protobuf import timestamp_pb2

from auth.keys import KeyRing, public_pem
from auth.tokens import TOKEN_TYPE, revocation_seconds, sign_token
from shared.auth import TokenVerifier
from shared.errors import PermissionDenied, ServiceUnavailable, ValidationFailed
from shared.interceptors import INTERNAL_CREDENTIAL_HEADER, metadata_value
from shared.settings import Settings
from shared.tokens import ALGORITHM, TokenPolicy, revoked_key

logger = logging.getLogger(__name__)

MAX_SUBJECT_LENGTH = 128
REVOKED_MARK = "1"


class AuthHandlers(auth_pb2_grpc.AuthServiceServicer):
    """Signs tokens with the ring's current key; keeps revocations in Redis."""

    def __init__(self, settings: Settings, ring: KeyRing, redis_client: redis.Redis) -> None:
        self._ring = ring
        self._redis = redis_client
        self._policy = TokenPolicy.from_settings(settings)
        self._ttl_seconds = settings.auth_token_ttl_seconds
        self._internal_secret = settings.internal_secret.get_secret_value().encode()
        self._verifier = TokenVerifier(ring.public_key, redis_client, self._policy)
        self._public_keys = [
            auth_pb2.PublicKey(key_id=key_id, algorithm=ALGORITHM, public_key_pem=public_pem(key))
            for key_id, key in ring.public_keys().items()
        ]

    def IssueToken(
        self, request: auth_pb2.IssueTokenRequest, context: grpc.ServicerContext
    ) -> auth_pb2.IssueTokenResponse:
        self._check_internal_caller(context)
        subject = request.subject
        if not subject or len(subject) > MAX_SUBJECT_LENGTH:
            raise ValidationFailed.field("subject", f"must be 1-{MAX_SUBJECT_LENGTH} characters")
        issued = sign_token(self._ring.signing, subject, self._policy, self._ttl_seconds)
        return auth_pb2.IssueTokenResponse(
            access_token=issued.token,
            token_type=TOKEN_TYPE,
            expires_in=issued.expires_at - issued.issued_at,
            expires_at=_timestamp(issued.expires_at),
        )

    def _check_internal_caller(self, context: grpc.ServicerContext) -> None:
        presented = metadata_value(context, INTERNAL_CREDENTIAL_HEADER) or ""
        if not hmac.compare_digest(presented.encode(), self._internal_secret):
            raise PermissionDenied("Only the user service may issue tokens")

    def ValidateToken(
        self, request: auth_pb2.ValidateTokenRequest, context: grpc.ServicerContext
    ) -> auth_pb2.ValidateTokenResponse:
        claims = self._verifier.verify(request.access_token)
        return auth_pb2.ValidateTokenResponse(
            subject=claims.subject,
            token_id=claims.token_id,
            expires_at=_timestamp(claims.expires_at),
        )

    def RevokeToken(
        self, request: auth_pb2.RevokeTokenRequest, context: grpc.ServicerContext
    ) -> auth_pb2.RevokeTokenResponse:
        # A revoked token may be revoked again, so only its signature and claims count.
        claims = self._verifier.claims(request.access_token)
        seconds = revocation_seconds(claims, self._policy)
        try:
            self._redis.set(revoked_key(claims.token_id), REVOKED_MARK, ex=seconds)
        except redis.RedisError:
            raise ServiceUnavailable("Tokens cannot be revoked right now; try again") from None
        logger.info("token revoked", extra={"event": "revoke", "token_id": claims.token_id})
        return auth_pb2.RevokeTokenResponse(token_id=claims.token_id)

    def GetPublicKeys(
        self, request: auth_pb2.GetPublicKeysRequest, context: grpc.ServicerContext
    ) -> auth_pb2.GetPublicKeysResponse:
        return auth_pb2.GetPublicKeysResponse(keys=self._public_keys)


def _timestamp(epoch_seconds: int) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=epoch_seconds)
