"""JSON to protobuf and back by the API's conventions, without any server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cnop.inventory.v1 import inventory_pb2
from cnop.order.v1 import order_pb2
from cnop.user.v1 import user_pb2

from edge.transcode import BadJson, json_to_message, message_to_json, parse_json
from shared.errors import ValidationFailed


def fields_of(error: ValidationFailed) -> dict[str, str]:
    return {violation.field: violation.message for violation in error.violations}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'{"amount": 0.1}', "0.1"),
        (b'{"amount": 12.50}', "12.50"),
        (b'{"amount": 100}', "100"),
        (b'{"amount": 1e2}', "100"),
        (b'{"amount": 0.30000000000000004}', "0.30000000000000004"),
        (b'{"amount": "0.1"}', "0.1"),
    ],
)
def test_decimal_fields_keep_the_exact_json_text(text: bytes, expected: str) -> None:
    message = json_to_message(user_pb2.DepositRequest, parse_json(text))
    assert message.amount == expected


def test_both_spellings_of_a_field_name_are_accepted() -> None:
    body = {"order_type": "market_buy", "assetId": "BTC", "quantity": "1"}
    message = json_to_message(order_pb2.CreateOrderRequest, body)
    assert message.asset_id == "BTC"
    assert message.order_type == order_pb2.ORDER_TYPE_MARKET_BUY


def test_unknown_wrong_typed_and_missing_fields_are_each_named() -> None:
    body = {"order_type": "market_buy", "quantity": True, "colour": "red"}
    with pytest.raises(ValidationFailed) as failed:
        json_to_message(order_pb2.CreateOrderRequest, body)
    assert fields_of(failed.value) == {
        "colour": "is not a known field",
        "quantity": "must be a decimal number or a string holding one",
        "asset_id": "is required",
    }


def test_an_unknown_enum_value_lists_the_valid_ones() -> None:
    body = {"order_type": "market_hold", "asset_id": "BTC", "quantity": "1"}
    with pytest.raises(ValidationFailed) as failed:
        json_to_message(order_pb2.CreateOrderRequest, body)
    assert "market_buy" in fields_of(failed.value)["order_type"]


def test_a_string_is_not_a_number_and_a_number_is_not_a_string() -> None:
    with pytest.raises(ValidationFailed) as failed:
        json_to_message(user_pb2.LoginRequest, {"username": 12345678, "password": "x"})
    assert fields_of(failed.value) == {"username": "must be a string"}


def test_a_body_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        json_to_message(user_pb2.LoginRequest, ["username"])


@pytest.mark.parametrize("text", [b"{", b"not json", b"NaN", b'{"amount": Infinity}', b"\xff"])
def test_text_that_is_not_json_is_bad_json(text: bytes) -> None:
    with pytest.raises(BadJson):
        parse_json(text)


def test_query_parameters_are_typed_by_the_request_message() -> None:
    query = {"limit": ["5"], "active_only": ["false"], "utm_source": ["x"]}
    message = json_to_message(inventory_pb2.ListAssetsRequest, None, query=query)
    assert message.limit == 5
    assert message.HasField("active_only")
    assert not message.active_only
    with pytest.raises(ValidationFailed) as failed:
        json_to_message(inventory_pb2.ListAssetsRequest, None, query={"limit": ["ten"]})
    assert fields_of(failed.value) == {"limit": "must be a whole number"}


def test_output_is_snake_case_with_enums_timestamps_and_nulls() -> None:
    order = order_pb2.Order(
        order_id="o1",
        order_type=order_pb2.ORDER_TYPE_MARKET_SELL,
        quantity="0.5",
        status=order_pb2.ORDER_STATUS_COMPLETED,
    )
    order.created_at.FromJsonString("2026-01-02T03:04:05Z")
    body = message_to_json(order)
    assert body["order_type"] == "market_sell"
    assert body["status"] == "completed"
    assert body["quantity"] == "0.5"
    assert body["created_at"] == "2026-01-02T03:04:05Z"
    assert body["updated_at"] is None
    listing = message_to_json(order_pb2.ListOrdersResponse(has_more=False))
    assert listing == {"data": [], "has_more": False, "next_cursor": None}


def test_enum_values_with_their_own_spelling_use_it() -> None:
    trade = order_pb2.AssetTransaction(transaction_type=order_pb2.ASSET_TRANSACTION_TYPE_BUY)
    assert message_to_json(trade)["transaction_type"] == "BUY"


def test_market_data_are_json_numbers() -> None:
    asset = inventory_pb2.Asset(price_usd=0.00001234, market_cap=1.5e9)
    body = message_to_json(asset)
    assert body["price_usd"] == 0.00001234
    assert isinstance(body["market_cap"], float)
    assert Decimal(str(body["price_usd"])) == Decimal("0.00001234")
