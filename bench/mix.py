"""The request mix: what the benchmark's users do, as REST calls and as the gRPC calls behind them.

| route class      | share | call                                                  |
|------------------|-------|-------------------------------------------------------|
| `assets.list`    | 20 %  | GET /api/v1/inventory/assets (the default page of 50) |
| `assets.detail`  | 20 %  | GET /api/v1/inventory/assets/{BTC, ETH, SOL, DOGE}    |
| `portfolio`      | 12.5 %| GET /api/v1/portfolio                                 |
| `balance`        | 12.5 %| GET /api/v1/balance                                   |
| `orders.list`    | 10 %  | GET /api/v1/orders?limit=20                           |
| `orders.buy`     | 10 %  | POST /api/v1/orders, a market buy of BTC, ETH or SOL  |
| `orders.sell`    | 10 %  | POST /api/v1/orders, a market sell of the same        |
| `deposit`        | 5 %   | POST /api/v1/balance/deposit of 10.00                 |

Every call goes to a user drawn uniformly from the seeded ones. Each call is prepared
once: the HTTP body as bytes and, for the direct comparison, the protobuf request that
the edge would send, serialized with the edge's own transcoder, so both paths carry the
same message.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from itertools import accumulate
from urllib.parse import parse_qs, urlsplit

from edge.routes import Match, build_route_table
from edge.transcode import json_to_message

# (asset, quantity traded per order): about 10-30 USD a trade at the bench's prices.
TRADES = (("BTC", "0.001"), ("ETH", "0.01"), ("SOL", "0.1"))
DETAIL_ASSETS = ("BTC", "ETH", "SOL", "DOGE")
MIX_WEIGHTS = {
    "assets.list": 20.0,
    "assets.detail": 20.0,
    "portfolio": 12.5,
    "balance": 12.5,
    "orders.list": 10.0,
    "orders.buy": 10.0,
    "orders.sell": 10.0,
    "deposit": 5.0,
}
ORDER_WEIGHTS = {"orders.buy": 1.0, "orders.sell": 1.0}
_ROUTES = build_route_table()


@dataclass(frozen=True, slots=True)
class User:
    """A seeded user, with their token as REST headers and as gRPC metadata."""

    username: str
    http_headers: dict[str, str]
    grpc_metadata: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, username: str, token: str) -> User:
        return cls(
            username,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            (("authorization", f"Bearer {token}"),),
        )


@dataclass(frozen=True, slots=True)
class Call:
    """One prepared call: the REST request and the gRPC request behind it."""

    route: str  # the route class, such as "orders.buy"
    http_method: str
    path: str  # with its query string
    body: bytes | None
    anonymous: bool
    rpc: str  # "/cnop.order.v1.OrderService/CreateOrder"
    component: str  # the service that answers it
    request: bytes  # the serialized protobuf request


def _prepare(route: str, http_method: str, path: str, body: dict[str, str] | None) -> Call:
    """The call of one REST request, with the protobuf request the edge would make of it."""
    parts = urlsplit(path)
    found = _ROUTES.match(http_method, parts.path)
    assert isinstance(found, Match), f"no route for {http_method} {path}"
    query = parse_qs(parts.query)
    message = json_to_message(found.route.request_class, body, found.path_params, query)
    policy = found.route.policy
    return Call(
        route=route,
        http_method=http_method,
        path=path,
        body=json.dumps(body).encode() if body is not None else None,
        anonymous=policy.allow_anonymous,
        rpc=found.route.rpc_name,
        component=policy.component,
        request=message.SerializeToString(),
    )


def prepared_calls() -> dict[str, list[Call]]:
    """Every variant of every route class, prepared once."""

    def order(kind: str) -> list[Call]:
        return [
            _prepare(f"orders.{kind}", "POST", "/api/v1/orders",
                     {"order_type": f"market_{kind}", "asset_id": asset, "quantity": quantity})
            for asset, quantity in TRADES
        ]  # fmt: skip

    return {
        "assets.list": [_prepare("assets.list", "GET", "/api/v1/inventory/assets", None)],
        "assets.detail": [
            _prepare("assets.detail", "GET", f"/api/v1/inventory/assets/{asset}", None)
            for asset in DETAIL_ASSETS
        ],
        "portfolio": [_prepare("portfolio", "GET", "/api/v1/portfolio", None)],
        "balance": [_prepare("balance", "GET", "/api/v1/balance", None)],
        "orders.list": [_prepare("orders.list", "GET", "/api/v1/orders?limit=20", None)],
        "orders.buy": order("buy"),
        "orders.sell": order("sell"),
        "deposit": [_prepare("deposit", "POST", "/api/v1/balance/deposit", {"amount": "10.00"})],
    }


class Mix:
    """Draws (call, user) pairs by the weights of the route classes; seeded, so repeatable."""

    def __init__(self, users: list[User], weights: dict[str, float], seed: int = 7) -> None:
        calls = prepared_calls()
        self.users = users
        self._routes = [calls[route] for route in weights]
        self._cumulative = list(accumulate(weights.values()))
        self._random = random.Random(seed)  # noqa: S311 (repeatable draws, not secrets)

    def draw(self) -> tuple[Call, User]:
        pick = self._random
        variants = pick.choices(self._routes, cum_weights=self._cumulative)[0]
        return pick.choice(variants), pick.choice(self.users)
