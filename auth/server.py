"""Wiring of the auth service."""

from __future__ import annotations

import grpc
from cnop.auth.v1 import auth_pb2_grpc

from shared.redis_client import connect_redis
from shared.server import ServiceDefinition, run_service, unimplemented
from shared.settings import Settings


def definition(settings: Settings) -> ServiceDefinition:
    """The auth service, ready for `run_service`."""
    redis = connect_redis(settings)

    def register(server: grpc.Server) -> None:
        servicer = unimplemented(auth_pb2_grpc.AuthServiceServicer, "cnop.auth.v1.AuthService")
        auth_pb2_grpc.add_AuthServiceServicer_to_server(servicer(), server)

    return ServiceDefinition("auth", register, checks={"redis": redis.ping})


def serve(settings: Settings) -> None:
    """Runs the auth service until it is told to stop."""
    run_service(settings, definition(settings))
