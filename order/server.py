"""Wiring of the order service: market orders, holdings and the portfolio."""

from __future__ import annotations

import grpc
from cnop.order.v1 import order_pb2_grpc
from pynamodb.models import Model

from order import store
from order.handlers import OrderHandlers
from order.portfolio import PortfolioHandlers
from order.prices import PriceBook
from shared import idempotency
from shared.auth import token_interceptor
from shared.dynamo import StoreCheck, bind_models
from shared.server import ServiceDefinition, run_service
from shared.settings import Settings
from user import store as user_store

# A trade writes the user service's cash tables in the same transaction as its own.
MODELS: list[type[Model]] = [
    *store.MODELS,
    user_store.CashBalance,
    user_store.CashLedgerEntry,
    *idempotency.MODELS,
]


def definition(settings: Settings) -> ServiceDefinition:
    """The order service, ready for `run_service`."""
    bind_models(settings, MODELS)
    prices = PriceBook(settings)

    def register(server: grpc.Server) -> None:
        order_pb2_grpc.add_OrderServiceServicer_to_server(OrderHandlers(settings, prices), server)
        order_pb2_grpc.add_PortfolioServiceServicer_to_server(
            PortfolioHandlers(settings, prices), server
        )

    return ServiceDefinition(
        "order",
        register,
        checks={"dynamodb": StoreCheck(store.MODELS, create=settings.create_tables)},
        interceptors=[token_interceptor(settings)],
    )


def serve(settings: Settings) -> None:
    """Runs the order service until it is told to stop."""
    run_service(settings, definition(settings))
