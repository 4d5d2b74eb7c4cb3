"""Wiring of the auth service: key ring, Redis for revocations, and handlers.

Start-up fails with a clear message and a non-zero exit when the key material is
missing or unusable (see `auth.keys`); in production that means no signing key.
"""

from __future__ import annotations

import grpc
from cnop.auth.v1 import auth_pb2_grpc

from auth.handlers import AuthHandlers
from auth.keys import KeyMaterialError, load_key_ring
from shared.auth import TokenInterceptor, TokenVerifier
from shared.redis_client import connect_redis, ping_check
from shared.server import ServiceDefinition, run_service
from shared.settings import Settings
from shared.tokens import TokenPolicy


def definition(settings: Settings) -> ServiceDefinition:
    """The auth service, ready for `run_service`; KeyMaterialError without usable keys."""
    ring = load_key_ring(settings)
    redis_client = connect_redis(settings)
    handlers = AuthHandlers(settings, ring, redis_client)
    # Every AuthService RPC is anonymous today; the interceptor guards any that is not,
    # verifying with the ring itself rather than fetching our own keys over gRPC.
    verifier = TokenVerifier(ring.public_key, redis_client, TokenPolicy.from_settings(settings))

    def register(server: grpc.Server) -> None:
        auth_pb2_grpc.add_AuthServiceServicer_to_server(handlers, server)

    return ServiceDefinition(
        "auth",
        register,
        checks={"redis": ping_check(redis_client)},
        interceptors=[TokenInterceptor(verifier)],
    )


def serve(settings: Settings) -> None:
    """Runs the auth service until it is told to stop."""
    try:
        service = definition(settings)
    except KeyMaterialError as error:
        raise SystemExit(f"auth: cannot start: {error}") from None
    run_service(settings, service)
