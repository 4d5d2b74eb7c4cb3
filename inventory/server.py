"""Wiring of the inventory service: store, catalogue, price feed and handlers."""

from __future__ import annotations

import grpc
from cnop.inventory.v1 import inventory_pb2_grpc

from inventory.catalogue import Catalogue, load_snapshot, market_ids, read_snapshot
from inventory.coingecko import CoinGeckoProvider
from inventory.feed import FeedRunner, PriceFeed
from inventory.handlers import InventoryHandlers
from inventory.lease import LEASE_KEY, FeedLease
from inventory.providers import FileProvider, PriceProvider, SimulatedProvider
from inventory.store import MODELS
from shared.auth import token_interceptor
from shared.dynamo import StoreCheck, bind_models
from shared.redis_client import connect_redis
from shared.server import ServiceDefinition, run_service
from shared.settings import PriceSource, Settings

# The lease outlives a few missed renewals, and a slow CoinGecko refresh with retries.
LEASE_REFRESHES = 3
MIN_LEASE_SECONDS = 60.0


def definition(settings: Settings) -> ServiceDefinition:
    """The inventory service, ready for `run_service`."""
    bind_models(settings, MODELS)
    catalogue = Catalogue()
    runner = FeedRunner(
        PriceFeed(catalogue, price_provider(settings)),
        feed_lease(settings),
        settings.price_refresh_seconds,
    )

    def prepare_catalogue() -> None:
        load_snapshot()
        catalogue.reload()

    def register(server: grpc.Server) -> None:
        inventory_pb2_grpc.add_InventoryServiceServicer_to_server(
            InventoryHandlers(catalogue), server
        )

    store_check = StoreCheck(MODELS, create=settings.create_tables, on_ready=prepare_catalogue)
    return ServiceDefinition(
        "inventory",
        register,
        checks={"dynamodb": store_check},
        interceptors=[token_interceptor(settings)],
        on_start=runner.start,
        on_stop=runner.stop,
    )


def price_provider(settings: Settings) -> PriceProvider:
    """The configured source of quotes."""
    if settings.price_provider is PriceSource.FILE:
        assert settings.price_file is not None  # enforced by Settings
        return FileProvider(settings.price_file)
    if settings.price_provider is PriceSource.COINGECKO:
        key = settings.coingecko_api_key
        return CoinGeckoProvider(
            market_ids(),
            base_url=settings.coingecko_base_url,
            api_key=key.get_secret_value() if key else None,
            api_key_header=settings.coingecko_api_key_header,
        )
    anchors = {record.asset_id: record.price for record in read_snapshot()}
    return SimulatedProvider(anchors, settings.price_seed)


def feed_lease(settings: Settings) -> FeedLease:
    """The lease that lets one replica at a time run the feed."""
    ttl = max(LEASE_REFRESHES * settings.price_refresh_seconds, MIN_LEASE_SECONDS)
    return FeedLease(connect_redis(settings), f"{settings.table_prefix}{LEASE_KEY}", ttl)


def serve(settings: Settings) -> None:
    """Runs the inventory service until it is told to stop."""
    run_service(settings, definition(settings))
