"""The offline providers (simulated market, price file) and the execution-price rule."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest

from inventory.catalogue import read_snapshot
from inventory.providers import (
    DEFAULT_BAND,
    DEFAULT_MAX_STEP,
    FileProvider,
    PriceFeedError,
    SimulatedProvider,
)
from inventory.rules import execution_price

ANCHORS = {record.asset_id: record.price for record in read_snapshot()}
STEPS = 300
# The feed rounds each quote to 8 significant digits, which may move it by half a unit
# of the 8th digit; bounds and steps hold up to that much.
ROUNDING = Decimal("1e-7")


def walk(provider: SimulatedProvider, steps: int) -> list[dict[str, Decimal]]:
    """The prices of `steps` refreshes, each fed back rounded, as the feed does."""
    current = dict(ANCHORS)
    history = []
    for _ in range(steps):
        current = {key: execution_price(q.price) for key, q in provider.fetch(current).items()}
        history.append(current)
    return history


def test_the_same_seed_gives_the_same_market() -> None:
    assert walk(SimulatedProvider(ANCHORS, seed=7), 50) == walk(SimulatedProvider(ANCHORS, 7), 50)


def test_another_seed_gives_another_market() -> None:
    assert walk(SimulatedProvider(ANCHORS, seed=7), 5) != walk(SimulatedProvider(ANCHORS, 8), 5)


def test_an_unseeded_market_picks_a_seed_that_replays_it() -> None:
    first = SimulatedProvider(ANCHORS)
    assert walk(first, 20) == walk(SimulatedProvider(ANCHORS, first.seed), 20)


def test_prices_move_and_stay_in_the_band_around_the_snapshot() -> None:
    history = walk(SimulatedProvider(ANCHORS, seed=1), STEPS)
    for asset_id, anchor in ANCHORS.items():
        prices = [step[asset_id] for step in history]
        assert len(set(prices)) > 1, f"{asset_id} never moved"
        for price in prices:
            assert abs(price / anchor - 1) <= DEFAULT_BAND + ROUNDING, (asset_id, price)


def test_each_step_is_at_most_the_maximum_step() -> None:
    history = walk(SimulatedProvider(ANCHORS, seed=2), STEPS)
    for before, after in itertools.pairwise(history):
        for asset_id, price in after.items():
            assert abs(price / before[asset_id] - 1) <= DEFAULT_MAX_STEP + ROUNDING


def test_prices_are_exact_decimals_and_unknown_assets_get_none() -> None:
    quotes = SimulatedProvider({"BTC": Decimal("21109")}, seed=3).fetch(
        {"BTC": Decimal("21109"), "NEW": Decimal(5)}
    )
    assert set(quotes) == {"BTC"}
    assert isinstance(quotes["BTC"].price, Decimal)


def write(path: Path, document: object) -> None:
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)


CURRENT = {"BTC": Decimal(1), "ETH": Decimal(1), "SHIB": Decimal(1)}


def test_the_price_file_gives_exact_prices_for_known_assets(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    write(path, '{"BTC": "30123.45", "eth": 1600.1, "SHIB": 0.00001076, "ZZZ": "1"}')
    quotes = FileProvider(path).fetch(CURRENT)
    assert {key: quote.price for key, quote in quotes.items()} == {
        "BTC": Decimal("30123.45"),
        "ETH": Decimal("1600.1"),
        "SHIB": Decimal("0.00001076"),
    }


def test_the_price_file_is_read_again_on_every_refresh(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    provider = FileProvider(path)
    write(path, {"BTC": "1"})
    assert provider.fetch(CURRENT)["BTC"].price == 1
    write(path, {"BTC": "2", "ETH": None})
    assert {key: q.price for key, q in provider.fetch(CURRENT).items()} == {"BTC": 2}


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        ({"fail": True, "BTC": "1"}, "asks for a failed refresh"),
        ("{not json", "not JSON"),
        (["BTC", "1"], "one JSON object"),
        ({"BTC": "-1"}, "positive"),
        ({"BTC": "cheap"}, "not a number"),
        ({"BTC": True}, "number or a numeric string"),
        ({"BTC": "NaN"}, "positive"),
    ],
)
def test_a_bad_price_file_fails_the_refresh(tmp_path: Path, contents: object, message: str) -> None:
    path = tmp_path / "prices.json"
    write(path, contents)
    with pytest.raises(PriceFeedError, match=message):
        FileProvider(path).fetch(CURRENT)


def test_a_missing_price_file_fails_the_refresh(tmp_path: Path) -> None:
    with pytest.raises(PriceFeedError, match="cannot read"):
        FileProvider(tmp_path / "absent.json").fetch(CURRENT)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("21109", "21109"),
        ("21109.123456789", "21109.12345679"),
        ("0.998417", "0.998417"),
        ("0.0000107612345678", "0.000010761235"),
        ("1.076e-05", "0.00001076"),
        ("100.000", "100"),
    ],
)
def test_execution_prices_keep_8_places_or_8_significant_digits(raw: str, stored: str) -> None:
    assert format(execution_price(Decimal(raw)), "f") == stored


@pytest.mark.parametrize("raw", ["0", "-1", "NaN", "Infinity"])
def test_an_execution_price_must_be_positive(raw: str) -> None:
    with pytest.raises(ValueError, match="positive"):
        execution_price(Decimal(raw))
