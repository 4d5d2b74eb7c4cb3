"""Inventory rules: what an asset id is, and how the catalogue is listed."""

from __future__ import annotations

import re

from shared.errors import ValidationFailed

ASSET_ID_PATTERN = re.compile(r"[A-Z0-9]{1,10}")
DEFAULT_LIST_LIMIT = 50
MAX_LIST_LIMIT = 250
MAX_PRICE_BATCH = 250


def normalise_asset_id(raw: str, field: str = "asset_id") -> str:
    """The upper-case asset id, or a 422 when it is not 1-10 letters or digits."""
    asset_id = raw.upper()
    if not ASSET_ID_PATTERN.fullmatch(asset_id):
        raise ValidationFailed.field(field, "must be 1-10 letters or digits, such as BTC")
    return asset_id
