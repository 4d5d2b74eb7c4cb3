"""Exact money and quantities: parsing client text into Decimal and writing it back.

Amounts arrive as the exact text of a JSON string or number (the edge never passes them
through a float) and are parsed here with `Decimal`. Cash has exactly 2 decimal places
on output; quantities up to 8.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from shared.errors import ValidationFailed

CENT = Decimal("0.01")
QUANTITY_STEP = Decimal("0.00000001")
MAX_TEXT_LENGTH = 40  # longer than any amount a client can mean; refuse before parsing
DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def parse_decimal(text: str, field: str) -> Decimal:
    """A Decimal from plain decimal text ("12.50", "-3"), or a 422 on `field`.

    Only ASCII digits with an optional sign and point pass: Python's Decimal would also
    read "1_0", "+5", " 5 ", other scripts' digits and "NaN", none of which a client
    means as an amount. (The edge writes JSON numbers, exponents included, as plain text.)
    """
    if len(text) > MAX_TEXT_LENGTH or not DECIMAL_TEXT.fullmatch(text):
        raise ValidationFailed.field(field, "must be a decimal number such as 12.50")
    return Decimal(text)


def has_at_most_places(value: Decimal, places: int) -> bool:
    """Whether `value` needs no more than `places` decimal places ("1.50" needs 1)."""
    return value == value.quantize(Decimal(1).scaleb(-places))


def to_cents(value: Decimal) -> Decimal:
    """`value` rounded half-up to whole cents, for showing a value."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def cents_to_pay(value: Decimal) -> Decimal:
    """What is owed for `value`, in whole cents: any fraction of a cent rounds up."""
    return value.quantize(CENT, rounding=ROUND_CEILING)


def cents_to_receive(value: Decimal) -> Decimal:
    """What is paid out for `value`, in whole cents: any fraction of a cent rounds down."""
    return value.quantize(CENT, rounding=ROUND_FLOOR)


def format_cash(value: Decimal) -> str:
    """Cash as a string with exactly 2 decimal places: "12.50"."""
    return format(value.quantize(CENT), "f")


def format_price(value: Decimal) -> str:
    """A price with at least 2 decimal places and as many more as it has: "30000.00",
    "0.07312345"."""
    if has_at_most_places(value, 2):
        return format_cash(value)
    return format(value.normalize(), "f")


def format_quantity(value: Decimal) -> str:
    """A quantity as a plain decimal string without trailing zeros: "0.5"."""
    return format(value.quantize(QUANTITY_STEP).normalize(), "f")
