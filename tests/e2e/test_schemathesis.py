"""The live edge against its own OpenAPI document, with generated requests (schemathesis).

Every operation of the document is called with requests that schemathesis generates from
it, valid ones and invalid ones; protected operations carry the token of a registered
user. No answer may be a server error (5xx), have a status the document does not list
for the operation, or have a body that breaks the documented schema.

A scripted journey first calls every operation with valid data, so that each success
schema is checked against a real answer too (random data rarely names an asset or an
order that exists).

The run is bounded: a few examples per operation and mode, no shrinking, no coverage
phase, and derandomized generation, so a failure in CI replays. A failure names the operation and
gives the `curl` command that reproduces it.

Fuzzing revokes tokens, fails logins and spends rate budgets, so it runs on a mesh of its
own, with budgets that do not get in its way and a client address (sent through a
trusted X-Forwarded-For) that no other test shares. The operations are driven with
Hypothesis directly rather than through `schemathesis.pytest.from_fixture`, whose
subtests break on pytest 9.2 (`_nodeid`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (  # registered checks, looked up by name
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from edge.openapi import build_openapi
from edge.routes import build_route_table
from tests.e2e.accounts import PASSWORD, registration
from tests.e2e.users import register_and_login
from tests.mesh import Mesh, MeshFactory

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
GENEROUS = "100000"
# Built offline, so every operation is its own test; the live document is the one fuzzed.
OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in build_openapi(build_route_table())["paths"].items()
    for method in item
)
# Operations that end the session of the token they carry get a user of their own.
REVOKING = {("POST", "/api/v1/auth/logout")}


@pytest.fixture(scope="module")
def fuzz_mesh(mesh_factory: MeshFactory) -> Mesh:
    return mesh_factory(
        CNOP_EDGE_TRUSTED_PROXIES='["127.0.0.1"]',
        CNOP_RATE_LIMIT_READ_PER_MINUTE=GENEROUS,
        CNOP_RATE_LIMIT_ACCOUNT_PER_MINUTE=GENEROUS,
        CNOP_RATE_LIMIT_TRADE_PER_MINUTE=GENEROUS,
        CNOP_LOGIN_MAX_FAILURES_PER_USERNAME=GENEROUS,
        CNOP_LOGIN_MAX_FAILURES_PER_ADDRESS=GENEROUS,
    )


@pytest.fixture(scope="module")
def client_headers() -> dict[str, str]:
    """A client address of this run's own, from the documentation range."""
    return {"X-Forwarded-For": f"2001:db8::{uuid.uuid4().hex[:4]}"}


@pytest.fixture(scope="module")
def fuzz_client(fuzz_mesh: Mesh, client_headers: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzz_mesh.edge_url, headers=client_headers, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def edge_schema(fuzz_mesh: Mesh) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {"base-url": fuzz_mesh.edge_url, "cache": {"enabled": False}}
    )
    return schemathesis.openapi.from_url(f"{fuzz_mesh.edge_url}/openapi.json", config=config)


@pytest.fixture(scope="module")
def auth(fuzz_client: httpx.Client) -> dict[str, str]:
    return register_and_login(fuzz_client)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_edge_keeps_to_its_document(
    edge_schema: schemathesis.BaseSchema,
    fuzz_client: httpx.Client,
    client_headers: dict[str, str],
    auth: dict[str, str],
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    operation = edge_schema[path][method]
    headers = dict(client_headers)
    if operation.definition.raw.get("security"):
        fresh = (method, path) in REVOKING
        headers.update(register_and_login(fuzz_client) if fresh else auth)

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: keep the run bounded
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def exercise(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    exercise()


def test_every_operation_answers_by_its_document_on_the_happy_path(
    edge_schema: schemathesis.BaseSchema, client_headers: dict[str, str]
) -> None:
    called: set[tuple[str, str]] = set()

    def call(method: str, path: str, headers: dict[str, str] | None = None, **parts: Any) -> Any:
        case = edge_schema[path][method].Case(**parts)
        reply = case.call_and_validate(headers={**client_headers, **(headers or {})}, checks=CHECKS)
        assert 200 <= reply.status_code < 300, (method, path, reply.text)
        called.add((method, path))
        try:
            return reply.json()
        except ValueError:  # /metrics and /docs are not JSON
            return None

    account = registration(date_of_birth="1990-04-01", marketing_emails_consent=True)
    call("POST", "/api/v1/auth/register", body=account)
    credentials = {"username": account["username"], "password": PASSWORD}
    login = call("POST", "/api/v1/auth/login", body=credentials)
    auth = {"Authorization": f"Bearer {login['access_token']}"}

    call("GET", "/api/v1/auth/profile", auth)
    call("PUT", "/api/v1/auth/profile", auth, body={"phone": "+1 555 123 4567"})
    once = {**auth, "Idempotency-Key": uuid.uuid4().hex}
    call("POST", "/api/v1/balance/deposit", once, body={"amount": "100000.00"})
    call("POST", "/api/v1/balance/withdraw", auth, body={"amount": 10.5})
    call("GET", "/api/v1/balance", auth)
    call("GET", "/api/v1/balance/transactions", auth, query={"limit": 1})

    assets = call("GET", "/api/v1/inventory/assets", query={"limit": 5})["data"]
    asset_id = next(asset["asset_id"] for asset in assets if asset["is_active"])
    call("GET", "/api/v1/inventory/assets/{asset_id}", path_parameters={"asset_id": asset_id})
    buy = {"order_type": "market_buy", "asset_id": asset_id, "quantity": "0.01"}
    order = call("POST", "/api/v1/orders", auth, body=buy)["data"]
    call("GET", "/api/v1/orders", auth, query={"asset_id": asset_id, "limit": 10})
    call("GET", "/api/v1/orders/{order_id}", auth, path_parameters={"order_id": order["order_id"]})
    call("GET", "/api/v1/portfolio", auth)
    held = {"asset_id": asset_id}
    call("GET", "/api/v1/balance/asset/{asset_id}", auth, path_parameters=held)
    call("GET", "/api/v1/assets/{asset_id}/transactions", auth, path_parameters=held)
    call("POST", "/api/v1/auth/logout", auth)

    for path in ("/health", "/metrics", "/openapi.json", "/docs"):
        call("GET", path)
    assert called == set(OPERATIONS), "add the missing operations to this journey"
