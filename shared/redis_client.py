"""The Redis connection of a service, with short timeouts so a dead Redis fails fast."""

from __future__ import annotations

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
