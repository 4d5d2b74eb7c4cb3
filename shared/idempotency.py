"""Idempotency-Key records, shared by every service whose writes honour the header.

A record is created inside the same DynamoDB transaction as the write it guards, so a
request can execute at most once per key; replays read the stored outcome.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model


class IdempotencyRecord(Model):
    """The first outcome of a request made with an Idempotency-Key, kept for replays."""

    class Meta:
        table_name = "idempotency-keys"

    key = UnicodeAttribute(hash_key=True)  # "<username>#<rpc>#<Idempotency-Key>"
    request_hash = UnicodeAttribute()
    response = BinaryAttribute(null=True, legacy_encoding=False)
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


MODELS: list[type[Model]] = [IdempotencyRecord]
