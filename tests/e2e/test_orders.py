"""Market orders, holdings and the portfolio through the edge, at prices the test sets.

A private mesh reads its prices from a file (the inventory service's file provider), so
every amount below is known exactly.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.e2e.users import deposit, register_and_login
from tests.mesh import Mesh, MeshFactory

PRICES = {"BTC": "30000.00", "ETH": "1999.99", "DOGE": "0.07312345"}


def write_prices(path: Path, prices: dict[str, object]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(prices))
    os.replace(temporary, path)


@pytest.fixture(scope="module")
def trading(mesh_factory: MeshFactory, tmp_path_factory: pytest.TempPathFactory) -> Mesh:
    price_file = tmp_path_factory.mktemp("prices") / "prices.json"
    write_prices(price_file, PRICES)
    return mesh_factory(
        CNOP_PRICE_PROVIDER="file",
        CNOP_PRICE_FILE=str(price_file),
        CNOP_PRICE_REFRESH_SECONDS="0.5",
        CNOP_BREAKER_MINIMUM_CALLS="3",
        CNOP_BREAKER_OPEN_SECONDS="2",
        CNOP_BREAKER_TRIAL_CALLS="1",
    )


@pytest.fixture(scope="module")
def client(trading: Mesh) -> Iterator[httpx.Client]:
    # Wait for the first refresh from the file, so orders trade at PRICES.
    with httpx.Client(base_url=trading.edge_url, timeout=30) as http:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            detail = http.get("/api/v1/inventory/assets/BTC").json()["data"]
            if Decimal(str(detail["price_usd"])) == Decimal(PRICES["BTC"]):
                break
            time.sleep(0.2)
        yield http


def order(client: httpx.Client, auth: dict[str, str], kind: str, asset: str, quantity: str,
          **headers: str) -> httpx.Response:  # fmt: skip
    return client.post(
        "/api/v1/orders",
        json={"order_type": kind, "asset_id": asset, "quantity": quantity},
        headers={**auth, **headers},
    )


def cash(client: httpx.Client, auth: dict[str, str]) -> Decimal:
    return Decimal(client.get("/api/v1/balance", headers=auth).json()["current_balance"])


def holding(client: httpx.Client, auth: dict[str, str], asset: str) -> Decimal:
    reply = client.get(f"/api/v1/balance/asset/{asset}", headers=auth)
    if reply.status_code == 404:
        return Decimal(0)
    assert reply.status_code == 200, reply.text
    return Decimal(reply.json()["quantity"])


def cash_ledger(client: httpx.Client, auth: dict[str, str]) -> list[dict[str, object]]:
    reply = client.get("/api/v1/balance/transactions", params={"limit": 100}, headers=auth)
    return list(reply.json()["transactions"])


def asset_ledger(client: httpx.Client, auth: dict[str, str], asset: str) -> list[dict[str, object]]:
    reply = client.get(f"/api/v1/assets/{asset}/transactions", params={"limit": 100}, headers=auth)
    assert reply.status_code == 200, reply.text
    return list(reply.json()["data"])


def assert_books_balance(client: httpx.Client, auth: dict[str, str], assets: list[str]) -> None:
    """Cash equals the sum of the cash ledger; each holding the sum of its asset ledger."""
    assert cash(client, auth) == sum(Decimal(str(e["amount"])) for e in cash_ledger(client, auth))
    for asset in assets:
        signed = sum(
            Decimal(str(e["quantity"])) * (1 if e["transaction_type"] == "BUY" else -1)
            for e in asset_ledger(client, auth, asset)
        )
        assert holding(client, auth, asset) == signed


def test_buy_then_sell_moves_exact_cash_and_units(client: httpx.Client) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "10000.00")

    bought = order(client, auth, "market_buy", "btc", "0.12345678")
    assert bought.status_code == 201, bought.text
    buy = bought.json()["data"]
    assert buy["order_type"] == "market_buy"
    assert buy["asset_id"] == "BTC"
    assert buy["price"] == "30000.00"
    assert buy["total_amount"] == "3703.71"  # 3703.7034: a buyer pays the fraction of a cent
    assert buy["status"] == "completed"
    assert cash(client, auth) == Decimal("6296.29")
    assert holding(client, auth, "BTC") == Decimal("0.12345678")

    sold = order(client, auth, "market_sell", "BTC", "0.1")
    assert sold.status_code == 201, sold.text
    assert sold.json()["data"]["total_amount"] == "3000.00"
    assert cash(client, auth) == Decimal("9296.29")
    assert holding(client, auth, "BTC") == Decimal("0.02345678")

    entries = cash_ledger(client, auth)
    assert [(e["transaction_type"], e["amount"], e["reference_id"]) for e in entries] == [
        ("order_sale", "3000.00", sold.json()["data"]["order_id"]),
        ("order_payment", "-3703.71", buy["order_id"]),
        ("deposit", "10000.00", None),
    ]
    trades = asset_ledger(client, auth, "BTC")
    assert [(t["transaction_type"], t["quantity"], t["order_id"]) for t in trades] == [
        ("SELL", "0.1", sold.json()["data"]["order_id"]),
        ("BUY", "0.12345678", buy["order_id"]),
    ]
    assert_books_balance(client, auth, ["BTC"])


def test_cheap_assets_keep_their_precision(client: httpx.Client) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "100.00")
    reply = order(client, auth, "market_buy", "DOGE", "123.456")
    assert reply.status_code == 201, reply.text
    assert reply.json()["data"]["price"] == "0.07312345"
    assert reply.json()["data"]["total_amount"] == "9.03"  # 9.02765...


def test_selling_more_than_held_changes_nothing(client: httpx.Client) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "5000.00")
    assert order(client, auth, "market_buy", "ETH", "1").status_code == 201
    before = (cash(client, auth), cash_ledger(client, auth))

    reply = order(client, auth, "market_sell", "ETH", "1.5")
    assert reply.status_code == 422
    assert reply.json()["error"] == "INSUFFICIENT_HOLDINGS"
    assert (cash(client, auth), cash_ledger(client, auth)) == before
    assert holding(client, auth, "ETH") == Decimal(1)
    never_held = order(client, auth, "market_sell", "BTC", "0.01")
    assert never_held.json()["error"] == "INSUFFICIENT_HOLDINGS"


def test_buying_without_cash_is_insufficient_funds(client: httpx.Client) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "100.00")
    reply = order(client, auth, "market_buy", "BTC", "0.01")
    assert reply.status_code == 422
    assert reply.json()["error"] == "INSUFFICIENT_FUNDS"
    assert "100.00 available" in reply.json()["message"]
    assert cash(client, auth) == Decimal("100.00")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"order_type": "market_buy", "asset_id": "CUSDC", "quantity": "1"}, 422,
         "ASSET_NOT_TRADEABLE"),
        ({"order_type": "market_buy", "asset_id": "NOPE", "quantity": "1"}, 422,
         "ASSET_NOT_TRADEABLE"),
        ({"order_type": "market_buy", "asset_id": "BTC", "quantity": "0.0001"}, 422,
         "VALIDATION_FAILED"),
        ({"order_type": "market_buy", "asset_id": "BTC", "quantity": 1000.5}, 422,
         "VALIDATION_FAILED"),
        ({"order_type": "market_buy", "asset_id": "BTC", "quantity": "0.123456789"}, 422,
         "VALIDATION_FAILED"),
        ({"order_type": "limit_buy", "asset_id": "BTC", "quantity": "1", "price": "10"}, 422,
         "VALIDATION_FAILED"),
        ({"order_type": "market_buy", "asset_id": "BTC!", "quantity": "1"}, 422,
         "VALIDATION_FAILED"),
    ],
)  # fmt: skip
def test_refused_orders(client: httpx.Client, body: dict[str, object], status: int,
                        code: str) -> None:  # fmt: skip
    auth = register_and_login(client)
    deposit(client, auth, "1000.00")
    reply = client.post("/api/v1/orders", json=body, headers=auth)
    assert reply.status_code == status, reply.text
    assert reply.json()["error"] == code
    assert cash(client, auth) == Decimal("1000.00")


def test_concurrent_buys_never_overspend(client: httpx.Client) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "3000.00")  # covers exactly 15 buys of 0.1 ETH at 199.999 -> 200.00

    def buy(_: int) -> int:
        return order(client, auth, "market_buy", "ETH", "0.1").status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(buy, range(40)))

    assert statuses.count(201) == 15
    assert set(statuses) == {201, 422}
    assert cash(client, auth) == Decimal("0.00")
    assert holding(client, auth, "ETH") == Decimal("1.5")
    assert_books_balance(client, auth, ["ETH"])


def test_concurrent_sells_never_oversell(client: httpx.Client) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "10000.00")
    assert order(client, auth, "market_buy", "ETH", "2").status_code == 201

    def sell(_: int) -> int:
        return order(client, auth, "market_sell", "ETH", "0.3").status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(sell, range(20)))

    assert statuses.count(201) == 6
    assert holding(client, auth, "ETH") == Decimal("0.2")
    assert_books_balance(client, auth, ["ETH"])


def test_a_replayed_order_executes_once(client: httpx.Client) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "10000.00")
    replies = [
        order(client, auth, "market_buy", "ETH", "1", **{"Idempotency-Key": "buy-eth-once"})
        for _ in range(3)
    ]
    assert {reply.status_code for reply in replies} == {201}
    assert len({reply.json()["data"]["order_id"] for reply in replies}) == 1
    assert holding(client, auth, "ETH") == Decimal(1)
    other = order(client, auth, "market_buy", "ETH", "2", **{"Idempotency-Key": "buy-eth-once"})
    assert other.status_code == 422
    assert other.json()["error"] == "IDEMPOTENCY_KEY_REUSED"


def test_lists_and_portfolio_match_the_trades(client: httpx.Client) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "100000.00")
    placed = []
    for asset, quantity in [("BTC", "1"), ("ETH", "10"), ("BTC", "0.5"), ("DOGE", "1000")]:
        reply = order(client, auth, "market_buy", asset, quantity)
        assert reply.status_code == 201, reply.text
        placed.append(reply.json()["data"])
    assert order(client, auth, "market_sell", "DOGE", "1000").status_code == 201

    orders = client.get("/api/v1/orders", params={"limit": 2}, headers=auth).json()
    assert orders["has_more"] is True
    rest = client.get(
        "/api/v1/orders", params={"cursor": orders["next_cursor"]}, headers=auth
    ).json()
    listed = orders["data"] + rest["data"]
    assert rest["has_more"] is False
    assert [o["order_type"] for o in listed] == ["market_sell"] + ["market_buy"] * 4
    assert [o["order_id"] for o in listed[1:]] == [o["order_id"] for o in reversed(placed)]
    btc_only = client.get("/api/v1/orders", params={"asset_id": "btc"}, headers=auth).json()
    assert [o["asset_id"] for o in btc_only["data"]] == ["BTC", "BTC"]
    one = client.get(f"/api/v1/orders/{placed[0]['order_id']}", headers=auth).json()["data"]
    assert one == placed[0]

    portfolio = client.get("/api/v1/portfolio", headers=auth).json()
    assets = {a["asset_id"]: a for a in portfolio["assets"]}
    assert set(assets) == {"BTC", "ETH"}  # DOGE sold out: only non-zero holdings
    assert assets["BTC"]["quantity"] == "1.5"
    assert assets["BTC"]["market_value"] == "45000.00"
    assert assets["ETH"]["market_value"] == "19999.90"
    cash_left = Decimal(portfolio["cash_balance"])
    assert Decimal(portfolio["total_value"]) == cash_left + Decimal("64999.90")
    shares = sum(Decimal(a["percentage"]) for a in portfolio["assets"])
    cash_share = cash_left * 100 / Decimal(portfolio["total_value"])
    assert abs(shares + cash_share - 100) < Decimal("0.02")


def test_another_users_order_is_not_found(client: httpx.Client) -> None:
    owner = register_and_login(client)
    deposit(client, owner, "1000.00")
    placed = order(client, owner, "market_buy", "ETH", "0.1").json()["data"]
    stranger = register_and_login(client)
    reply = client.get(f"/api/v1/orders/{placed['order_id']}", headers=stranger)
    assert reply.status_code == 404
    assert client.get("/api/v1/orders/not-an-id", headers=owner).status_code == 404
    assert client.get("/api/v1/balance/asset/BTC", headers=stranger).status_code == 404
    assert client.get("/api/v1/assets/ZZZZ/transactions", headers=owner).status_code == 404


def test_inventory_down_opens_the_breaker_and_recovers(client: httpx.Client, trading: Mesh) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "1000.00")
    trading.stop("inventory")
    try:
        # Failures open the breaker once they outweigh the successes still in its window.
        deadline = time.monotonic() + 15
        while '"state":"open"' not in trading.logs("order"):
            assert order(client, auth, "market_buy", "ETH", "0.1").status_code == 503
            assert time.monotonic() < deadline, "the order service's breaker never opened"
            time.sleep(0.1)
        started = time.perf_counter()
        reply = order(client, auth, "market_buy", "ETH", "0.1")
        assert time.perf_counter() - started < 0.5
        assert reply.status_code == 503
        assert reply.json()["message"] == "The inventory service is unavailable; try again shortly"
        assert reply.headers["retry-after"].isdigit()
    finally:
        trading.start("inventory")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if order(client, auth, "market_buy", "ETH", "0.1").status_code == 201:
            break
        time.sleep(0.5)
    else:
        pytest.fail("orders did not recover after inventory came back")
    assert '"state":"closed"' in trading.logs("order")


def test_one_request_id_runs_through_every_hop(client: httpx.Client, trading: Mesh) -> None:
    auth = register_and_login(client)
    deposit(client, auth, "1000.00")
    time.sleep(2.5)  # let the edge's token cache lapse, so auth is asked again
    reply = order(client, auth, "market_buy", "ETH", "0.1", **{"X-Request-ID": "trace-order-1"})
    assert reply.status_code == 201
    assert reply.headers["x-request-id"] == "trace-order-1"
    # The edge writes its line once the answer is sent: give it a moment.
    deadline = time.monotonic() + 5
    for component in ("edge", "auth", "order", "inventory"):
        while "trace-order-1" not in request_ids(trading.logs(component)):
            assert time.monotonic() < deadline, component
            time.sleep(0.1)


def request_ids(log: str) -> set[str | None]:
    return {json.loads(line).get("request_id") for line in log.splitlines() if line.startswith("{")}
