"""Where the price feed gets its quotes: the provider interface and the offline providers.

A provider's `fetch(current)` takes the catalogue's current prices (asset id to exact
`Decimal`) and returns a `Quote` for each asset it has a price for; an asset it cannot
price is left out, and a refresh that fails as a whole raises `PriceFeedError`, so the
feed keeps the last prices. The feed rounds every quote to the execution precision.

- `SimulatedProvider`: an offline market, the default. Each refresh moves every price by
  at most `max_step` (1 %) up or down, and never further than `band` (20 %) from the
  asset's snapshot price. The walk is reproducible: the same seed and the same sequence
  of calls give the same prices.
- `FileProvider`: prices that a test or a demo controls. Every refresh reads the JSON
  file again. Its format is one object whose keys are asset ids (case-insensitive) and
  whose values are prices, as strings or numbers, read exactly::

      {"BTC": "30123.45", "ETH": 1600.5, "SHIB": "0.00001076"}

  An asset missing from the file, or whose price is null, keeps its last price and ages.
  `"fail": true` in the object makes every refresh fail until it is removed, and so does
  a missing, unreadable or malformed file, or a price that is not a positive number.
  Write the file atomically (a temporary file, then `os.replace`) so that a refresh
  never reads half of it.
- `CoinGeckoProvider`, in `inventory.coingecko`: the live market.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Protocol

logger = logging.getLogger(__name__)

DEFAULT_MAX_STEP = Decimal("0.01")  # at most 1 % per refresh
DEFAULT_BAND = Decimal("0.20")  # at most 20 % away from the snapshot price
STEP_RESOLUTION = 10_000  # a step is a whole number of 1/10,000ths of `max_step`
SEED_BITS = 32
FAIL_KEY = "fail"

MarketValue = float | int | datetime | None


@dataclass(frozen=True, slots=True)
class Quote:
    """One asset's price from a provider, with any market data it also reports."""

    price: Decimal
    # AssetRecord attribute names to new values; an absent name keeps its value.
    market: Mapping[str, MarketValue] = field(default_factory=dict)


class PriceFeedError(Exception):
    """A refresh failed as a whole; the feed keeps the last prices."""


class PriceProvider(Protocol):
    """A source of quotes for the catalogue's assets."""

    name: str

    def fetch(self, current: Mapping[str, Decimal]) -> dict[str, Quote]:
        """Quotes for the assets of `current` this provider can price right now."""
        ...

    def close(self) -> None:
        """Releases connections; the provider is not used again."""
        ...


class SimulatedProvider:
    """A bounded random walk from the snapshot prices, reproducible from a seed."""

    name = "simulated"

    def __init__(
        self,
        anchors: Mapping[str, Decimal],
        seed: int | None = None,
        *,
        max_step: Decimal = DEFAULT_MAX_STEP,
        band: Decimal = DEFAULT_BAND,
    ) -> None:
        if seed is None:
            seed = random.SystemRandom().getrandbits(SEED_BITS)
            logger.info("simulated market seed %d", seed, extra={"event": "price_feed"})
        self.seed = seed
        self._random = random.Random(seed)  # noqa: S311 - a simulation, not a secret
        self._max_step = max_step
        self._bounds = {
            asset_id: (anchor * (1 - band), anchor * (1 + band))
            for asset_id, anchor in anchors.items()
        }

    def bounds(self, asset_id: str) -> tuple[Decimal, Decimal]:
        """The lowest and highest price the walk gives `asset_id`."""
        return self._bounds[asset_id]

    def fetch(self, current: Mapping[str, Decimal]) -> dict[str, Quote]:
        # Sorted, so that the sequence of random draws does not depend on dict order.
        return {
            asset_id: Quote(self._step(asset_id, current[asset_id]))
            for asset_id in sorted(current)
            if asset_id in self._bounds
        }

    def close(self) -> None:
        pass

    def _step(self, asset_id: str, price: Decimal) -> Decimal:
        low, high = self._bounds[asset_id]
        draw = self._random.randint(-STEP_RESOLUTION, STEP_RESOLUTION)
        moved = price * (1 + self._max_step * draw / STEP_RESOLUTION)
        return min(max(moved, low), high)


class FileProvider:
    """Prices read from a JSON file on every refresh (see the module docstring)."""

    name = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def fetch(self, current: Mapping[str, Decimal]) -> dict[str, Quote]:
        document = self._read()
        if document.get(FAIL_KEY) is True:
            raise PriceFeedError(f"the price file {self.path} asks for a failed refresh")
        quotes = {}
        for key, value in document.items():
            asset_id = key.upper()
            if key == FAIL_KEY or asset_id not in current or value is None:
                continue
            quotes[asset_id] = Quote(_positive_price(key, value))
        return quotes

    def close(self) -> None:
        pass

    def _read(self) -> dict[str, object]:
        try:
            document = json.loads(self.path.read_text(), parse_float=Decimal)
        except OSError as error:
            raise PriceFeedError(f"cannot read the price file {self.path}: {error}") from error
        except ValueError as error:
            raise PriceFeedError(f"the price file {self.path} is not JSON: {error}") from error
        if not isinstance(document, dict):
            raise PriceFeedError(f"the price file {self.path} must hold one JSON object")
        return document


def _positive_price(key: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise PriceFeedError(f"the price of {key} must be a number or a numeric string")
    try:
        price = Decimal(value)
    except InvalidOperation as error:
        raise PriceFeedError(f"the price of {key} is not a number: {value!r}") from error
    if not price.is_finite() or price <= 0:
        raise PriceFeedError(f"the price of {key} must be positive, not {value}")
    return price
