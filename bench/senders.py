"""Two ways to send a prepared call: REST to the edge, or gRPC straight to the service.

A sender is an async callable `send(call, user)` that returns None on success and a short
reason on failure ("HTTP 503", "UNAVAILABLE", "ClientOSError"). Both keep their
connections open for the whole run: aiohttp with one pool of keep-alive connections to
the edge, gRPC with one channel per service, each call with the user's token as
`authorization` metadata, exactly as the edge forwards it. gRPC requests and answers
travel as bytes, so the generator spends no time on protobuf.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import grpc

from bench.mix import Call, User

REQUEST_TIMEOUT_SECONDS = 10.0
HTTP_CONNECTIONS = 256
ANONYMOUS_HEADERS = {"Content-Type": "application/json"}

Sender = Callable[[Call, User], Awaitable[str | None]]


class HttpSender:
    """Sends calls to the edge over a pool of keep-alive HTTP/1.1 connections."""

    def __init__(self, base_url: str, connections: int = HTTP_CONNECTIONS) -> None:
        self._base = base_url
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections, ttl_dns_cache=None),
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
            skip_auto_headers=("User-Agent",),
        )

    async def __call__(self, call: Call, user: User) -> str | None:
        headers = ANONYMOUS_HEADERS if call.anonymous else user.http_headers
        try:
            async with self._session.request(
                call.http_method, self._base + call.path, data=call.body, headers=headers
            ) as reply:
                await reply.read()
                if reply.status >= 300:
                    return f"HTTP {reply.status}"
        except (aiohttp.ClientError, TimeoutError) as error:
            return type(error).__name__
        return None

    async def json(self, method: str, path: str, body: Any, token: str | None = None) -> Any:
        """One call outside the measurements (seeding); raises unless it succeeds."""
        headers = dict(ANONYMOUS_HEADERS)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with self._session.request(
            method, self._base + path, json=body, headers=headers
        ) as reply:
            text = await reply.text()
            if reply.status >= 300:
                raise RuntimeError(f"{method} {path}: HTTP {reply.status} {text[:300]}")
            return await reply.json()

    async def text(self, path: str) -> str:
        """The body of a GET outside the measurements (the edge's /metrics)."""
        async with self._session.get(self._base + path) as reply:
            return await reply.text()

    async def close(self) -> None:
        await self._session.close()


class GrpcSender:
    """Sends calls straight to the services, skipping the edge."""

    def __init__(self, addresses: dict[str, str]) -> None:
        self._channels = {
            component: grpc.aio.insecure_channel(address)
            for component, address in addresses.items()
        }
        self._callables: dict[str, grpc.aio.UnaryUnaryMultiCallable] = {}

    async def __call__(self, call: Call, user: User) -> str | None:
        invoke = self._callables.get(call.rpc)
        if invoke is None:
            # No serializers: the prepared request is already bytes, the answer stays bytes.
            invoke = self._channels[call.component].unary_unary(call.rpc, None, None)
            self._callables[call.rpc] = invoke
        try:
            await invoke(
                call.request,
                timeout=REQUEST_TIMEOUT_SECONDS,
                metadata=() if call.anonymous else user.grpc_metadata,
            )
        except grpc.aio.AioRpcError as error:
            return error.code().name
        return None

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close(grace=None)
