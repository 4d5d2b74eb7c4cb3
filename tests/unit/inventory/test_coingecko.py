"""The CoinGecko provider against recorded answers (tests/fixtures/coingecko), never the network.

The clock and the sleep are fakes: time moves only when the provider sleeps or a test says
so, and every sleep is recorded instead of waited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from inventory.catalogue import market_ids
from inventory.coingecko import (
    BACKOFF_INITIAL_SECONDS,
    DEFAULT_RETRY_AFTER_SECONDS,
    MAX_ATTEMPTS,
    PAGE_SIZE,
    CoinGeckoProvider,
)
from inventory.providers import PriceFeedError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "coingecko"
MARKETS = (FIXTURES / "markets_page1.json").read_text()
ERROR_500 = (FIXTURES / "error_500.json").read_text()
RATE_LIMITED = (FIXTURES / "rate_limited_429.json").read_text()
BASE_URL = "https://api.coingecko.test/api/v3"
MIN_INTERVAL = 2.0
# The catalogue's ids, plus the recording's unpriced coin, so that its skipping is tested.
MARKET_IDS = {**market_ids(), "HBTC": "huobi-btc"}
CURRENT = dict.fromkeys(MARKET_IDS, Decimal(1))
Reply = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """A monotonic clock that advances only when slept on or told to."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Recorder:
    """An httpx transport that answers from a script of replies and keeps the requests."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(request)


def markets(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=MARKETS, headers={"content-type": "application/json"})


def server_error(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, text=ERROR_500)


def rate_limited(retry_after: str | None = "60") -> Reply:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return lambda _request: httpx.Response(429, text=RATE_LIMITED, headers=headers)


def timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectTimeout("timed out", request=request)


def provider(
    recorder: Recorder, time: FakeTime, *, min_interval: float = 0.0, **options: str
) -> CoinGeckoProvider:
    return CoinGeckoProvider(
        MARKET_IDS,
        base_url=BASE_URL,
        min_interval=min_interval,
        transport=httpx.MockTransport(recorder),
        clock=time.clock,
        sleep=time.sleep,
        **options,  # type: ignore[arg-type]
    )


def test_recorded_markets_give_exact_prices_for_every_priced_coin() -> None:
    recorder = Recorder(markets)
    quotes = provider(recorder, FakeTime()).fetch(CURRENT)

    priced = [coin for coin in json.loads(MARKETS) if coin["current_price"] is not None]
    assert len(quotes) == len(priced) == 25
    assert quotes["BTC"].price == Decimal("21109")
    assert quotes["XRP"].price == Decimal("0.398238")
    # Written 1.076e-05 in the recording: exact, not 1.0759999999999999e-05.
    assert quotes["SHIB"].price == Decimal("0.00001076")
    assert all(isinstance(quote.price, Decimal) for quote in quotes.values())


def test_a_coin_without_a_price_is_skipped_not_a_crash() -> None:
    quotes = provider(Recorder(markets), FakeTime()).fetch(CURRENT)
    assert "HBTC" not in quotes


def test_market_data_are_mapped_with_nulls_and_dates() -> None:
    quotes = provider(Recorder(markets), FakeTime()).fetch(CURRENT)

    btc = quotes["BTC"].market
    assert btc["market_cap"] == 407948005392
    assert btc["total_volume_24h"] == 25289480031
    assert btc["price_change_percentage_7d"] == pytest.approx(21.75)
    assert btc["price_change_percentage_30d"] == pytest.approx(25.05)
    assert btc["ath_date"] == datetime(2021, 11, 10, 14, 24, 11, 849000, tzinfo=UTC)
    assert quotes["ETH"].market["max_supply"] is None  # uncapped: null clears it
    assert quotes["SHIB"].market["atl"] == pytest.approx(5.6366e-11)


def test_the_request_asks_for_the_catalogue_coins_in_usd_with_changes() -> None:
    recorder = Recorder(markets)
    provider(recorder, FakeTime(), api_key="demo-key").fetch({"BTC": Decimal(1), "ETH": Decimal(1)})

    (request,) = recorder.requests
    assert request.url.path == "/api/v3/coins/markets"
    assert request.url.params["vs_currency"] == "usd"
    assert request.url.params["ids"] == "bitcoin,ethereum"
    assert request.url.params["price_change_percentage"] == "24h,7d,30d"
    assert request.headers["x-cg-demo-api-key"] == "demo-key"


def test_the_api_key_header_is_configurable_and_optional() -> None:
    pro, anonymous = Recorder(markets), Recorder(markets)
    provider(pro, FakeTime(), api_key="k", api_key_header="x-cg-pro-api-key").fetch(CURRENT)
    provider(anonymous, FakeTime()).fetch(CURRENT)

    assert pro.requests[0].headers["x-cg-pro-api-key"] == "k"
    assert not any(name.startswith("x-cg-") for name in anonymous.requests[0].headers)


def test_a_server_error_is_retried_with_exponential_backoff() -> None:
    recorder, time = Recorder(server_error, server_error, markets), FakeTime()
    quotes = provider(recorder, time).fetch(CURRENT)

    assert len(recorder.requests) == 3
    assert time.sleeps == [BACKOFF_INITIAL_SECONDS, 2 * BACKOFF_INITIAL_SECONDS]
    assert quotes["BTC"].price == Decimal("21109")


def test_a_lasting_server_error_fails_the_refresh_after_a_few_attempts() -> None:
    recorder = Recorder(server_error)
    with pytest.raises(PriceFeedError, match="500 Internal Server Error"):
        provider(recorder, FakeTime()).fetch(CURRENT)
    assert len(recorder.requests) == MAX_ATTEMPTS


def test_a_timeout_is_retried() -> None:
    recorder = Recorder(timeout, markets)
    quotes = provider(recorder, FakeTime()).fetch(CURRENT)
    assert len(recorder.requests) == 2
    assert "BTC" in quotes


def test_a_rate_limit_fails_at_once_and_pauses_until_retry_after() -> None:
    recorder, time = Recorder(rate_limited("60"), markets), FakeTime()
    coingecko = provider(recorder, time)

    with pytest.raises(PriceFeedError, match="rate limit"):
        coingecko.fetch(CURRENT)
    assert len(recorder.requests) == 1  # a 429 is not retried
    assert time.sleeps == []  # nor waited out on the feed's thread

    time.now += 59
    with pytest.raises(PriceFeedError, match="paused"):
        coingecko.fetch(CURRENT)
    assert len(recorder.requests) == 1  # no request while paused

    time.now += 2
    assert "BTC" in coingecko.fetch(CURRENT)
    assert len(recorder.requests) == 2


@pytest.mark.parametrize(
    ("header", "pause"),
    [
        (None, DEFAULT_RETRY_AFTER_SECONDS),
        ("not a number", DEFAULT_RETRY_AFTER_SECONDS),
        ("5", 5.0),
        (format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True), 0.0),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(header: str | None, pause: float) -> None:
    recorder, time = Recorder(rate_limited(header), markets), FakeTime()
    coingecko = provider(recorder, time)
    with pytest.raises(PriceFeedError, match="rate limit"):
        coingecko.fetch(CURRENT)

    if pause:
        time.now += pause - 0.5
        with pytest.raises(PriceFeedError, match="paused"):
            coingecko.fetch(CURRENT)
    time.now += 1
    assert "BTC" in coingecko.fetch(CURRENT)
    assert len(recorder.requests) == 2


def test_requests_are_at_least_the_minimum_interval_apart() -> None:
    recorder, time = Recorder(markets), FakeTime()
    coingecko = provider(recorder, time, min_interval=MIN_INTERVAL)

    coingecko.fetch(CURRENT)
    time.now += 0.5
    coingecko.fetch(CURRENT)

    assert time.sleeps == [MIN_INTERVAL - 0.5]
    assert len(recorder.requests) == 2


def test_a_client_error_is_not_retried() -> None:
    recorder = Recorder(lambda _request: httpx.Response(401, json={"error": "bad key"}))
    with pytest.raises(PriceFeedError, match="401"):
        provider(recorder, FakeTime()).fetch(CURRENT)
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("body", ["<html>busy</html>", '{"coins": []}'])
def test_an_unexpected_body_fails_the_refresh(body: str) -> None:
    recorder = Recorder(lambda _request: httpx.Response(200, text=body))
    with pytest.raises(PriceFeedError):
        provider(recorder, FakeTime()).fetch(CURRENT)


def test_many_assets_are_asked_for_in_pages() -> None:
    many = {f"A{index}": f"coin-{index}" for index in range(PAGE_SIZE + 10)}
    recorder = Recorder(lambda _request: httpx.Response(200, json=[]))
    coingecko = CoinGeckoProvider(
        many, base_url=BASE_URL, min_interval=0, transport=httpx.MockTransport(recorder)
    )
    assert coingecko.fetch(dict.fromkeys(many, Decimal(1))) == {}
    sizes = [len(request.url.params["ids"].split(",")) for request in recorder.requests]
    assert sizes == [PAGE_SIZE, 10]
