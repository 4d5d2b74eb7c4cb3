"""The public inventory routes through the real edge, against the session mesh.

The session mesh runs the default simulated market, so a price may move between two
calls; comparisons leave out the price and its timestamp.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

ASSETS = "/api/v1/inventory/assets"
ASSET_FIELDS = {
    "asset_id", "symbol", "name", "description", "category", "image", "price_usd",
    "is_active", "market_cap_rank", "market_cap", "total_volume_24h",
    "price_change_percentage_24h",
}  # fmt: skip
DETAIL_FIELDS = ASSET_FIELDS | {
    "availability_status", "price_change_24h", "price_change_percentage_7d",
    "price_change_percentage_30d", "high_24h", "low_24h", "circulating_supply",
    "total_supply", "max_supply", "ath", "ath_change_percentage", "ath_date", "atl",
    "atl_change_percentage", "atl_date", "last_updated",
}  # fmt: skip
MARKET_NUMBERS = ("price_usd", "market_cap", "total_volume_24h", "price_change_percentage_24h")
MOVING = {"price_usd", "last_updated"}
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def is_json_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def listing(api: httpx.Client, **params: str) -> dict[str, Any]:
    reply = api.get(ASSETS, params=params)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def detail(api: httpx.Client, asset_id: str) -> dict[str, Any]:
    reply = api.get(f"{ASSETS}/{asset_id}")
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["data"])


def test_the_catalogue_lists_at_least_100_assets_by_rank(api: httpx.Client) -> None:
    body = listing(api, limit="250")
    assets = body["data"]
    assert len(assets) >= 100
    assert len(assets) == body["total_count"] == body["active_count"]
    ranks = [asset["market_cap_rank"] for asset in assets]
    assert ranks == sorted(ranks)
    assert assets[0]["asset_id"] == "BTC"


def test_listed_assets_have_the_api_shape_with_market_data_as_numbers(api: httpx.Client) -> None:
    for asset in listing(api, limit="250")["data"]:
        assert set(asset) == ASSET_FIELDS, asset["asset_id"]
        assert asset["is_active"] is True
        for field in MARKET_NUMBERS:
            assert is_json_number(asset[field]), (asset["asset_id"], field, asset[field])
        assert asset["price_usd"] > 0


def test_the_default_page_is_50_assets(api: httpx.Client) -> None:
    body = listing(api)
    assert len(body["data"]) == 50
    assert body["total_count"] >= 100


def test_inactive_assets_are_listed_only_when_asked_for(api: httpx.Client) -> None:
    active = listing(api, limit="250")
    everything = listing(api, limit="250", active_only="false")

    assert everything["total_count"] > active["total_count"]
    assert everything["active_count"] == active["active_count"] == active["total_count"]
    assert len(everything["data"]) == everything["total_count"]
    inactive = [asset["asset_id"] for asset in everything["data"] if not asset["is_active"]]
    assert len(inactive) == everything["total_count"] - active["total_count"]
    assert "BTG" in inactive


@pytest.mark.parametrize("limit", ["0", "251", "-1"])
def test_a_limit_outside_1_to_250_is_refused(api: httpx.Client, limit: str) -> None:
    reply = api.get(ASSETS, params={"limit": limit})
    assert reply.status_code == 422
    body = reply.json()
    assert body["error"] == "VALIDATION_FAILED"
    assert [error["field"] for error in body["validation_errors"]] == ["limit"]


def test_an_asset_has_its_full_market_data(api: httpx.Client) -> None:
    btc = detail(api, "BTC")
    assert set(btc) == DETAIL_FIELDS
    assert btc["asset_id"] == "BTC"
    assert btc["name"] == "Bitcoin"
    assert btc["availability_status"] == "available"
    for field in (*MARKET_NUMBERS, "high_24h", "ath", "circulating_supply", "max_supply"):
        assert is_json_number(btc[field]), (field, btc[field])
    for field in ("last_updated", "ath_date", "atl_date"):
        assert RFC3339_UTC.fullmatch(btc[field]), (field, btc[field])


def test_an_uncapped_supply_is_null(api: httpx.Client) -> None:
    assert detail(api, "ETH")["max_supply"] is None


def test_lower_case_ids_mean_the_same_asset(api: httpx.Client) -> None:
    upper, lower = detail(api, "BTC"), detail(api, "btc")
    assert lower["asset_id"] == "BTC"
    assert {k: v for k, v in upper.items() if k not in MOVING} == {
        k: v for k, v in lower.items() if k not in MOVING
    }


def test_an_inactive_asset_is_unavailable(api: httpx.Client) -> None:
    btg = detail(api, "BTG")
    assert btg["is_active"] is False
    assert btg["availability_status"] == "unavailable"


@pytest.mark.parametrize("asset_id", ["BTC%21", "%20%20%20", "A" * 100, "UNKNOWN_ASSET"])
def test_a_malformed_asset_id_is_refused(api: httpx.Client, asset_id: str) -> None:
    reply = api.get(f"{ASSETS}/{asset_id}")
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert body["error"] == "VALIDATION_FAILED"
    assert [error["field"] for error in body["validation_errors"]] == ["asset_id"]


def test_an_unknown_asset_is_not_found(api: httpx.Client) -> None:
    reply = api.get(f"{ASSETS}/ZZZZ")
    assert reply.status_code == 404
    assert reply.json()["error"] == "NOT_FOUND"
