"""The asset table: one item per asset, with its exact execution price and market data."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from shared.dynamo import DecimalAttribute


class AssetRecord(Model):
    """One tradeable asset. Market data are floats for charts; `price` is exact."""

    class Meta:
        table_name = "assets"

    asset_id = UnicodeAttribute(hash_key=True)
    symbol = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute()
    category = UnicodeAttribute()
    image = UnicodeAttribute()
    price = DecimalAttribute()
    is_active = BooleanAttribute()
    market_cap_rank = NumberAttribute()
    market_cap = NumberAttribute()
    total_volume_24h = NumberAttribute()
    price_change_24h = NumberAttribute(null=True)
    price_change_percentage_24h = NumberAttribute(null=True)
    price_change_percentage_7d = NumberAttribute(null=True)
    price_change_percentage_30d = NumberAttribute(null=True)
    high_24h = NumberAttribute(null=True)
    low_24h = NumberAttribute(null=True)
    circulating_supply = NumberAttribute(null=True)
    total_supply = NumberAttribute(null=True)
    max_supply = NumberAttribute(null=True)
    ath = NumberAttribute(null=True)
    ath_change_percentage = NumberAttribute(null=True)
    ath_date = UTCDateTimeAttribute(null=True)
    atl = NumberAttribute(null=True)
    atl_change_percentage = NumberAttribute(null=True)
    atl_date = UTCDateTimeAttribute(null=True)
    last_updated = UTCDateTimeAttribute()


MODELS: list[type[Model]] = [AssetRecord]
