"""Which inventory replica runs the price feed: a lease held as a Redis lock with a TTL.

The replica holding the lease refreshes prices and writes them to the table; the others
only reload the table. The holder renews the lease on every refresh; when it dies, the
lease expires after its TTL and another replica takes it, and on a clean stop it hands
the lease back at once. The lock's key includes the table prefix, so meshes that share a
Redis but not their tables each elect their own leader.

When Redis cannot be reached, every replica behaves as the leader: prices keep flowing,
and since each write puts whole items, a brief overlap of two writers is harmless (the
last write wins). That is preferable to every price ageing until trading pauses.
"""

from __future__ import annotations

import contextlib
import logging

import redis
from redis.exceptions import LockError, RedisError
from redis.lock import Lock

logger = logging.getLogger(__name__)

LEASE_KEY = "inventory:price-feed-leader"


class FeedLease:
    """The right to run the price feed, renewed on every refresh."""

    def __init__(self, client: redis.Redis, name: str, ttl_seconds: float) -> None:
        # thread_local=False: the lease is taken on the feed thread, released on stop.
        self._lock = Lock(client, name, timeout=ttl_seconds, blocking=False, thread_local=False)
        self._held = False
        self._redis_down = False

    @property
    def held(self) -> bool:
        return self._held

    def hold(self) -> bool:
        """True when this replica should run the feed: takes or renews the lease."""
        try:
            self._held = self._renewed() if self._held else self._taken()
        except RedisError as error:
            self._note_redis_down(error)
            return True
        if self._redis_down:
            self._redis_down = False
            logger.info("Redis answers again: leader election resumes", extra=_EVENT)
        return self._held

    def release(self) -> None:
        """Hands the lease back, so another replica can take over at once."""
        if not self._held:
            return
        self._held = False
        # Already expired, or Redis unreachable: then it expires on its own.
        with contextlib.suppress(LockError, RedisError):
            self._lock.release()

    def _taken(self) -> bool:
        taken = bool(self._lock.acquire(blocking=False))
        if taken:
            logger.info("this replica now runs the price feed", extra=_EVENT)
        return taken

    def _renewed(self) -> bool:
        try:
            self._lock.reacquire()
        except LockError:
            logger.warning(
                "the price feed lease expired; another replica may take it", extra=_EVENT
            )
            return False
        return True

    def _note_redis_down(self, error: RedisError) -> None:
        if not self._redis_down:
            logger.warning(
                "Redis unreachable (%s): running the price feed without a lease",
                type(error).__name__,
                extra=_EVENT,
            )
        self._redis_down = True


_EVENT = {"event": "price_feed"}
