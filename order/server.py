"""Wiring of the order service."""

from __future__ import annotations

import grpc
from cnop.order.v1 import order_pb2_grpc

from shared.server import ServiceDefinition, run_service, unimplemented
from shared.settings import Settings


def definition(settings: Settings) -> ServiceDefinition:
    """The order service, ready for `run_service`."""

    def register(server: grpc.Server) -> None:
        orders = unimplemented(order_pb2_grpc.OrderServiceServicer, "cnop.order.v1.OrderService")
        portfolio = unimplemented(
            order_pb2_grpc.PortfolioServiceServicer, "cnop.order.v1.PortfolioService"
        )
        order_pb2_grpc.add_OrderServiceServicer_to_server(orders(), server)
        order_pb2_grpc.add_PortfolioServiceServicer_to_server(portfolio(), server)

    return ServiceDefinition("order", register)


def serve(settings: Settings) -> None:
    """Runs the order service until it is told to stop."""
    run_service(settings, definition(settings))
