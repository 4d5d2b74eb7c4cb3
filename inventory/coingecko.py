"""Quotes from the CoinGecko markets API, careful with its rate limits.

One refresh is one `GET {base}/coins/markets?vs_currency=usd&ids=...` per 250 assets,
mapped to the catalogue by each snapshot entry's `coingecko_id` (symbols are ambiguous on
CoinGecko: many coins share one). The body is parsed with `parse_float=Decimal`, so a
price such as `1.076e-05` stays exact; a coin without a price is skipped.

Being a good client of a free API:

- every request has a timeout, and requests are at least `min_interval` seconds apart;
- a timeout, a connection error or a 5xx is retried a few times with exponential backoff;
- a 429 is not retried: the refresh fails, and no request is sent until its `Retry-After`
  has passed (60 s when the header is absent), so a rate limit is never hammered;
- any other error status fails the refresh at once (a wrong API key will not heal).

The clock and the sleep are injectable, so tests replay recorded answers without waiting.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from inventory.providers import MarketValue, PriceFeedError, Quote

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.coingecko.com/api/v3"
DEFAULT_API_KEY_HEADER = "x-cg-demo-api-key"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_ATTEMPTS = 3
BACKOFF_INITIAL_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 8.0
DEFAULT_MIN_INTERVAL_SECONDS = 2.0  # the free plan allows about 30 calls a minute
DEFAULT_RETRY_AFTER_SECONDS = 60.0
MAX_RETRY_AFTER_SECONDS = 3600.0
PAGE_SIZE = 250
MAX_ERROR_TEXT = 200
TOO_MANY_REQUESTS = 429

# CoinGecko field -> AssetRecord attribute. Null clears the attribute, except for those
# in _REQUIRED, which keep their last value.
_MARKET_FIELDS = {
    "market_cap_rank": "market_cap_rank",
    "market_cap": "market_cap",
    "total_volume": "total_volume_24h",
    "price_change_24h": "price_change_24h",
    "price_change_percentage_24h": "price_change_percentage_24h",
    "price_change_percentage_7d_in_currency": "price_change_percentage_7d",
    "price_change_percentage_30d_in_currency": "price_change_percentage_30d",
    "high_24h": "high_24h",
    "low_24h": "low_24h",
    "circulating_supply": "circulating_supply",
    "total_supply": "total_supply",
    "max_supply": "max_supply",
    "ath": "ath",
    "ath_change_percentage": "ath_change_percentage",
    "atl": "atl",
    "atl_change_percentage": "atl_change_percentage",
}
_DATE_FIELDS = ("ath_date", "atl_date")
_REQUIRED = frozenset({"market_cap_rank", "market_cap", "total_volume_24h"})


class _Transient(PriceFeedError):
    """A failure worth retrying within the same refresh."""


class CoinGeckoProvider:
    """Quotes for the catalogue from CoinGecko's `/coins/markets`."""

    name = "coingecko"

    def __init__(
        self,
        market_ids: Mapping[str, str],
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        api_key_header: str = DEFAULT_API_KEY_HEADER,
        min_interval: float = DEFAULT_MIN_INTERVAL_SECONDS,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {"accept": "application/json"}
        if api_key:
            headers[api_key_header] = api_key
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=TIMEOUT, transport=transport
        )
        self._market_ids = dict(market_ids)
        self._min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._last_request: float | None = None
        self._paused_until: float | None = None
        self._retrying = Retrying(
            stop=stop_after_attempt(MAX_ATTEMPTS),
            wait=wait_exponential(multiplier=BACKOFF_INITIAL_SECONDS, max=BACKOFF_MAX_SECONDS),
            retry=retry_if_exception_type(_Transient),
            sleep=sleep,
            reraise=True,
        )

    def fetch(self, current: Mapping[str, Decimal]) -> dict[str, Quote]:
        assets_by_coin = {
            self._market_ids[asset_id]: asset_id
            for asset_id in current
            if asset_id in self._market_ids
        }
        quotes: dict[str, Quote] = {}
        for coin_ids in _pages(sorted(assets_by_coin)):
            for coin in self._retrying(self._markets, coin_ids):
                asset_id = assets_by_coin.get(str(coin.get("id")))
                quote = _quote(coin)
                if asset_id is not None and quote is not None:
                    quotes[asset_id] = quote
        return quotes

    def close(self) -> None:
        self._client.close()

    def _markets(self, coin_ids: Sequence[str]) -> list[dict[str, Any]]:
        self._wait_for_turn()
        params = {
            "vs_currency": "usd",
            "ids": ",".join(coin_ids),
            "per_page": str(PAGE_SIZE),
            "price_change_percentage": "24h,7d,30d",
        }
        try:
            response = self._client.get("/coins/markets", params=params)
        except httpx.TransportError as error:
            raise _Transient(f"CoinGecko did not answer: {type(error).__name__}") from error
        finally:
            self._last_request = self._clock()
        return _markets_body(self._checked(response))

    def _wait_for_turn(self) -> None:
        now = self._clock()
        if self._paused_until is not None and now < self._paused_until:
            raise PriceFeedError(
                f"CoinGecko rate limit: paused for {self._paused_until - now:.0f} s more"
            )
        if self._last_request is not None:
            wait = self._last_request + self._min_interval - now
            if wait > 0:
                self._sleep(wait)

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.status_code == TOO_MANY_REQUESTS:
            pause = _retry_after_seconds(response.headers.get("retry-after"))
            self._paused_until = self._clock() + pause
            raise PriceFeedError(f"CoinGecko rate limit (429): pausing for {pause:.0f} s")
        if response.status_code >= httpx.codes.INTERNAL_SERVER_ERROR:
            raise _Transient(f"CoinGecko answered {_describe(response)}")
        if response.is_error:
            raise PriceFeedError(f"CoinGecko refused the request: {_describe(response)}")
        return response


def _pages(coin_ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(coin_ids), PAGE_SIZE):
        yield coin_ids[start : start + PAGE_SIZE]


def _markets_body(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = json.loads(response.text, parse_float=Decimal)
    except ValueError as error:
        raise PriceFeedError("CoinGecko answered something that is not JSON") from error
    if not isinstance(body, list):
        raise PriceFeedError("CoinGecko answered JSON that is not a list of coins")
    return [coin for coin in body if isinstance(coin, dict)]


def _quote(coin: Mapping[str, Any]) -> Quote | None:
    price = coin.get("current_price")
    if isinstance(price, bool) or not isinstance(price, int | Decimal):
        logger.debug("no price for %s", coin.get("id"), extra={"event": "price_feed"})
        return None
    market: dict[str, MarketValue] = {}
    for source, attribute in _MARKET_FIELDS.items():
        if source in coin:
            value = _number(coin[source])
            if value is not None or attribute not in _REQUIRED:
                market[attribute] = value
    for name in _DATE_FIELDS:
        if name in coin:
            market[name] = _moment(coin[name])
    return Quote(Decimal(price), market)


def _number(value: object) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    # Market data are for charts: floats are fine there; only `price` must stay exact.
    return value if isinstance(value, int) else float(value)


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        return None


def _retry_after_seconds(header: str | None) -> float:
    """The pause a `Retry-After` header asks for: seconds, or an HTTP date."""
    if not header:
        return DEFAULT_RETRY_AFTER_SECONDS
    try:
        seconds = float(header)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return DEFAULT_RETRY_AFTER_SECONDS
    if not math.isfinite(seconds):
        return DEFAULT_RETRY_AFTER_SECONDS
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def _describe(response: httpx.Response) -> str:
    try:
        message = response.json()["status"]["error_message"]
    except (ValueError, KeyError, TypeError):
        message = response.reason_phrase
    return f"{response.status_code} {str(message)[:MAX_ERROR_TEXT]}"
