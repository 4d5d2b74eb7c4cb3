"""One price refresh and the feed's loop, with the table write and the clock replaced."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY

from inventory.catalogue import Catalogue, read_snapshot
from inventory.feed import FeedRunner, PriceFeed
from inventory.providers import PriceFeedError, Quote
from inventory.store import AssetRecord

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class ScriptedProvider:
    """Quotes from a script: each fetch takes the next entry; an exception is raised."""

    name = "scripted"

    def __init__(self, *script: dict[str, Quote] | Exception) -> None:
        self.script = list(script)
        self.fetches = 0
        self.closed = False

    def fetch(self, current: Mapping[str, Decimal]) -> dict[str, Quote]:
        self.fetches += 1
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def close(self) -> None:
        self.closed = True


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def catalogue() -> Catalogue:
    records = read_snapshot()
    for record in records:
        record.last_updated = START - timedelta(minutes=5)
    result = Catalogue()
    result.replace(sorted(records, key=lambda record: record.market_cap_rank))
    return result


def feed(
    provider: ScriptedProvider, saved: list[list[AssetRecord]] | None = None
) -> tuple[PriceFeed, Clock]:
    clock = Clock()
    sink = saved if saved is not None else []
    return PriceFeed(catalogue(), provider, save=sink.append, now=clock), clock


def failures(provider: str = "scripted") -> float:
    value = REGISTRY.get_sample_value("cnop_price_refresh_failures_total", {"provider": provider})
    return value or 0.0


def test_a_refresh_saves_and_shows_the_quoted_prices_rounded() -> None:
    saved: list[list[AssetRecord]] = []
    quotes = {"BTC": Quote(Decimal("30000.123456789")), "ZZZZ": Quote(Decimal(1))}
    price_feed, clock = feed(ScriptedProvider(quotes), saved)
    eth_before = price_feed.catalogue.view.by_id["ETH"]

    assert price_feed.refresh()

    btc = price_feed.catalogue.view.by_id["BTC"]
    assert btc.price == Decimal("30000.12345679")
    assert btc.last_updated == clock.now
    assert [record.asset_id for record in saved[0]] == ["BTC"]  # only what was quoted
    assert price_feed.catalogue.view.by_id["ETH"] is eth_before
    assert price_feed.catalogue.view.by_rank[0].asset_id == "BTC"


def test_market_data_in_a_quote_are_applied() -> None:
    quote = Quote(Decimal(2000), {"max_supply": None, "market_cap": 1.5e11})
    price_feed, _ = feed(ScriptedProvider({"BTC": quote}))
    price_feed.refresh()
    btc = price_feed.catalogue.view.by_id["BTC"]
    assert btc.max_supply is None
    assert btc.market_cap == 1.5e11


def test_a_failed_refresh_keeps_the_last_prices_and_their_age_grows() -> None:
    price_feed, clock = feed(ScriptedProvider({"BTC": Quote(Decimal(30000))}, PriceFeedError("x")))
    price_feed.refresh()
    before = failures()

    clock.now += timedelta(seconds=40)
    assert not price_feed.refresh()

    btc = price_feed.catalogue.view.by_id["BTC"]
    assert (btc.price, btc.last_updated) == (Decimal(30000), START)
    assert price_feed.age_seconds() == 40
    assert failures() == before + 1


def test_a_failed_save_keeps_the_last_prices() -> None:
    def broken_table(records: list[AssetRecord]) -> None:
        raise ConnectionError("DynamoDB is away")

    price_feed = PriceFeed(catalogue(), ScriptedProvider({"BTC": Quote(Decimal(1))}))
    price_feed._save = broken_table
    assert not price_feed.refresh()
    assert price_feed.catalogue.view.by_id["BTC"].price == Decimal("21109")


def test_a_non_positive_quote_is_ignored() -> None:
    saved: list[list[AssetRecord]] = []
    quotes = {"BTC": Quote(Decimal(0)), "ETH": Quote(Decimal(1500))}
    price_feed, _ = feed(ScriptedProvider(quotes), saved)
    assert price_feed.refresh()
    assert [record.asset_id for record in saved[0]] == ["ETH"]


def test_failures_are_logged_once_as_they_start_and_once_as_they_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    errors = [PriceFeedError("CoinGecko answered 500") for _ in range(3)]
    price_feed, _ = feed(ScriptedProvider(*errors, {"BTC": Quote(Decimal(1))}))
    with caplog.at_level(logging.DEBUG, logger="inventory.feed"):
        for _ in range(4):
            price_feed.refresh()

    visible = [(r.levelno, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    assert visible == [
        (logging.WARNING, "price refresh failed: PriceFeedError: CoinGecko answered 500"),
        (logging.INFO, "price refresh recovered after 3 failures"),
    ]


def test_the_age_metric_follows_the_freshest_price() -> None:
    price_feed, clock = feed(ScriptedProvider({"BTC": Quote(Decimal(1))}))
    price_feed.refresh()
    clock.now += timedelta(seconds=12)
    age = REGISTRY.get_sample_value("cnop_price_feed_age_seconds", {"provider": "scripted"})
    assert age == 12


class Lease:
    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)

    def hold(self) -> bool:
        return self.answers.pop(0)

    def release(self) -> None:
        pass


class CountingCatalogue(Catalogue):
    """A catalogue whose table reload only counts."""

    reloads = 0

    def reload(self) -> None:
        self.reloads += 1


def runner(*leading: bool) -> tuple[FeedRunner, ScriptedProvider, CountingCatalogue]:
    provider = ScriptedProvider(*[{"BTC": Quote(Decimal(n))} for n in range(1, 10)])
    table = CountingCatalogue()
    table.replace(read_snapshot())
    price_feed = PriceFeed(table, provider, save=lambda records: None)
    return FeedRunner(price_feed, Lease(*leading), 1.0), provider, table  # type: ignore[arg-type]


def test_a_follower_reloads_the_table_and_never_refreshes() -> None:
    feed_runner, provider, table = runner(False, False)
    feed_runner.tick()
    feed_runner.tick()
    assert table.reloads == 2
    assert provider.fetches == 0


def test_a_new_leader_reloads_once_then_refreshes_every_tick() -> None:
    feed_runner, provider, table = runner(True, True, False, True)
    for _ in range(4):
        feed_runner.tick()
    assert table.reloads == 3  # on taking the lead, as a follower, on taking it again
    assert provider.fetches == 3


def test_nothing_happens_before_the_catalogue_is_loaded() -> None:
    provider = ScriptedProvider()
    feed_runner = FeedRunner(PriceFeed(Catalogue(), provider), None, 1.0)
    feed_runner.tick()
    assert provider.fetches == 0


def test_the_runner_stops_and_closes_its_provider() -> None:
    feed_runner, provider, _ = runner(*[False] * 100)
    feed_runner.start()
    feed_runner.stop()
    assert provider.closed
