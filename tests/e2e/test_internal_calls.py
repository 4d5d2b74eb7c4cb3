"""Calls only other CNOP services may make, refused to anyone else who reaches them."""

from __future__ import annotations

import grpc
import pytest
from cnop.auth.v1 import auth_pb2, auth_pb2_grpc

from shared.interceptors import INTERNAL_CREDENTIAL_HEADER
from shared.settings import DEVELOPMENT_INTERNAL_SECRET
from tests.mesh import Mesh


def issue_token(mesh: Mesh, metadata: tuple[tuple[str, str], ...]) -> auth_pb2.IssueTokenResponse:
    with grpc.insecure_channel(mesh.addr("auth")) as channel:
        stub = auth_pb2_grpc.AuthServiceStub(channel)
        return stub.IssueToken(
            auth_pb2.IssueTokenRequest(subject="someone_else"), metadata=metadata, timeout=5
        )


@pytest.mark.parametrize("credential", [None, "guessed", DEVELOPMENT_INTERNAL_SECRET[:-1]])
def test_nobody_but_the_user_service_can_mint_a_token(mesh: Mesh, credential: str | None) -> None:
    metadata = ((INTERNAL_CREDENTIAL_HEADER, credential),) if credential else ()
    with pytest.raises(grpc.RpcError) as refused:
        issue_token(mesh, metadata)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_user_services_credential_is_accepted(mesh: Mesh) -> None:
    reply = issue_token(mesh, ((INTERNAL_CREDENTIAL_HEADER, DEVELOPMENT_INTERNAL_SECRET),))
    assert reply.token_type == "bearer"
    assert reply.access_token.count(".") == 2
