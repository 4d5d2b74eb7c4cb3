"""Inventory rules: what an asset id is, how the catalogue is listed, how precise a price is."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from shared.errors import ValidationFailed

ASSET_ID_PATTERN = re.compile(r"[A-Za-z0-9]{1,10}")
DEFAULT_LIST_LIMIT = 50
MAX_LIST_LIMIT = 250
MAX_PRICE_BATCH = 250
# Execution prices keep 8 decimal places, or 8 significant digits when that needs more,
# so that an asset worth 0.00001076 USD keeps its precision.
PRICE_DECIMAL_PLACES = 8
PRICE_SIGNIFICANT_DIGITS = 8
PRICE_CONTEXT_PRECISION = 60  # digits enough for any price at that precision


def normalise_asset_id(raw: str, field: str = "asset_id") -> str:
    """The upper-case asset id, or a 422 when it is not 1-10 letters or digits."""
    # Checked before upper-casing: "ß".upper() is "SS", which would pass afterwards.
    if not ASSET_ID_PATTERN.fullmatch(raw):
        raise ValidationFailed.field(field, "must be 1-10 letters or digits, such as BTC")
    return raw.upper()


def execution_price(raw: Decimal) -> Decimal:
    """`raw` rounded to the precision prices are stored and executed at, without zeros."""
    if not raw.is_finite() or raw <= 0:
        raise ValueError(f"a price must be a positive number, not {raw}")
    exponent = min(-PRICE_DECIMAL_PLACES, raw.adjusted() - (PRICE_SIGNIFICANT_DIGITS - 1))
    with localcontext(prec=PRICE_CONTEXT_PRECISION):
        return raw.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN).normalize()
