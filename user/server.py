"""Wiring of the user service: accounts, profiles and cash balances."""

from __future__ import annotations

import grpc
from cnop.user.v1 import user_pb2_grpc

from shared import idempotency
from shared.auth import token_interceptor
from shared.dynamo import StoreCheck, bind_models
from shared.redis_client import connect_redis, ping_check
from shared.server import DependencyCheck, ServiceDefinition, run_service
from shared.settings import Settings
from user import store
from user.cash import CashHandlers
from user.handlers import UserHandlers
from user.lockout import LockoutPolicy, LoginGuard
from user.passwords import Passwords
from user.sessions import Sessions

MODELS = [*store.MODELS, *idempotency.MODELS]


def definition(settings: Settings) -> ServiceDefinition:
    """The user service, ready for `run_service`."""
    bind_models(settings, MODELS)
    redis = connect_redis(settings)
    guard = LoginGuard(redis, LockoutPolicy.from_settings(settings), settings.table_prefix)
    users = UserHandlers(Passwords(), guard, Sessions(settings))

    def register(server: grpc.Server) -> None:
        user_pb2_grpc.add_UserServiceServicer_to_server(users, server)
        user_pb2_grpc.add_BalanceServiceServicer_to_server(CashHandlers(settings), server)

    checks: dict[str, DependencyCheck] = {
        "dynamodb": StoreCheck(MODELS, create=settings.create_tables),
        "redis": ping_check(redis),
    }
    return ServiceDefinition(
        "user", register, checks=checks, interceptors=[token_interceptor(settings, redis)]
    )


def serve(settings: Settings) -> None:
    """Runs the user service until it is told to stop."""
    run_service(settings, definition(settings))
