"""Idempotency-Key handling, shared by every service whose writes honour the header.

A request with a key writes an `IdempotencyRecord` inside the same DynamoDB transaction
as the change it makes, on the condition that no record with that key exists. So the
change happens at most once per key, whatever the number of retries or concurrent
copies. The record holds a hash of the request, to refuse the same key with another
body (422 `IDEMPOTENCY_KEY_REUSED`), and the response, to answer every repeat with the
first answer. A response that is only finished after the transaction (a balance read
back, say) is stored in two steps; a repeat that arrives in between is told the first
request is still running (409 `CONFLICT`). Should the process die between the two steps,
a repeat after `IN_FLIGHT_LIMIT` gets the stored first step, which the service completes
from current state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import grpc
from google.protobuf import message
from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from shared.errors import Conflict, RuleRefused
from shared.interceptors import metadata_value

IDEMPOTENCY_HEADER = "idempotency-key"
KEEP_FOR = timedelta(hours=48)  # the API promises at least 24 hours
IN_FLIGHT_LIMIT = timedelta(seconds=30)  # no request runs longer than this

ResponseT = TypeVar("ResponseT", bound=message.Message)


class IdempotencyRecord(Model):
    """The first outcome of a request made with an Idempotency-Key, kept for replays."""

    class Meta:
        table_name = "idempotency-keys"

    key = UnicodeAttribute(hash_key=True)  # "<username>#<Idempotency-Key>"
    request_hash = UnicodeAttribute()
    response = BinaryAttribute(legacy_encoding=False)
    complete = BooleanAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


MODELS: list[type[Model]] = [IdempotencyRecord]


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """The key of one request, scoped to its user, with the hash of what was asked."""

    record_key: str
    request_hash: str

    @classmethod
    def of(
        cls, context: grpc.ServicerContext, username: str, rpc: str, request: message.Message
    ) -> IdempotencyKey | None:
        """The request's key, or None when the caller sent no Idempotency-Key."""
        key = metadata_value(context, IDEMPOTENCY_HEADER)
        if key is None:
            return None
        digest = hashlib.sha256(rpc.encode())
        digest.update(request.SerializeToString(deterministic=True))
        return cls(f"{username}#{key}", digest.hexdigest())

    def previous_response(self, response_class: type[ResponseT]) -> ResponseT | None:
        """The first answer to this key, or None when the key is new.

        Raises 422 when the key was used with another request, and 409 while the first
        request is still running. The answer may be the first step of a two-step claim
        whose second step never came; the caller completes it.
        """
        try:
            record = IdempotencyRecord.get(self.record_key, consistent_read=True)
        except IdempotencyRecord.DoesNotExist:
            return None
        if record.request_hash != self.request_hash:
            raise RuleRefused(
                "This Idempotency-Key was already used with a different request",
                code="IDEMPOTENCY_KEY_REUSED",
            )
        if not record.complete and datetime.now(UTC) - record.created_at < IN_FLIGHT_LIMIT:
            raise Conflict("A request with this Idempotency-Key is still being processed")
        return response_class.FromString(record.response)

    def claim(self, transaction: TransactWrite, response: message.Message, complete: bool) -> None:
        """Adds the record to `transaction`, on condition that the key is new."""
        now = datetime.now(UTC)
        record = IdempotencyRecord(
            key=self.record_key,
            request_hash=self.request_hash,
            response=response.SerializeToString(),
            complete=complete,
            created_at=now,
            expires_at=KEEP_FOR,
        )
        transaction.save(record, condition=IdempotencyRecord.key.does_not_exist())

    def complete(self, response: message.Message) -> None:
        """Stores the finished response of a claim made with `complete=False`."""
        IdempotencyRecord(key=self.record_key).update(
            actions=[
                IdempotencyRecord.response.set(response.SerializeToString()),
                IdempotencyRecord.complete.set(True),
            ]
        )
