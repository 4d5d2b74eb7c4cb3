"""The prices orders execute at, asked of the inventory service.

`PriceBook.execution_prices` fetches many assets' prices in one `GetPrices` call and
refuses what an order must not trade on:

- an unknown or inactive asset: `RuleRefused` with code `ASSET_NOT_TRADEABLE` (422);
- a price older than `price_max_age_seconds` (the feed has stopped refreshing it):
  `ServiceUnavailable` naming the asset (503, retry later);
- an inventory service that cannot answer: `ServiceUnavailable`.

The age is the one the inventory service computed, so clocks that differ between hosts
do not matter. `PriceBook.latest` answers without refusing, for valuations that may show
an old price (the portfolio, say).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import grpc
from cnop.inventory.v1 import inventory_pb2, inventory_pb2_grpc

from shared.clients import service_channel
from shared.errors import RuleRefused, ServiceUnavailable
from shared.settings import Settings

logger = logging.getLogger(__name__)

NOT_TRADEABLE = "ASSET_NOT_TRADEABLE"
MAX_PRICE_BATCH = 250  # GetPrices takes at most this many ids
STALE_RETRY_AFTER_SECONDS = 30
UNAVAILABLE_RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True, slots=True)
class AssetPrice:
    """An asset's exact price and how old it was when the inventory service answered."""

    asset_id: str
    name: str
    price: Decimal
    is_active: bool
    last_updated: datetime
    age_seconds: float


class PriceBook:
    """A client of the inventory service's prices, for the order service."""

    def __init__(
        self, settings: Settings, stub: inventory_pb2_grpc.InventoryServiceStub | None = None
    ) -> None:
        self._stub = stub or inventory_pb2_grpc.InventoryServiceStub(
            service_channel(settings, "inventory")
        )
        self._max_age = settings.price_max_age_seconds

    def latest(self, asset_ids: Iterable[str]) -> dict[str, AssetPrice]:
        """The prices of the known assets among `asset_ids` (upper case), however old."""
        wanted = sorted({asset_id.upper() for asset_id in asset_ids})
        prices: dict[str, AssetPrice] = {}
        for start in range(0, len(wanted), MAX_PRICE_BATCH):
            for entry in self._get_prices(wanted[start : start + MAX_PRICE_BATCH]):
                prices[entry.asset_id] = _asset_price(entry)
        return prices

    def execution_prices(self, asset_ids: Iterable[str]) -> dict[str, AssetPrice]:
        """Fresh prices of tradeable assets, or the refusal of the first that is not."""
        wanted = sorted({asset_id.upper() for asset_id in asset_ids})
        prices = self.latest(wanted)
        for asset_id in wanted:
            self._check_tradeable(asset_id, prices.get(asset_id))
        return prices

    def execution_price(self, asset_id: str) -> AssetPrice:
        """The fresh price of one tradeable asset."""
        return self.execution_prices([asset_id])[asset_id.upper()]

    def _get_prices(self, asset_ids: list[str]) -> list[inventory_pb2.AssetPrice]:
        try:
            reply = self._stub.GetPrices(inventory_pb2.GetPricesRequest(asset_ids=asset_ids))
        except grpc.RpcError as error:
            logger.warning("inventory GetPrices failed: %s", error.code().name, extra=_EVENT)
            raise ServiceUnavailable(
                "Prices are unavailable: the inventory service does not answer; try again",
                retry_after_seconds=UNAVAILABLE_RETRY_AFTER_SECONDS,
            ) from error
        return list(reply.prices)

    def _check_tradeable(self, asset_id: str, price: AssetPrice | None) -> None:
        if price is None:
            raise RuleRefused(f"{asset_id} is not a tradeable asset", code=NOT_TRADEABLE)
        if not price.is_active:
            raise RuleRefused(f"{asset_id} is not open for trading", code=NOT_TRADEABLE)
        if price.age_seconds > self._max_age:
            raise ServiceUnavailable(
                f"The price of {asset_id} is {price.age_seconds:.0f} s old; trading in "
                f"{asset_id} is paused until the feed recovers",
                retry_after_seconds=STALE_RETRY_AFTER_SECONDS,
            )


def _asset_price(entry: inventory_pb2.AssetPrice) -> AssetPrice:
    return AssetPrice(
        asset_id=entry.asset_id,
        name=entry.name,
        price=Decimal(entry.price),
        is_active=entry.is_active,
        last_updated=entry.last_updated.ToDatetime(tzinfo=UTC),
        age_seconds=entry.age_seconds,
    )


_EVENT = {"event": "prices"}
