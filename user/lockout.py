"""Brute-force protection for login: failure counters in Redis, per username and address.

Each failed login counts against the username and against the client's address, in a
window that starts with the first failure. When a count reaches its limit, that username
or address is locked for the lock-out period: every attempt, even with the right
password, is RATE_LIMITED with the seconds left. A successful login clears the
username's count, not the address's, so one good account cannot reset an address that
is guessing at others. Keys hold a hash of the username or address, never the value,
and start with the deployment's table prefix, so meshes that share a Redis keep
separate counts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import redis

from shared.errors import RateLimited, ServiceUnavailable
from shared.settings import Settings

KEY_SPACE = "login"
LOCKED_MARK = "1"


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """How many failures lock a username or an address, within what, and for how long."""

    max_per_username: int
    max_per_address: int
    window_seconds: int
    lockout_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> LockoutPolicy:
        return cls(
            settings.login_max_failures_per_username,
            settings.login_max_failures_per_address,
            settings.login_failure_window_seconds,
            settings.login_lockout_seconds,
        )


class LoginGuard:
    """Counts failed logins and refuses attempts from locked usernames and addresses."""

    def __init__(self, redis_client: redis.Redis, policy: LockoutPolicy, key_prefix: str) -> None:
        self._redis = redis_client
        self._policy = policy
        self._prefix = f"{key_prefix}{KEY_SPACE}"

    def check(self, username: str, address: str | None) -> None:
        """RATE_LIMITED while the username or the address is locked."""
        subjects = _subjects(username, address)
        try:
            millis_left = [
                int(self._redis.pttl(self._key(subject, "locked"))) for subject in subjects
            ]
        except redis.RedisError:
            raise _unavailable() from None
        if max(millis_left) > 0:  # PTTL is negative for a key that does not exist
            longest = math.ceil(max(millis_left) / 1000)
            raise RateLimited(
                f"Too many failed logins; try again in {longest} seconds",
                retry_after_seconds=longest,
            )

    def record_failure(self, username: str, address: str | None) -> None:
        """Counts a failed login; locks the username or address that reached its limit."""
        limits = {
            "username": self._policy.max_per_username,
            "address": self._policy.max_per_address,
        }
        try:
            for subject in _subjects(username, address):
                if self._count(subject) >= limits[subject[0]]:
                    self._lock(subject)
        except redis.RedisError:
            raise _unavailable() from None

    def record_success(self, username: str) -> None:
        """Clears the username's failures after a successful login."""
        try:
            self._redis.delete(self._key(("username", username), "failures"))
        except redis.RedisError:
            raise _unavailable() from None

    def _count(self, subject: tuple[str, str]) -> int:
        key = self._key(subject, "failures")
        pipeline = self._redis.pipeline()
        # The window starts with the first failure: only that SET takes effect.
        pipeline.set(key, 0, ex=self._policy.window_seconds, nx=True)
        pipeline.incr(key)
        return int(pipeline.execute()[1])

    def _lock(self, subject: tuple[str, str]) -> None:
        pipeline = self._redis.pipeline()
        pipeline.set(self._key(subject, "locked"), LOCKED_MARK, ex=self._policy.lockout_seconds)
        pipeline.delete(self._key(subject, "failures"))
        pipeline.execute()

    def _key(self, subject: tuple[str, str], what: str) -> str:
        kind, value = subject
        digest = hashlib.sha256(value.encode()).hexdigest()[:32]
        return f"{self._prefix}:{kind}:{digest}:{what}"


def _subjects(username: str, address: str | None) -> list[tuple[str, str]]:
    subjects = [("username", username)]
    if address:
        subjects.append(("address", address))
    return subjects


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("Login is unavailable right now; try again shortly")
