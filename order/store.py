"""The order service's tables: orders, holdings and the asset ledger.

Keys are chosen so that every list is one query on the user's partition: an order id
begins with its creation time in hex, so orders sort newest first by key; asset ledger
entries sort by asset, then time. The cash side of a trade lives in the user service's
tables (`user.store`), written in the same transaction.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from shared.dynamo import DecimalAttribute


class OrderRecord(Model):
    """One order of one user."""

    class Meta:
        table_name = "orders"

    username = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute(range_key=True)  # "<creation time, hex µs><random>"
    order_type = NumberAttribute()  # a cnop.order.v1.OrderType value
    asset_id = UnicodeAttribute()
    quantity = DecimalAttribute()
    price = DecimalAttribute()
    total_amount = DecimalAttribute()
    status = NumberAttribute()  # a cnop.order.v1.OrderStatus value
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class HoldingRecord(Model):
    """How much of one asset a user holds. Conditions keep `quantity` from going negative."""

    class Meta:
        table_name = "holdings"

    username = UnicodeAttribute(hash_key=True)
    asset_id = UnicodeAttribute(range_key=True)
    quantity = DecimalAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class AssetLedgerEntry(Model):
    """One trade of an asset, signed: units out are negative."""

    class Meta:
        table_name = "asset-ledger"

    username = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)  # "<asset id>#<order id>"
    asset_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    transaction_type = NumberAttribute()  # a cnop.order.v1.AssetTransactionType value
    quantity = DecimalAttribute()  # signed
    price = DecimalAttribute()
    total_amount = DecimalAttribute()
    status = NumberAttribute()  # the order's status
    created_at = UTCDateTimeAttribute()


MODELS: list[type[Model]] = [OrderRecord, HoldingRecord, AssetLedgerEntry]
