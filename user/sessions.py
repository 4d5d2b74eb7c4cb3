"""Access tokens for the user service, through the auth service: issue at login, revoke
at logout. The user service never signs or keeps a token itself."""

from __future__ import annotations

import grpc
from cnop.auth.v1 import auth_pb2, auth_pb2_grpc

from shared.clients import service_channel
from shared.errors import ServiceUnavailable, Unauthenticated
from shared.interceptors import INTERNAL_CREDENTIAL_HEADER
from shared.settings import Settings

UNAVAILABLE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


class Sessions:
    """Issues and revokes access tokens through the auth service."""

    def __init__(self, settings: Settings) -> None:
        self._auth = auth_pb2_grpc.AuthServiceStub(service_channel(settings, "auth"))
        self._credential = (
            (INTERNAL_CREDENTIAL_HEADER, settings.internal_secret.get_secret_value()),
        )

    def issue(self, username: str) -> auth_pb2.IssueTokenResponse:
        """A new access token for `username`, whose credentials were checked."""
        try:
            return self._auth.IssueToken(
                auth_pb2.IssueTokenRequest(subject=username), metadata=self._credential
            )
        except grpc.RpcError as error:
            raise _mapped(error) from None

    def revoke(self, access_token: str) -> None:
        """Revokes `access_token` until it would have expired."""
        try:
            self._auth.RevokeToken(auth_pb2.RevokeTokenRequest(access_token=access_token))
        except grpc.RpcError as error:
            raise _mapped(error) from None


def _mapped(error: grpc.RpcError) -> Exception:
    code = error.code()
    if code in UNAVAILABLE_CODES:
        return ServiceUnavailable("The auth service is unavailable; try again shortly")
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return Unauthenticated(error.details() or "The access token is invalid")
    return error
