"""The InventoryService RPCs: thin adapters from the catalogue to protobuf."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
from cnop.inventory.v1 import inventory_pb2, inventory_pb2_grpc
from google.protobuf import timestamp_pb2

from inventory.catalogue import Catalogue
from inventory.rules import (
    DEFAULT_LIST_LIMIT,
    MAX_LIST_LIMIT,
    MAX_PRICE_BATCH,
    normalise_asset_id,
)
from inventory.store import AssetRecord
from shared.errors import NotFound, ValidationFailed
from shared.paging import page_limit

AVAILABLE = inventory_pb2.AVAILABILITY_STATUS_AVAILABLE
UNAVAILABLE = inventory_pb2.AVAILABILITY_STATUS_UNAVAILABLE
_OPTIONAL_DETAIL_FIELDS = (
    "price_change_24h", "price_change_percentage_7d", "price_change_percentage_30d",
    "high_24h", "low_24h", "circulating_supply", "total_supply", "max_supply",
    "ath", "ath_change_percentage", "atl", "atl_change_percentage",
)  # fmt: skip


class InventoryHandlers(inventory_pb2_grpc.InventoryServiceServicer):
    """Answers catalogue and price queries from the in-memory catalogue."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def ListAssets(
        self, request: inventory_pb2.ListAssetsRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.ListAssetsResponse:
        limit = page_limit(
            request.limit if request.HasField("limit") else None,
            default=DEFAULT_LIST_LIMIT,
            maximum=MAX_LIST_LIMIT,
        )
        active_only = request.active_only if request.HasField("active_only") else True
        view = self.catalogue.view
        matching = view.active_by_rank if active_only else view.by_rank
        return inventory_pb2.ListAssetsResponse(
            data=[_asset(record) for record in matching[:limit]],
            total_count=len(matching),
            active_count=len(view.active_by_rank),
        )

    def GetAsset(
        self, request: inventory_pb2.GetAssetRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.GetAssetResponse:
        asset_id = normalise_asset_id(request.asset_id)
        record = self.catalogue.view.by_id.get(asset_id)
        if record is None:
            raise NotFound(f"There is no asset {asset_id}")
        return inventory_pb2.GetAssetResponse(data=_asset_detail(record))

    def GetPrices(
        self, request: inventory_pb2.GetPricesRequest, context: grpc.ServicerContext
    ) -> inventory_pb2.GetPricesResponse:
        if len(request.asset_ids) > MAX_PRICE_BATCH:
            raise ValidationFailed.field("asset_ids", f"at most {MAX_PRICE_BATCH} ids at once")
        by_id = self.catalogue.view.by_id
        now = datetime.now(UTC)
        prices = []
        for raw_id in request.asset_ids:
            record = by_id.get(raw_id.upper())
            if record is not None:
                prices.append(_price(record, now))
        return inventory_pb2.GetPricesResponse(prices=prices)


def _timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _listing_fields(record: AssetRecord) -> dict[str, object]:
    """The fields an asset has in the listing, which its detail repeats."""
    return {
        "asset_id": record.asset_id,
        "symbol": record.symbol,
        "name": record.name,
        "description": record.description,
        "category": record.category,
        "image": record.image,
        "price_usd": float(record.price),
        "is_active": record.is_active,
        "market_cap_rank": int(record.market_cap_rank),
        "market_cap": record.market_cap,
        "total_volume_24h": record.total_volume_24h,
        "price_change_percentage_24h": record.price_change_percentage_24h or 0.0,
    }


def _asset(record: AssetRecord) -> inventory_pb2.Asset:
    return inventory_pb2.Asset(**_listing_fields(record))


def _asset_detail(record: AssetRecord) -> inventory_pb2.AssetDetail:
    detail = inventory_pb2.AssetDetail(
        **_listing_fields(record),
        availability_status=AVAILABLE if record.is_active else UNAVAILABLE,
        last_updated=_timestamp(record.last_updated),
    )
    for name in _OPTIONAL_DETAIL_FIELDS:
        value = getattr(record, name)
        if value is not None:
            setattr(detail, name, value)
    for name in ("ath_date", "atl_date"):
        moment = getattr(record, name)
        if moment is not None:
            getattr(detail, name).CopyFrom(_timestamp(moment))
    return detail


def _price(record: AssetRecord, now: datetime) -> inventory_pb2.AssetPrice:
    return inventory_pb2.AssetPrice(
        asset_id=record.asset_id,
        name=record.name,
        price=format(record.price, "f"),
        is_active=record.is_active,
        last_updated=_timestamp(record.last_updated),
        age_seconds=max(0.0, (now - record.last_updated).total_seconds()),
    )
