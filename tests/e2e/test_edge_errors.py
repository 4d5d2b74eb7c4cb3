"""The edge's own answers: routing, body checks, request ids and failed upstreams."""

from __future__ import annotations

import httpx

from tests.e2e.users import register_and_login
from tests.mesh import MeshFactory

REGISTER = "/api/v1/auth/register"


def assert_error(reply: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["error"] == code
    assert body["message"]
    assert body["request_id"] == reply.headers["x-request-id"]
    assert ("validation_errors" in body) == (status == 422)
    return dict(body)


def test_unknown_route_is_404(api: httpx.Client) -> None:
    assert_error(api.get("/api/v1/nowhere"), 404, "NOT_FOUND")
    assert_error(api.get("/api/v1/orders/"), 404, "NOT_FOUND")


def test_wrong_method_is_405_with_allow(api: httpx.Client) -> None:
    reply = api.delete("/api/v1/inventory/assets")
    assert_error(reply, 405, "METHOD_NOT_ALLOWED")
    assert reply.headers["allow"] == "GET"


def test_unknown_wrong_typed_and_missing_fields_are_422_naming_them(api: httpx.Client) -> None:
    reply = api.post(REGISTER, json={"username": 42, "nickname": "x"})
    body = assert_error(reply, 422, "VALIDATION_FAILED")
    problems = {item["field"]: item["message"] for item in body["validation_errors"]}  # type: ignore[union-attr]
    assert problems["nickname"] == "is not a known field"
    assert problems["username"] == "must be a string"
    for missing in ("email", "password", "first_name", "last_name"):
        assert problems[missing] == "is required"


def test_body_that_is_not_json_is_400(api: httpx.Client) -> None:
    reply = api.post(REGISTER, content=b"username=alice", headers={"content-type": "text/plain"})
    assert_error(reply, 400, "BAD_REQUEST")


def test_body_over_the_limit_is_413(api: httpx.Client) -> None:
    reply = api.post(REGISTER, content=b'{"username": "' + b"a" * 70_000 + b'"}')
    assert_error(reply, 413, "PAYLOAD_TOO_LARGE")


def test_request_id_is_echoed_when_valid_and_replaced_when_not(api: httpx.Client) -> None:
    reply = api.get("/api/v1/inventory/assets/ZZZZ", headers={"X-Request-ID": "trace-me.1:2"})
    assert reply.headers["x-request-id"] == "trace-me.1:2"
    assert reply.json()["request_id"] == "trace-me.1:2"
    reply = api.get("/api/v1/inventory/assets", headers={"X-Request-ID": "bad id!"})
    assert reply.headers["x-request-id"] != "bad id!"
    assert len(reply.headers["x-request-id"]) == 32


def test_protected_route_without_token_is_401(api: httpx.Client) -> None:
    assert_error(api.get("/api/v1/balance"), 401, "UNAUTHENTICATED")
    reply = api.get("/api/v1/balance", headers={"Authorization": "Basic abc"})
    assert_error(reply, 401, "UNAUTHENTICATED")


def test_a_stopped_service_gives_503_with_the_error_body(mesh_factory: MeshFactory) -> None:
    mesh = mesh_factory()
    mesh.stop("inventory")
    with httpx.Client(base_url=mesh.edge_url, timeout=10) as client:
        reply = client.get("/api/v1/inventory/assets")
        body = assert_error(reply, 503, "SERVICE_UNAVAILABLE")
        assert reply.headers["retry-after"].isdigit()
        assert "127.0.0.1" not in str(body["message"])
        assert "inventory" in str(body["message"])
        health = client.get("/health")
        assert health.json()["checks"]["inventory"] != "ok"
        assert health.json()["status"] == "degraded"

        mesh.start("inventory")
        mesh.wait_healthy()
        assert client.get("/api/v1/inventory/assets").status_code == 200


def test_bodies_the_edge_cannot_read_safely_are_400(api: httpx.Client) -> None:
    deep = b'{"username": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert_error(api.post(REGISTER, content=deep), 400, "BAD_REQUEST")
    repeated = b'{"username": "alice_1", "username": "mallory"}'
    assert_error(api.post(REGISTER, content=repeated), 400, "BAD_REQUEST")
    both = api.post(REGISTER, json={"first_name": "Ada", "firstName": "Eve"})
    problems = {v["field"]: v["message"] for v in both.json()["validation_errors"]}
    assert problems["firstName"] == "is given twice, in both spellings"


def test_headers_that_cannot_travel_as_grpc_metadata_are_400(api: httpx.Client) -> None:
    # Raw header bytes outside ASCII, as a careless client can send them (latin-1 here).
    auth = register_and_login(api)
    headers = [(b"Authorization", auth["Authorization"].encode()), (b"Idempotency-Key", b"k\xe9y")]
    reply = api.post("/api/v1/balance/deposit", json={"amount": "1"}, headers=headers)
    assert_error(reply, 400, "BAD_REQUEST")
    reply = api.get("/api/v1/balance", headers=[(b"Authorization", b"Bearer t\xe9ken.a.b")])
    assert_error(reply, 401, "UNAUTHENTICATED")


def test_the_edges_own_pages_are_read_only(api: httpx.Client) -> None:
    for path in ("/health", "/metrics", "/openapi.json"):
        reply = api.post(path)
        assert_error(reply, 405, "METHOD_NOT_ALLOWED")
        assert reply.headers["allow"] == "GET, HEAD"
