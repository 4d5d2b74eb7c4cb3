"""Wiring of the user service."""

from __future__ import annotations

import grpc
from cnop.user.v1 import user_pb2_grpc

from shared.redis_client import connect_redis
from shared.server import ServiceDefinition, run_service, unimplemented
from shared.settings import Settings


def definition(settings: Settings) -> ServiceDefinition:
    """The user service, ready for `run_service`."""
    redis = connect_redis(settings)

    def register(server: grpc.Server) -> None:
        users = unimplemented(user_pb2_grpc.UserServiceServicer, "cnop.user.v1.UserService")
        balances = unimplemented(
            user_pb2_grpc.BalanceServiceServicer, "cnop.user.v1.BalanceService"
        )
        user_pb2_grpc.add_UserServiceServicer_to_server(users(), server)
        user_pb2_grpc.add_BalanceServiceServicer_to_server(balances(), server)

    return ServiceDefinition("user", register, checks={"redis": redis.ping})


def serve(settings: Settings) -> None:
    """Runs the user service until it is told to stop."""
    run_service(settings, definition(settings))
