"""The price feed lease against a real Redis: one holder at a time, expiry and hand-over."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from inventory.lease import FeedLease
from tests.infra import free_port

pytestmark = pytest.mark.integration

TTL_SECONDS = 30.0
NO_RETRY = Retry(NoBackoff(), retries=0)


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url, socket_timeout=5)
    yield connection
    connection.close()


@pytest.fixture
def name() -> str:
    return f"test-{uuid.uuid4().hex[:8]}-lease"


def test_one_replica_holds_the_lease_and_renews_it(client: redis.Redis, name: str) -> None:
    first, second = FeedLease(client, name, TTL_SECONDS), FeedLease(client, name, TTL_SECONDS)
    assert first.hold()
    assert not second.hold()
    assert first.hold()  # renewed
    assert not second.hold()


def test_a_released_lease_is_taken_by_another_replica(client: redis.Redis, name: str) -> None:
    first, second = FeedLease(client, name, TTL_SECONDS), FeedLease(client, name, TTL_SECONDS)
    assert first.hold()
    first.release()
    assert second.hold()
    assert not first.hold()


def test_an_expired_lease_passes_to_another_replica(client: redis.Redis, name: str) -> None:
    first, second = FeedLease(client, name, 0.3), FeedLease(client, name, TTL_SECONDS)
    assert first.hold()
    time.sleep(0.5)
    assert second.hold()
    assert not first.hold()  # it notices the loss at its next renewal
    assert not first.held


def test_without_redis_every_replica_runs_the_feed(caplog: pytest.LogCaptureFixture) -> None:
    unreachable = redis.Redis(port=free_port(), socket_connect_timeout=0.2, retry=NO_RETRY)
    lease = FeedLease(unreachable, "nowhere", TTL_SECONDS)
    with caplog.at_level(logging.INFO, logger="inventory.lease"):
        assert lease.hold()
        assert lease.hold()
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "without a lease" in caplog.records[0].getMessage()
