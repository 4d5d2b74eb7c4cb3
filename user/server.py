"""Wiring of the user service: accounts, profiles and cash balances."""

from __future__ import annotations

import grpc
from cnop.user.v1 import user_pb2_grpc

from shared import idempotency
from shared.dynamo import StoreCheck, bind_models
from shared.redis_client import connect_redis
from shared.server import ServiceDefinition, run_service, unimplemented
from shared.settings import Settings
from user import store
from user.cash import CashHandlers

MODELS = [*store.MODELS, *idempotency.MODELS]


def definition(settings: Settings) -> ServiceDefinition:
    """The user service, ready for `run_service`."""
    bind_models(settings, MODELS)
    redis = connect_redis(settings)

    def register(server: grpc.Server) -> None:
        users = unimplemented(user_pb2_grpc.UserServiceServicer, "cnop.user.v1.UserService")
        user_pb2_grpc.add_UserServiceServicer_to_server(users(), server)
        user_pb2_grpc.add_BalanceServiceServicer_to_server(CashHandlers(settings), server)

    checks = {
        "dynamodb": StoreCheck(MODELS, create=settings.create_tables),
        "redis": redis.ping,
    }
    return ServiceDefinition("user", register, checks=checks)


def serve(settings: Settings) -> None:
    """Runs the user service until it is told to stop."""
    run_service(settings, definition(settings))
