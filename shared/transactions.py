"""DynamoDB transactions with bounded, jittered retries on conflict.

`run_transaction` runs a `TransactWrite` built by the caller. When DynamoDB cancels it
because another transaction touched the same items (`TransactionConflict`), it is built
and run again, a few times, after a random back-off. When a condition refuses it, the
caller gets `TransactionRefused` with the reason of each item, in the order the items
were added, and decides what the refusal means (insufficient funds, a replayed key...).
When conflicts never clear, the caller gets a retryable SERVICE_UNAVAILABLE, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from shared.dynamo import transaction_connection
from shared.errors import ServiceUnavailable

MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 0.02
MAX_BACKOFF_SECONDS = 0.4
CONFLICT = "TransactionConflict"
CONDITION_FAILED = "ConditionalCheckFailed"


class TransactionRefused(Exception):
    """A condition of the transaction failed; `failed_tables` names the refusing items."""

    def __init__(self, failed_tables: set[str]) -> None:
        super().__init__(", ".join(sorted(failed_tables)))
        self.failed_tables = failed_tables

    def refused_by(self, model: type[Model]) -> bool:
        """Whether a condition on an item of `model`'s table failed."""
        return str(model.Meta.table_name) in self.failed_tables


class _Conflict(Exception):
    pass


def run_transaction(build: Callable[[TransactWrite], None]) -> None:
    """Runs the transaction that `build` fills, retrying conflicts with jitter."""
    try:
        _attempt(build)
    except _Conflict:
        raise ServiceUnavailable(
            "Too many concurrent changes to the same account; try again", retry_after_seconds=1
        ) from None


@retry(
    retry=retry_if_exception_type(_Conflict),
    stop=stop_after_attempt(MAX_ATTEMPTS),
    wait=wait_random_exponential(multiplier=BACKOFF_SECONDS, max=MAX_BACKOFF_SECONDS),
    reraise=True,
)
def _attempt(build: Callable[[TransactWrite], None]) -> None:
    transaction = TransactWrite(connection=transaction_connection())
    try:
        with transaction:
            build(transaction)
    except TransactWriteError as error:
        reasons = [reason.code if reason else None for reason in error.cancellation_reasons]
        if CONFLICT in reasons or error.cause_response_code == "TransactionConflictException":
            raise _Conflict from error
        if error.cause_response_code == "TransactionCanceledException":
            tables = _item_tables(transaction)
            refused = zip(tables, reasons, strict=True)
            failed = {table for table, reason in refused if reason == CONDITION_FAILED}
            raise TransactionRefused(failed) from error
        raise


def _item_tables(transaction: TransactWrite) -> list[str]:
    # The table of each item in the order pynamodb sends them, which is the order of the
    # cancellation reasons: condition checks, deletes, puts, then updates.
    groups = (
        transaction._condition_check_items,
        transaction._delete_items,
        transaction._put_items,
        transaction._update_items,
    )
    return [item["TableName"] for group in groups for item in group]
