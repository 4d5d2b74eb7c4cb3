"""The Redis connection of a service, with short timeouts so a dead Redis fails fast."""

from __future__ import annotations

from collections.abc import Callable

import redis

from shared.settings import Settings

SOCKET_TIMEOUT_SECONDS = 1.0


def connect_redis(settings: Settings) -> redis.Redis:
    """A pooled Redis client for the configured URL; connects lazily on first use."""
    return redis.Redis.from_url(
        settings.redis_url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
    )


def ping_check(client: redis.Redis) -> Callable[[], None]:
    """A health check (for `ServiceDefinition.checks`) that raises when Redis is down."""

    def check() -> None:
        client.ping()

    return check
