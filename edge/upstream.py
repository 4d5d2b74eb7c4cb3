"""The edge's gRPC channels to the four services, and the health checks it runs on them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from edge.routes import Route
from edge.telemetry import UpstreamTelemetryInterceptor
from shared.clients import CHANNEL_OPTIONS
from shared.settings import SERVICES, Settings

HEALTH_TIMEOUT_SECONDS = 1.0


class Upstreams:
    """One channel per service, and one unary callable per routed RPC."""

    def __init__(self, settings: Settings) -> None:
        self.channels = {
            service: grpc.aio.insecure_channel(
                settings.service_addr(service),
                CHANNEL_OPTIONS,
                interceptors=[cast(grpc.aio.ClientInterceptor, UpstreamTelemetryInterceptor())],
            )
            for service in SERVICES
        }
        self._callables: dict[str, Callable[..., Any]] = {}

    def callable_for(self, route: Route) -> Callable[..., Any]:
        """The unary callable of a route's RPC, created once."""
        call = self._callables.get(route.rpc_name)
        if call is None:
            call = self.channels[route.policy.component].unary_unary(
                route.rpc_name,
                request_serializer=route.request_class.SerializeToString,
                response_deserializer=route.response_class.FromString,
            )
            self._callables[route.rpc_name] = call
        return call

    async def health(self, service: str) -> str:
        """ "ok" when the service reports SERVING, else the reason it is not."""
        stub = health_pb2_grpc.HealthStub(self.channels[service])
        try:
            reply = await stub.Check(
                health_pb2.HealthCheckRequest(service=""), timeout=HEALTH_TIMEOUT_SECONDS
            )
        except grpc.aio.AioRpcError as error:
            return f"unreachable: {error.code().name}"
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status).lower()
        return "ok"

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.close(grace=None)
