"""The walking skeleton through the real edge: routing, transcoding and error mapping."""

from __future__ import annotations

import httpx

from tests.mesh import Mesh


def test_health_reports_every_check_ok(api: httpx.Client) -> None:
    reply = api.get("/health")
    assert reply.status_code == 200
    body = reply.json()
    assert body["status"] == "healthy"
    assert body["service"] == "edge"
    assert body["checks"] == {
        "redis": "ok", "auth": "ok", "user": "ok", "inventory": "ok", "order": "ok"
    }  # fmt: skip


def test_route_table_logged_at_start_holds_exactly_the_api_routes(mesh: Mesh) -> None:
    import json

    logged = {
        (line["http_method"], line["path"])
        for line in map(json.loads, mesh.logs("edge").splitlines())
        if line.get("event") == "route"
    }
    assert logged == API_ROUTES


API_ROUTES = {
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/profile"),
    ("PUT", "/api/v1/auth/profile"),
    ("GET", "/api/v1/balance"),
    ("POST", "/api/v1/balance/deposit"),
    ("POST", "/api/v1/balance/withdraw"),
    ("GET", "/api/v1/balance/transactions"),
    ("GET", "/api/v1/inventory/assets"),
    ("GET", "/api/v1/inventory/assets/{asset_id}"),
    ("POST", "/api/v1/orders"),
    ("GET", "/api/v1/orders"),
    ("GET", "/api/v1/orders/{order_id}"),
    ("GET", "/api/v1/portfolio"),
    ("GET", "/api/v1/balance/asset/{asset_id}"),
    ("GET", "/api/v1/assets/{asset_id}/transactions"),
}
