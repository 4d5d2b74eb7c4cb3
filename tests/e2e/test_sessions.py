"""Tokens through the real mesh: logout, forged and expired tokens, direct gRPC callers,
the login lock-out, key rotation, and the auth service's refusal to start without a key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import httpx
import jwt
import pytest
from cnop.auth.v1 import auth_pb2, auth_pb2_grpc
from cnop.inventory.v1 import inventory_pb2, inventory_pb2_grpc
from cnop.order.v1 import order_pb2, order_pb2_grpc
from cnop.user.v1 import user_pb2, user_pb2_grpc
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from auth.keys import private_pem, public_pem
from tests.e2e.accounts import (
    LOGIN,
    PASSWORD,
    PROFILE,
    bearer,
    client_from,
    login,
    new_username,
    register,
)
from tests.infra import free_port, wait_for_port
from tests.mesh import CNOP, Mesh, MeshFactory

LOGOUT = "/api/v1/auth/logout"
GRPCURL = str(Path(sys.executable).with_name("grpcurl"))
GET_PROFILE = "cnop.user.v1.UserService/GetProfile"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def grpc_profile(mesh: Mesh, token: str | None) -> user_pb2.GetProfileResponse:
    metadata = (("authorization", f"Bearer {token}"),) if token else ()
    with grpc.insecure_channel(mesh.addr("user")) as channel:
        stub = user_pb2_grpc.UserServiceStub(channel)
        return stub.GetProfile(user_pb2.GetProfileRequest(), metadata=metadata, timeout=5)


def grpc_code(call: Callable[[], object]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def grpcurl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GRPCURL, "-plaintext", *args], capture_output=True, text=True, timeout=30, check=False
    )


@pytest.fixture
def api(mesh: Mesh) -> Iterator[httpx.Client]:
    """A client of the session mesh from an address of its own (see `client_from`)."""
    with client_from(mesh.edge_url) as client:
        yield client


@pytest.fixture(scope="module")
def account(mesh: Mesh) -> dict[str, object]:
    with client_from(mesh.edge_url) as client:
        return register(client)


# ---------------------------------------------------------------------------------------
# Logout and revocation


def test_logout_revokes_the_token_at_once_everywhere(api: httpx.Client, mesh: Mesh) -> None:
    body = register(api)
    token, other = login(api, body["username"]), login(api, body["username"])
    assert api.get(PROFILE, headers=bearer(token)).status_code == 200

    reply = api.post(LOGOUT, headers=bearer(token))
    assert reply.status_code == 200, reply.text
    assert reply.json()["message"]

    # The edge may still hold its cached answer; every service checks revocation itself.
    for method, path in (("GET", PROFILE), ("GET", "/api/v1/balance"), ("GET", "/api/v1/orders"),
                         ("POST", LOGOUT)):  # fmt: skip
        refused = api.request(method, path, headers=bearer(token))
        assert refused.status_code == 401, f"{method} {path}: {refused.text}"
        assert refused.json()["error"] == "UNAUTHENTICATED"
    assert grpc_code(lambda: grpc_profile(mesh, token)) == grpc.StatusCode.UNAUTHENTICATED

    # The user's other sessions are untouched.
    assert api.get(PROFILE, headers=bearer(other)).status_code == 200


def test_logout_needs_a_token(api: httpx.Client) -> None:
    assert api.post(LOGOUT).status_code == 401
    assert api.post(LOGOUT, headers={"Authorization": "Basic abc"}).status_code == 401


# ---------------------------------------------------------------------------------------
# Forged tokens, checked by the edge and by the user service on its own


def dev_signing_key(mesh: Mesh) -> Ed25519PrivateKey:
    path = mesh.workdir / "data" / "auth" / "signing-key.pem"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key = load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def signed(key: Ed25519PrivateKey, kid: str, claims: dict[str, object]) -> str:
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})


def unsigned(header: dict[str, object], claims: dict[str, object]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def forge(kind: str, mesh: Mesh, real: str, other_user: str) -> str:
    """A token of `kind`, made from a real token of the mesh."""
    key, kid = dev_signing_key(mesh), jwt.get_unverified_header(real)["kid"]
    claims, now = claims_of(real), int(time.time())
    if kind == "control":  # signed with the real key: must be accepted
        return signed(key, kid, {**claims, "jti": uuid.uuid4().hex})
    if kind == "expired":
        return signed(key, kid, {**claims, "iat": now - 7200, "exp": now - 3600})
    if kind == "other key":
        return signed(Ed25519PrivateKey.generate(), kid, claims)
    if kind == "alg none":
        return unsigned({"alg": "none", "typ": "JWT", "kid": kid}, claims) + "."
    if kind == "hs256 with the public key":
        signing_input = unsigned({"alg": "HS256", "typ": "JWT", "kid": kid}, claims)
        secret = public_pem(key.public_key()).encode()
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(signature)}"
    if kind == "tampered payload":
        header, _, signature = real.split(".")
        body = b64(json.dumps({**claims, "sub": other_user}).encode())
        return f"{header}.{body}.{signature}"
    if kind == "wrong audience":
        return signed(key, kid, {**claims, "aud": "someone-else"})
    raise AssertionError(kind)


FORGERIES = ["expired", "other key", "alg none", "hs256 with the public key",
             "tampered payload", "wrong audience"]  # fmt: skip


@pytest.fixture(scope="module")
def real_token(mesh: Mesh, account: dict[str, object]) -> str:
    with client_from(mesh.edge_url) as client:
        return login(client, account["username"])


def test_a_token_made_with_the_real_key_is_accepted(
    api: httpx.Client, mesh: Mesh, real_token: str
) -> None:
    token = forge("control", mesh, real_token, new_username())
    assert api.get(PROFILE, headers=bearer(token)).status_code == 200
    assert grpc_profile(mesh, token).profile.username == claims_of(real_token)["sub"]


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_or_expired_token_is_refused_by_the_edge_and_the_service(
    api: httpx.Client, mesh: Mesh, real_token: str, kind: str
) -> None:
    other = register(api)
    token = forge(kind, mesh, real_token, str(other["username"]))
    reply = api.get(PROFILE, headers=bearer(token))
    assert reply.status_code == 401, reply.text
    assert reply.json()["error"] == "UNAUTHENTICATED"
    assert grpc_code(lambda: grpc_profile(mesh, token)) == grpc.StatusCode.UNAUTHENTICATED


# ---------------------------------------------------------------------------------------
# Straight to the services, past the edge


def test_grpcurl_without_a_token_is_unauthenticated(mesh: Mesh) -> None:
    result = grpcurl("-d", "{}", mesh.addr("user"), GET_PROFILE)
    assert result.returncode != 0
    assert "Unauthenticated" in result.stderr

    spoofed = grpcurl("-H", "x-cnop-user: admin", "-d", "{}", mesh.addr("user"), GET_PROFILE)
    assert "Unauthenticated" in spoofed.stderr


def test_grpcurl_with_a_token_gets_the_callers_own_profile(
    mesh: Mesh, account: dict[str, object], real_token: str
) -> None:
    result = grpcurl(
        "-H", f"authorization: Bearer {real_token}", "-d", "{}", mesh.addr("user"), GET_PROFILE
    )
    assert result.returncode == 0, result.stderr
    profile = json.loads(result.stdout)["profile"]
    assert profile["username"] == account["username"]
    assert profile["email"] == account["email"]


def test_every_service_checks_tokens_and_lets_anonymous_calls_through(
    mesh: Mesh, real_token: str
) -> None:
    metadata = (("authorization", f"Bearer {real_token}"),)
    with grpc.insecure_channel(mesh.addr("order")) as channel:
        orders = order_pb2_grpc.OrderServiceStub(channel)
        request = order_pb2.ListOrdersRequest()
        assert grpc_code(lambda: orders.ListOrders(request, timeout=5)) == (
            grpc.StatusCode.UNAUTHENTICATED
        )
        code = grpc_code(lambda: orders.ListOrders(request, metadata=metadata, timeout=5))
        assert code != grpc.StatusCode.UNAUTHENTICATED
    with grpc.insecure_channel(mesh.addr("inventory")) as channel:
        inventory = inventory_pb2_grpc.InventoryServiceStub(channel)
        assert inventory.ListAssets(inventory_pb2.ListAssetsRequest(), timeout=5).total_count > 0
    with grpc.insecure_channel(mesh.addr("auth")) as channel:
        keys = auth_pb2_grpc.AuthServiceStub(channel).GetPublicKeys(
            auth_pb2.GetPublicKeysRequest(), timeout=5
        )
    assert [key.key_id for key in keys.keys] == [jwt.get_unverified_header(real_token)["kid"]]
    assert keys.keys[0].algorithm == "EdDSA"
    assert keys.keys[0].public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")


def test_no_log_line_holds_a_token_a_password_or_an_email(api: httpx.Client, mesh: Mesh) -> None:
    body = register(api, phone="5550001111")
    token = login(api, body["username"])
    api.post(LOGIN, json={"username": body["username"], "password": "Not-The-Pass1"})
    api.put(PROFILE, headers=bearer(token), json={"email": f"x{body['email']}"})
    api.post(LOGOUT, headers=bearer(token))
    time.sleep(0.5)  # let the services flush their lines
    for component in ("edge", "auth", "user"):
        logs = mesh.logs(component)
        for secret in (token, token.split(".")[2], PASSWORD, "Not-The-Pass1", body["email"]):
            assert str(secret) not in logs, f"{component} logged {secret!r}"


# ---------------------------------------------------------------------------------------
# Brute-force protection, in a mesh with a tiny lock-out


LOCKOUT_SECONDS = 2


@pytest.fixture(scope="module")
def strict_mesh(mesh_factory: MeshFactory) -> Mesh:
    return mesh_factory(
        CNOP_LOGIN_MAX_FAILURES_PER_USERNAME="3",
        CNOP_LOGIN_MAX_FAILURES_PER_ADDRESS="5",
        CNOP_LOGIN_FAILURE_WINDOW_SECONDS="60",
        CNOP_LOGIN_LOCKOUT_SECONDS=str(LOCKOUT_SECONDS),
    )


def attempt(client: httpx.Client, username: object, password: str = PASSWORD) -> httpx.Response:
    return client.post(LOGIN, json={"username": username, "password": password})


def assert_locked(reply: httpx.Response) -> None:
    assert reply.status_code == 429, reply.text
    assert reply.json()["error"] == "RATE_LIMITED"
    assert 1 <= int(reply.headers["retry-after"]) <= LOCKOUT_SECONDS


def test_failed_logins_lock_the_username_until_the_cool_down_ends(strict_mesh: Mesh) -> None:
    with client_from(strict_mesh.edge_url) as one, client_from(strict_mesh.edge_url) as two:
        body = register(one)
        for _ in range(3):
            assert attempt(one, body["username"], "Wrong-Pass-1!").status_code == 401
        assert_locked(attempt(one, body["username"]))
        assert_locked(attempt(two, str(body["username"]).upper()))  # from anywhere, any case

        time.sleep(LOCKOUT_SECONDS + 0.5)
        assert attempt(two, body["username"]).status_code == 200


def test_failed_logins_lock_the_address_but_not_other_addresses(strict_mesh: Mesh) -> None:
    with (
        client_from(strict_mesh.edge_url) as guesser,
        client_from(strict_mesh.edge_url) as owner,
    ):
        body = register(owner)
        for _ in range(5):
            assert attempt(guesser, new_username()).status_code == 401
        assert_locked(attempt(guesser, body["username"]))
        assert attempt(owner, body["username"]).status_code == 200

        time.sleep(LOCKOUT_SECONDS + 0.5)
        assert attempt(guesser, body["username"]).status_code == 200


def test_a_successful_login_resets_the_username_count(strict_mesh: Mesh) -> None:
    with client_from(strict_mesh.edge_url) as client:
        body = register(client)
        for _ in range(2):
            assert attempt(client, body["username"], "Wrong-Pass-1!").status_code == 401
        assert attempt(client, body["username"]).status_code == 200
        for _ in range(2):
            assert attempt(client, body["username"], "Wrong-Pass-1!").status_code == 401
        assert attempt(client, body["username"]).status_code == 200


# ---------------------------------------------------------------------------------------
# Key rotation and key material


def key_settings(key: Ed25519PrivateKey, kid: str, **previous: Ed25519PrivateKey) -> dict[str, str]:
    return {
        "CNOP_AUTH_SIGNING_KEY": private_pem(key).decode(),
        "CNOP_AUTH_SIGNING_KEY_ID": kid,
        "CNOP_AUTH_PREVIOUS_PUBLIC_KEYS": json.dumps(
            {old_kid: public_pem(old.public_key()) for old_kid, old in previous.items()}
        ),
    }


def restart_auth(mesh: Mesh, env: dict[str, str]) -> None:
    mesh.stop("auth")
    mesh.env.update(env)
    mesh.start("auth")
    mesh.wait_healthy()


def test_tokens_of_the_previous_key_verify_after_a_rotation(mesh_factory: MeshFactory) -> None:
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    mesh = mesh_factory(**key_settings(first, "k1"))
    with client_from(mesh.edge_url) as api:
        body = register(api)
        old = login(api, body["username"])
        assert jwt.get_unverified_header(old)["kid"] == "k1"
        assert api.get(PROFILE, headers=bearer(old)).status_code == 200
        time.sleep(2.1)  # past the services' minimum interval between key fetches

        restart_auth(mesh, key_settings(second, "k2", k1=first))
        new = login(api, body["username"])
        assert jwt.get_unverified_header(new)["kid"] == "k2"
        for token in (old, new):
            assert api.get(PROFILE, headers=bearer(token)).status_code == 200
            assert grpc_profile(mesh, token).profile.username == body["username"]

        # Once the previous key is retired, its tokens are refused.
        restart_auth(mesh, key_settings(second, "k2"))
        time.sleep(2.1)  # past the edge's cache of valid answers
        assert api.get(PROFILE, headers=bearer(old)).status_code == 401
        assert api.get(PROFILE, headers=bearer(new)).status_code == 200


@pytest.fixture
def auth_env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    port = free_port()
    return {
        **os.environ,
        "CNOP_ENV": "production",
        "CNOP_CURSOR_SECRET": "a-production-cursor-secret",
        "CNOP_INTERNAL_SECRET": "a-production-internal-secret",
        "CNOP_AUTH_ADDR": f"127.0.0.1:{port}",
        "CNOP_REDIS_URL": redis_url,
        "CNOP_DATA_DIR": str(tmp_path),
    }


def test_outside_development_auth_refuses_to_start_without_a_key(
    auth_env: dict[str, str], tmp_path: Path
) -> None:
    result = subprocess.run(
        [CNOP, "serve", "auth"], env=auth_env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "CNOP_AUTH_SIGNING_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "auth").exists()  # no development key made either


def test_outside_development_auth_starts_with_a_configured_key(auth_env: dict[str, str]) -> None:
    env = {**auth_env, **key_settings(Ed25519PrivateKey.generate(), "prod-1")}
    process = subprocess.Popen(
        [CNOP, "serve", "auth"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port("127.0.0.1", int(env["CNOP_AUTH_ADDR"].rsplit(":", 1)[1]), 60)
    finally:
        process.terminate()
        process.wait(15)
