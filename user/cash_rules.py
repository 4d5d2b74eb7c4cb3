"""Cash rules of the API: what a deposit or withdrawal amount and description may be."""

from __future__ import annotations

from decimal import Decimal

from shared.errors import ValidationFailed
from shared.money import has_at_most_places, parse_decimal
from shared.text import contains_control_characters, contains_markup

MAX_AMOUNT = Decimal("1000000")
CASH_PLACES = 2
MAX_DESCRIPTION = 100


def parse_cash_amount(text: str) -> Decimal:
    """The amount of a deposit or withdrawal: more than 0, at most 1,000,000, in cents."""
    amount = parse_decimal(text, "amount")
    if amount <= 0:
        raise ValidationFailed.field("amount", "must be greater than 0")
    if amount > MAX_AMOUNT:
        raise ValidationFailed.field("amount", "must be at most 1000000")
    if not has_at_most_places(amount, CASH_PLACES):
        raise ValidationFailed.field("amount", "must have at most 2 decimal places")
    return amount


def check_description(text: str) -> None:
    """A ledger description: up to 100 characters of plain text."""
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed.field("description", f"must be at most {MAX_DESCRIPTION} characters")
    if contains_markup(text):
        raise ValidationFailed.field("description", "must not contain markup or script")
    if contains_control_characters(text):
        raise ValidationFailed.field("description", "must not contain control characters")
