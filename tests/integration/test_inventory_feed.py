"""The price feed of a real inventory process, driven by a price file (the FileProvider).

Each test gets an inventory process of its own (a private mesh from `mesh_factory`, with
only inventory started) refreshing every half second from a JSON file the test rewrites,
and reads prices the way the order service does: `order.prices.PriceBook` over gRPC.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import grpc
import pytest
from cnop.inventory.v1 import inventory_pb2, inventory_pb2_grpc

from order.prices import AssetPrice, PriceBook
from shared.errors import RuleRefused, ServiceUnavailable
from shared.settings import Settings
from tests.mesh import Mesh, MeshFactory

pytestmark = pytest.mark.integration

REFRESH_SECONDS = "0.5"
WAIT_SECONDS = 20.0
T = TypeVar("T")


@dataclass
class Market:
    """An inventory process and the price file it reads."""

    mesh: Mesh
    price_file: Path

    def set_prices(self, document: dict[str, object]) -> None:
        """Rewrites the price file atomically, as the FileProvider asks."""
        draft = self.price_file.with_suffix(".draft")
        draft.write_text(json.dumps(document))
        os.replace(draft, self.price_file)

    def book(self, max_age: float = 600.0) -> PriceBook:
        settings = Settings(
            inventory_addr=self.mesh.addr("inventory"), price_max_age_seconds=max_age
        )
        return PriceBook(settings)

    def price(self, asset_id: str) -> AssetPrice:
        return self.book().latest([asset_id])[asset_id]

    def log_lines(self, text: str) -> list[dict[str, object]]:
        lines = map(json.loads, self.mesh.logs("inventory").splitlines())
        return [line for line in lines if text in str(line.get("message"))]


def eventually(probe: Callable[[], T | None], timeout: float = WAIT_SECONDS) -> T:
    """The first truthy answer of `probe`, polled until `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = probe()
        except (KeyError, ServiceUnavailable):
            answer = None
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing came true in {timeout} s")
        time.sleep(0.1)


def start_market(mesh_factory: MeshFactory, price_file: Path, **env: str) -> Market:
    mesh = mesh_factory(
        start=False,
        CNOP_PRICE_PROVIDER="file",
        CNOP_PRICE_FILE=str(price_file),
        CNOP_PRICE_REFRESH_SECONDS=REFRESH_SECONDS,
        **env,
    )
    market = Market(mesh, price_file)
    market.set_prices({"BTC": "30000.5"})
    mesh.start("inventory")
    eventually(lambda: market.price("BTC").price == Decimal("30000.5"))
    return market


@pytest.fixture
def market(mesh_factory: MeshFactory, tmp_path: Path) -> Iterator[Market]:
    market = start_market(mesh_factory, tmp_path / "prices.json")
    yield market
    market.mesh.stop("inventory")


def test_a_price_moves_between_refreshes(market: Market) -> None:
    before = market.price("BTC")
    market.set_prices({"BTC": "31000.123456789", "shib": "0.0000107612345678"})

    after = eventually(lambda: (p := market.price("BTC")).price != before.price and p)
    assert after.price == Decimal("31000.12345679")  # rounded to 8 places, exactly
    assert after.last_updated > before.last_updated
    assert market.price("SHIB").price == Decimal("0.000010761235")  # 8 significant digits


def test_a_failed_refresh_keeps_the_last_price_and_lets_it_age(market: Market) -> None:
    market.set_prices({"BTC": "32000", "ETH": "1600"})
    fresh = eventually(lambda: (p := market.price("ETH")).price == 1600 and p)
    market.set_prices({"fail": True, "BTC": "99", "ETH": "99"})
    time.sleep(0.6)  # let a refresh read the failing file
    first = market.price("ETH")

    aged = eventually(lambda: (p := market.price("ETH")).age_seconds > first.age_seconds + 1 and p)
    assert aged.price == Decimal(1600)
    assert aged.last_updated == first.last_updated
    assert first.last_updated >= fresh.last_updated
    warnings = market.log_lines("price refresh failed")
    assert [line["level"] for line in warnings] == ["WARNING"]  # once, not once per refresh

    market.set_prices({"BTC": "33000"})
    eventually(lambda: market.price("BTC").price == 33000)
    assert market.log_lines("price refresh recovered")


def test_a_stale_price_is_refused_naming_the_asset(market: Market) -> None:
    market.set_prices({"fail": True})
    time.sleep(1.5)  # older than the maximum age below
    with pytest.raises(ServiceUnavailable, match=r"The price of BTC is \d+ s old; trading in BTC"):
        market.book(max_age=1.0).execution_price("BTC")


def test_an_asset_the_feed_never_priced_is_stale(market: Market) -> None:
    # ETH is not in the price file: its price is still the snapshot's, from 2023.
    with pytest.raises(ServiceUnavailable, match="The price of ETH"):
        market.book().execution_price("eth")


def test_a_fresh_price_of_an_active_asset_is_an_execution_price(market: Market) -> None:
    price = market.book(max_age=60).execution_price("btc")
    assert price.asset_id == "BTC"
    assert price.name == "Bitcoin"
    assert price.price == Decimal("30000.5")
    assert price.age_seconds < 60


@pytest.mark.parametrize("asset_id", ["BTG", "ZZZZ", "BTC!"])
def test_inactive_and_unknown_assets_are_not_tradeable(market: Market, asset_id: str) -> None:
    market.set_prices({"BTC": "30000.5", "BTG": "15"})
    with pytest.raises(RuleRefused) as refused:
        market.book().execution_price(asset_id)
    assert refused.value.code == "ASSET_NOT_TRADEABLE"


def test_get_prices_answers_many_assets_in_one_call(market: Market) -> None:
    channel = grpc.insecure_channel(market.mesh.addr("inventory"))
    stub = inventory_pb2_grpc.InventoryServiceStub(channel)
    reply = stub.GetPrices(inventory_pb2.GetPricesRequest(asset_ids=["BTC", "eth", "ZZZZ"]))
    channel.close()
    assert [price.asset_id for price in reply.prices] == ["BTC", "ETH"]
    assert reply.prices[0].price == "30000.5"


def test_an_unreachable_inventory_is_unavailable(market: Market) -> None:
    book = market.book()
    market.mesh.stop("inventory")
    with pytest.raises(ServiceUnavailable):
        book.execution_price("BTC")


def test_one_replica_runs_the_feed_and_the_others_follow_the_table(
    mesh_factory: MeshFactory, tmp_path: Path, market: Market
) -> None:
    prefix = market.mesh.env["CNOP_TABLE_PREFIX"]
    follower = start_market(mesh_factory, market.price_file, CNOP_TABLE_PREFIX=prefix)
    try:
        market.set_prices({"BTC": "34000"})
        eventually(lambda: follower.price("BTC").price == 34000)
        assert not follower.log_lines("now runs the price feed")

        market.mesh.stop("inventory")  # the leader hands the lease back as it stops
        eventually(lambda: follower.log_lines("now runs the price feed"))
        market.set_prices({"BTC": "35000"})
        eventually(lambda: follower.price("BTC").price == 35000)
    finally:
        follower.mesh.stop("inventory")
