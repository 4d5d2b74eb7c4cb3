"""Page-size rules shared by every list of the API."""

from __future__ import annotations

from shared.errors import ValidationFailed


def page_limit(requested: int | None, *, default: int, maximum: int) -> int:
    """The page size: `default` when absent, else 1..`maximum` or a 422 on `limit`."""
    if requested is None:
        return default
    if not 1 <= requested <= maximum:
        raise ValidationFailed.field("limit", f"must be between 1 and {maximum}")
    return requested
