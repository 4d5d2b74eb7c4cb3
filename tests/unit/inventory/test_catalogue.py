"""The dated catalogue snapshot that ships with the inventory package, and its rules."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from inventory.catalogue import SNAPSHOT_PATH, Catalogue, market_ids, read_snapshot
from inventory.rules import normalise_asset_id
from shared.errors import ValidationFailed

REPO = Path(__file__).parents[3]
RECORDED_MARKETS = REPO / "tests" / "fixtures" / "coingecko" / "markets_page1.json"


def test_the_snapshot_holds_at_least_100_distinct_valid_assets() -> None:
    records = read_snapshot()
    assert len(records) >= 100
    assert len({record.asset_id for record in records}) == len(records)
    assert len({record.market_cap_rank for record in records}) == len(records)
    for record in records:
        assert normalise_asset_id(record.asset_id) == record.asset_id
        assert isinstance(record.price, Decimal)
        assert record.price > 0
        assert record.last_updated.tzinfo is not None


def test_the_snapshot_keeps_cheap_prices_exact() -> None:
    prices = {record.asset_id: record.price for record in read_snapshot()}
    assert prices["SHIB"] == Decimal("0.00001076")
    assert prices["BTT"] == Decimal("0.00000073")


def test_every_asset_names_its_own_coingecko_id() -> None:
    ids = market_ids()
    assert set(ids) == {record.asset_id for record in read_snapshot()}
    assert len(set(ids.values())) == len(ids)
    coins = json.loads(RECORDED_MARKETS.read_text())
    recorded = {coin["symbol"].upper(): coin["id"] for coin in coins}
    for asset_id, coin_id in ids.items():
        if asset_id in recorded:
            assert coin_id == recorded[asset_id], asset_id


def test_the_snapshot_is_package_data() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["inventory"]
    relative = SNAPSHOT_PATH.relative_to(REPO / "inventory")
    assert any(relative.match(pattern) for pattern in patterns)


def test_a_catalogue_lists_by_rank_and_knows_the_active_assets() -> None:
    catalogue = Catalogue()
    records = read_snapshot()
    catalogue.replace(sorted(records, key=lambda record: record.market_cap_rank))
    view = catalogue.view
    assert [r.market_cap_rank for r in view.by_rank] == sorted(r.market_cap_rank for r in records)
    assert {r.asset_id for r in view.active_by_rank} == {r.asset_id for r in records if r.is_active}
    assert len(view.active_by_rank) < len(view.by_rank)


@pytest.mark.parametrize("raw", ["btc", "BTC", "1inch", "A", "ABCDEFGHIJ"])
def test_asset_ids_of_1_to_10_letters_or_digits_are_upper_cased(raw: str) -> None:
    assert normalise_asset_id(raw) == raw.upper()


@pytest.mark.parametrize("raw", ["", "   ", "BTC!", "UNKNOWN_ASSET", "A" * 11, "ß", "bt c"])
def test_other_asset_ids_are_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed):
        normalise_asset_id(raw)
