"""The edge's limits through real processes: CORS, rate limits, breakers and deadlines."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from concurrent import futures

import grpc
import httpx
import pytest
from cnop.inventory.v1 import inventory_pb2, inventory_pb2_grpc

from tests.infra import free_port, wait_for_port
from tests.mesh import CNOP, Mesh, MeshFactory

ASSETS = "/api/v1/inventory/assets"
ALLOWED = "http://localhost:3000"


def test_allowed_origin_gets_cors_headers_on_answers_and_errors(api: httpx.Client) -> None:
    for path in (ASSETS, "/api/v1/nowhere", "/api/v1/balance"):
        reply = api.get(path, headers={"Origin": ALLOWED})
        assert reply.headers["access-control-allow-origin"] == ALLOWED
        assert "X-Request-ID" in reply.headers["access-control-expose-headers"]
        assert reply.headers["vary"] == "Origin"


def test_disallowed_origin_gets_no_cors_headers(api: httpx.Client) -> None:
    reply = api.get(ASSETS, headers={"Origin": "https://evil.example"})
    assert reply.status_code == 200
    assert not [name for name in reply.headers if name.startswith("access-control-")]
    assert reply.headers["vary"] == "Origin"


def test_preflight_is_answered_by_the_edge(api: httpx.Client, mesh: Mesh) -> None:
    reply = api.options(
        "/api/v1/orders",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )
    assert reply.status_code == 204
    assert reply.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in reply.headers["access-control-allow-methods"]
    assert "idempotency-key" in reply.headers["access-control-allow-headers"]
    assert "CreateOrder" not in mesh.logs("order")  # nothing reached the service

    refused = api.options(
        "/api/v1/orders",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in refused.headers


@pytest.fixture(scope="module")
def limited(mesh_factory: MeshFactory) -> Mesh:
    return mesh_factory(
        CNOP_RATE_LIMIT_READ_PER_MINUTE="6", CNOP_EDGE_TRUSTED_PROXIES='["127.0.0.1"]'
    )


def spend(client: httpx.Client, count: int, address: str) -> list[httpx.Response]:
    return [client.get(ASSETS, headers={"X-Forwarded-For": address}) for _ in range(count)]


def test_a_spent_budget_gives_429_with_the_headers(limited: Mesh) -> None:
    with httpx.Client(base_url=limited.edge_url) as client:
        replies = spend(client, 7, "203.0.113.7")
    assert [r.status_code for r in replies] == [200] * 6 + [429]
    assert replies[0].headers["ratelimit-limit"] == "6"
    assert replies[0].headers["ratelimit-remaining"] == "5"
    refused = replies[-1]
    assert refused.json()["error"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["retry-after"]) <= 10
    for name in ("RateLimit", "X-RateLimit"):
        assert refused.headers[f"{name}-Remaining"] == "0"
        assert int(refused.headers[f"{name}-Reset"]) > 0
    with httpx.Client(base_url=limited.edge_url) as client:
        assert spend(client, 1, "203.0.113.8")[0].status_code == 200  # another client


def test_the_limit_holds_across_two_edges_sharing_redis(limited: Mesh) -> None:
    port = free_port()
    env = {**limited.env, "CNOP_EDGE_PORT": str(port)}
    second = subprocess.Popen([CNOP, "serve", "edge"], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port, 60)
        with (
            httpx.Client(base_url=limited.edge_url) as first_edge,
            httpx.Client(base_url=f"http://127.0.0.1:{port}") as second_edge,
        ):
            statuses = [r.status_code for r in spend(first_edge, 3, "198.51.100.4")]
            statuses += [r.status_code for r in spend(second_edge, 4, "198.51.100.4")]
    finally:
        second.terminate()
        second.wait(10)
    assert statuses == [200] * 6 + [429]


def test_forwarded_for_is_ignored_from_untrusted_peers(mesh_factory: MeshFactory) -> None:
    # This edge trusts a proxy network the test client is not in: however the client
    # fills X-Forwarded-For, all its requests count against its own address.
    mesh = mesh_factory(
        CNOP_RATE_LIMIT_READ_PER_MINUTE="3", CNOP_EDGE_TRUSTED_PROXIES='["10.0.0.0/8"]'
    )
    with httpx.Client(base_url=mesh.edge_url) as client:
        statuses = [spend(client, 1, f"192.0.2.{n}")[0].status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize(("fail_open", "status"), [("true", 200), ("false", 503)])
def test_a_redis_outage_is_survived_as_configured(
    mesh_factory: MeshFactory, fail_open: str, status: int
) -> None:
    mesh = mesh_factory(start=False)
    for service in ("auth", "user", "inventory", "order"):
        mesh.start(service)
    # Only the edge loses Redis: it points at a port where nothing listens.
    mesh.start(
        "edge",
        CNOP_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        CNOP_RATE_LIMIT_FAIL_OPEN=fail_open,
    )
    with httpx.Client(base_url=mesh.edge_url, timeout=10) as client:
        replies = [client.get(ASSETS) for _ in range(5)]
        assert {reply.status_code for reply in replies} == {status}
        assert "ratelimit-limit" not in replies[0].headers
    warnings = [line for line in mesh.logs("edge").splitlines() if "cannot reach Redis" in line]
    assert len(warnings) == 1


class SlowInventory(inventory_pb2_grpc.InventoryServiceServicer):
    def ListAssets(self, request: object, context: grpc.ServicerContext) -> object:
        time.sleep(3)
        return inventory_pb2.ListAssetsResponse()


@pytest.fixture
def slow_inventory() -> Iterator[str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    inventory_pb2_grpc.add_InventoryServiceServicer_to_server(SlowInventory(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(0)


def test_a_slow_upstream_gives_504_on_time(mesh_factory: MeshFactory, slow_inventory: str) -> None:
    mesh = mesh_factory(start=False)
    mesh.start(
        "edge",
        CNOP_INVENTORY_ADDR=slow_inventory,
        CNOP_EDGE_ROUTE_DEADLINES='{"ListAssets": 0.5}',
    )
    with httpx.Client(base_url=mesh.edge_url, timeout=10) as client:
        started = time.perf_counter()
        reply = client.get(ASSETS)
        elapsed = time.perf_counter() - started
    assert reply.status_code == 504
    assert reply.json()["error"] == "DEADLINE_EXCEEDED"
    assert 0.5 <= elapsed < 1.5


def test_the_edge_breaker_opens_answers_fast_and_closes(mesh_factory: MeshFactory) -> None:
    mesh = mesh_factory(
        CNOP_BREAKER_MINIMUM_CALLS="3", CNOP_BREAKER_OPEN_SECONDS="1", CNOP_BREAKER_TRIAL_CALLS="1"
    )
    mesh.stop("inventory")
    with httpx.Client(base_url=mesh.edge_url, timeout=10) as client:
        assert {client.get(ASSETS).status_code for _ in range(3)} == {503}
        started = time.perf_counter()
        reply = client.get(ASSETS)
        assert reply.status_code == 503
        assert time.perf_counter() - started < 0.5  # no connection attempt, no wait
        assert reply.headers["retry-after"] == "1"
        assert '"state":"open"' in mesh.logs("edge")

        mesh.start("inventory")
        mesh.wait_healthy()
        time.sleep(1)
        assert client.get(ASSETS).status_code == 200
    assert '"state":"closed"' in mesh.logs("edge")
