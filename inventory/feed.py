"""The price feed: refreshes the catalogue's prices from a provider, on a background thread.

Every `price_refresh_seconds` the replica that holds the feed lease (`inventory.lease`)
runs one `PriceFeed.refresh`: fetch quotes, round them to the execution precision, write
the quoted assets with their new `last_updated` to the table in one batch, then swap the
in-memory catalogue. The other replicas reload the catalogue from the table instead (one
Scan per interval, never one per request).

A refresh that fails keeps the last prices: their `last_updated` stays put, so their age
grows where the order service can see it, and `cnop_price_feed_age_seconds` rises. The
failure is logged once per refresh, at WARNING only when the feed starts failing (later
failures at DEBUG) and at INFO when it recovers, so a long outage does not flood the log.

Metrics (prometheus_client's default registry; served by whoever exposes /metrics):

- `cnop_price_feed_age_seconds{provider}`: seconds since the freshest active price.
- `cnop_price_refresh_failures_total{provider}`: refreshes that failed.
- `cnop_price_feed_leader`: 1 while this replica runs the feed, else 0.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import Counter, Gauge

from inventory.catalogue import Catalogue, CatalogueView
from inventory.lease import FeedLease
from inventory.providers import PriceProvider, Quote
from inventory.rules import execution_price
from inventory.store import AssetRecord

logger = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 5.0
CATALOGUE_WAIT_SECONDS = 0.5
MAX_REASON_CHARS = 300

PRICE_FEED_AGE = Gauge(
    "cnop_price_feed_age_seconds",
    "Seconds since the freshest price of an active asset was refreshed.",
    ["provider"],
)
PRICE_REFRESH_FAILURES = Counter(
    "cnop_price_refresh_failures",
    "Price refreshes that failed and kept the last prices.",
    ["provider"],
)
PRICE_FEED_LEADER = Gauge(
    "cnop_price_feed_leader", "1 while this replica runs the price feed, else 0."
)

SaveRecords = Callable[[list[AssetRecord]], None]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def save_records(records: list[AssetRecord]) -> None:
    """Writes whole asset items in batches of 25, retrying unprocessed items."""
    with AssetRecord.batch_write() as batch:
        for record in records:
            batch.save(record)


class Outage:
    """Logs a recurring failure once as it starts and once as it ends, not every time."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.failures = 0

    def failed(self, error: BaseException) -> None:
        self.failures += 1
        level = logging.WARNING if self.failures == 1 else logging.DEBUG
        logger.log(level, "%s failed: %s", self.what, _reason(error), extra=_EVENT)

    def succeeded(self) -> None:
        if self.failures:
            logger.info("%s recovered after %d failures", self.what, self.failures, extra=_EVENT)
        self.failures = 0


class PriceFeed:
    """One refresh of the catalogue's prices from a provider."""

    def __init__(
        self,
        catalogue: Catalogue,
        provider: PriceProvider,
        *,
        save: SaveRecords = save_records,
        now: Clock = utc_now,
    ) -> None:
        self.catalogue = catalogue
        self.provider = provider
        self._save = save
        self._now = now
        self._outage = Outage("price refresh")
        PRICE_FEED_AGE.labels(provider.name).set_function(self.age_seconds)
        PRICE_REFRESH_FAILURES.labels(provider.name)  # exported at 0 from the start

    def refresh(self) -> bool:
        """Fetches, saves and swaps in new prices; False (last prices kept) on failure."""
        try:
            updated = self._fetch_and_save(self.catalogue.view)
        except Exception as error:  # any failure of a refresh must leave the last prices
            PRICE_REFRESH_FAILURES.labels(self.provider.name).inc()
            self._outage.failed(error)
            return False
        self.catalogue.update(updated)
        self._outage.succeeded()
        logger.debug("refreshed %d prices", len(updated), extra=_EVENT)
        return True

    def age_seconds(self) -> float:
        """Seconds since the freshest active asset's price was refreshed."""
        freshest = max((r.last_updated for r in self.catalogue.view.active_by_rank), default=None)
        return 0.0 if freshest is None else (self._now() - freshest).total_seconds()

    def _fetch_and_save(self, view: CatalogueView) -> list[AssetRecord]:
        quotes = self.provider.fetch({key: record.price for key, record in view.by_id.items()})
        now = self._now()
        updated = [
            _quoted(view.by_id[key], quote, now)
            for key, quote in quotes.items()
            if key in view.by_id and _valid(key, quote)
        ]
        self._save(updated)
        return updated


class FeedRunner:
    """Runs the feed on a thread: refreshes while leading, reloads the table otherwise."""

    def __init__(self, feed: PriceFeed, lease: FeedLease | None, interval_seconds: float) -> None:
        self.feed = feed
        self._lease = lease
        self._interval = interval_seconds
        self._leading = False
        self._reloads = Outage("catalogue reload")
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="price-feed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(STOP_TIMEOUT_SECONDS)

    def tick(self) -> bool:
        """One interval's work; False while the catalogue has not been loaded yet."""
        if not self.feed.catalogue.loaded:
            return False
        leading = self._lease.hold() if self._lease is not None else True
        PRICE_FEED_LEADER.set(int(leading))
        if not leading:
            self._leading = False
            self._reload()
            return True
        if not self._leading:
            # A new leader first picks up what the previous one wrote.
            self._leading = self._reload()
        if self._leading:
            self.feed.refresh()
        return True

    def _run(self) -> None:
        try:
            while not self._stopped.is_set():
                started = time.monotonic()
                # Until the store is up and the catalogue loaded, look again soon: the
                # first prices should not wait a whole interval after start-up.
                interval = self._interval if self.tick() else CATALOGUE_WAIT_SECONDS
                self._stopped.wait(max(0.0, interval - (time.monotonic() - started)))
        finally:
            if self._lease is not None:
                self._lease.release()
            self.feed.provider.close()

    def _reload(self) -> bool:
        try:
            self.feed.catalogue.reload()
        except Exception as error:  # DynamoDB away: keep serving the last picture
            self._reloads.failed(error)
            return False
        self._reloads.succeeded()
        return True


def _valid(asset_id: str, quote: Quote) -> bool:
    if quote.price.is_finite() and quote.price > 0:
        return True
    logger.debug("ignoring the price %s of %s", quote.price, asset_id, extra=_EVENT)
    return False


def _quoted(record: AssetRecord, quote: Quote, now: datetime) -> AssetRecord:
    """A new record: `record` with the quote's price and market data, refreshed `now`."""
    values = {
        **record.attribute_values,
        **quote.market,
        "price": execution_price(quote.price),
        "last_updated": now,
    }
    return AssetRecord(**values)


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:MAX_REASON_CHARS]


_EVENT = {"event": "price_feed"}
