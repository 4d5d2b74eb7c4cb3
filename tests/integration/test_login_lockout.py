"""The login lock-out's counters against a real Redis: windows, limits and cool-downs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from shared.errors import RateLimited
from user.lockout import LockoutPolicy, LoginGuard

pytestmark = pytest.mark.integration


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


def guard(client: redis.Redis, **limits: int) -> LoginGuard:
    policy = LockoutPolicy(
        max_per_username=limits.get("username", 3),
        max_per_address=limits.get("address", 100),
        window_seconds=limits.get("window", 60),
        lockout_seconds=limits.get("lockout", 60),
    )
    return LoginGuard(client, policy, key_prefix=f"t{uuid.uuid4().hex[:8]}-")


def test_the_limit_locks_the_username_with_the_seconds_left(client: redis.Redis) -> None:
    logins = guard(client, lockout=30)
    for _ in range(3):
        logins.check("alice_01", "10.0.0.1")
        logins.record_failure("alice_01", "10.0.0.1")
    with pytest.raises(RateLimited) as locked:
        logins.check("alice_01", "10.0.0.2")
    assert 29 <= locked.value.retry_after_seconds <= 30
    logins.check("bob_0001", "10.0.0.1")  # another username from the same address is fine


def test_failures_outside_the_window_do_not_add_up(client: redis.Redis) -> None:
    logins = guard(client, window=1)
    for _ in range(2):
        logins.record_failure("alice_01", None)
    time.sleep(1.2)
    for _ in range(2):
        logins.record_failure("alice_01", None)
    logins.check("alice_01", None)


def test_the_lock_ends_after_the_cool_down(client: redis.Redis) -> None:
    logins = guard(client, username=1, lockout=1)
    logins.record_failure("alice_01", None)
    with pytest.raises(RateLimited):
        logins.check("alice_01", None)
    time.sleep(1.2)
    logins.check("alice_01", None)


def test_a_success_clears_the_username_count_but_not_the_address_count(
    client: redis.Redis,
) -> None:
    logins = guard(client, username=3, address=4)
    for username in ("alice_01", "alice_01", "carol_01"):
        logins.record_failure(username, "10.0.0.1")
    logins.record_success("alice_01")
    logins.record_failure("alice_01", "10.0.0.1")
    logins.check("alice_01", "10.0.0.2")  # 1 failure since the success
    with pytest.raises(RateLimited):
        logins.check("dave_001", "10.0.0.1")  # the address reached 4


def test_keys_hold_no_username_or_address(client: redis.Redis) -> None:
    logins = guard(client, username=1)
    logins.record_failure("secret_name", "10.9.8.7")
    keys = b" ".join(client.keys("*login*"))
    assert b"secret_name" not in keys
    assert b"10.9.8.7" not in keys
