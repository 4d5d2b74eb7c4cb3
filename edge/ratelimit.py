"""Rate limits counted in Redis, shared by every edge replica.

Each budget is a GCRA (generic cell rate algorithm) bucket kept as one Redis key holding
its "theoretical arrival time". One Lua script reads and moves it atomically, on Redis's
own clock, so replicas and their clocks never disagree. A budget of N per minute allows a
burst of N, then one request every 60/N seconds.

Budgets are per client address and, once the caller is known, per user, for each
rate-limit class the protos declare (reads, login and registration, trading and money).
When Redis cannot answer, the edge serves unlimited (fail open, the default) or refuses
with 503, counts the failure and warns at most once a minute.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from cnop.api.v1 import options_pb2
from prometheus_client import Counter
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from edge.errors import ApiError
from shared.settings import Settings

logger = logging.getLogger("cnop.ratelimit")

WINDOW_SECONDS = 60
WARNING_INTERVAL_SECONDS = 60.0
# After a Redis failure, skip Redis this long instead of waiting on it for every request.
REDIS_BACKOFF_SECONDS = 1.0
KEY_PREFIX = "cnop:ratelimit"

CLASS_NAMES = {
    options_pb2.RATE_LIMIT_CLASS_UNSPECIFIED: "read",
    options_pb2.RATE_LIMIT_CLASS_READ: "read",
    options_pb2.RATE_LIMIT_CLASS_ACCOUNT: "account",
    options_pb2.RATE_LIMIT_CLASS_TRADE: "trade",
}

RATE_LIMITED = Counter(
    "cnop_rate_limited_requests_total",
    "Requests refused with 429, by rate-limit class.",
    ["rate_limit_class"],
)
LIMITER_ERRORS = Counter(
    "cnop_rate_limiter_errors_total", "Rate-limit checks that Redis could not answer."
)

# KEYS[1]: the bucket. ARGV[1]: ms between requests, ARGV[2]: burst in ms (= the window).
# Returns {allowed (1/0), ms until a request is allowed, requests left, ms until full}.
GCRA_SCRIPT = """
local now_parts = redis.call('TIME')
local now = now_parts[1] * 1000 + math.floor(now_parts[2] / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst
if now < allow_at then
  return {0, allow_at - now, 0, tat - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now))
return {1, 0, math.floor((burst - (new_tat - now)) / interval), new_tat - now}
"""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one check, with the headers the API promises."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after_seconds: int

    def headers(self) -> dict[str, str]:
        headers = {}
        for prefix in ("RateLimit", "X-RateLimit"):
            headers[f"{prefix}-Limit"] = str(self.limit)
            headers[f"{prefix}-Remaining"] = str(self.remaining)
            headers[f"{prefix}-Reset"] = str(self.reset_seconds)
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after_seconds)
        return headers


class RateLimiter:
    """Checks and counts requests against their budgets."""

    def __init__(self, settings: Settings, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(GCRA_SCRIPT)
        self._namespace = f"{KEY_PREFIX}:{settings.table_prefix}"
        self._fail_open = settings.rate_limit_fail_open
        self._budgets = {
            "read": settings.rate_limit_read_per_minute,
            "account": settings.rate_limit_account_per_minute,
            "trade": settings.rate_limit_trade_per_minute,
        }
        self._skip_until = 0.0
        self._last_warning = -math.inf

    async def check(self, rate_class: int, subject: str) -> Verdict | None:
        """Counts one request of `subject` ("ip:..." or "user:...") in its class.

        Raises a 429 `ApiError` when the budget is spent; returns the verdict otherwise,
        or None when Redis could not answer and the edge fails open.
        """
        class_name = CLASS_NAMES.get(rate_class, "read")
        limit = self._budgets[class_name]
        verdict = await self._ask_redis(f"{self._namespace}{class_name}:{subject}", limit)
        if verdict is None or verdict.allowed:
            return verdict
        RATE_LIMITED.labels(class_name).inc()
        raise ApiError(
            429,
            "RATE_LIMITED",
            f"Too many requests; try again in {verdict.retry_after_seconds} s",
            headers=verdict.headers(),
        )

    async def _ask_redis(self, key: str, limit: int) -> Verdict | None:
        if time.monotonic() < self._skip_until:
            self._unavailable()
            return None
        interval_ms = WINDOW_SECONDS * 1000 / limit
        try:
            allowed, wait_ms, remaining, full_ms = await self._script(
                keys=[key], args=[interval_ms, WINDOW_SECONDS * 1000]
            )
        except (RedisError, OSError) as error:
            self._skip_until = time.monotonic() + REDIS_BACKOFF_SECONDS
            self._warn(error)
            self._unavailable()
            return None
        return Verdict(
            allowed=bool(allowed),
            limit=limit,
            remaining=int(remaining),
            reset_seconds=math.ceil(int(full_ms) / 1000),
            retry_after_seconds=max(1, math.ceil(int(wait_ms) / 1000)),
        )

    def _unavailable(self) -> None:
        """Counts a check Redis could not answer; raises 503 unless the edge fails open."""
        LIMITER_ERRORS.inc()
        if self._fail_open:
            return
        raise ApiError(
            503,
            "SERVICE_UNAVAILABLE",
            "Rate limiting is unavailable; try again shortly",
            headers={"Retry-After": "1"},
        )

    def _warn(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning < WARNING_INTERVAL_SECONDS:
            return
        self._last_warning = now
        logger.warning(
            "rate limiter cannot reach Redis (%s); %s",
            type(error).__name__,
            "serving without limits" if self._fail_open else "refusing requests",
            extra={"event": "ratelimit"},
        )
