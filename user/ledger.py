"""Cash movements: the DynamoDB writes and reads behind deposits, withdrawals and history.

A movement changes the balance and appends its ledger entry in one transaction. The
balance is changed with an atomic ADD, never read and written back, and a withdrawal
carries the condition that the balance covers it, so no interleaving of requests can take
it below zero. The ledger count moves in the same transaction, so the history's total is
exact without counting. The order service books its cash legs with `cash_leg`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from cnop.user.v1 import user_pb2
from pynamodb.transactions import TransactWrite

from shared.paging import Page
from user.store import CashBalance, CashLedgerEntry

COMPLETED = user_pb2.TRANSACTION_STATUS_COMPLETED
MAX_QUERY_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Movement:
    """One signed cash movement of one user; money out is negative."""

    username: str
    amount: Decimal
    transaction_type: int  # a BalanceTransactionType value
    description: str = ""
    reference_id: str | None = None
    transaction_id: str = ""
    created_at: datetime | None = None

    @classmethod
    def new(
        cls,
        username: str,
        amount: Decimal,
        transaction_type: int,
        description: str = "",
        reference_id: str | None = None,
    ) -> Movement:
        """A movement with a fresh id, stamped now."""
        return cls(
            username,
            amount,
            transaction_type,
            description,
            reference_id,
            transaction_id=uuid.uuid4().hex,
            created_at=datetime.now(UTC),
        )


def entry_key(created_at: datetime, transaction_id: str) -> str:
    """The ledger sort key: time first, so a reverse query lists newest first."""
    return f"{created_at.isoformat(timespec='microseconds')}#{transaction_id}"


def cash_leg(transaction: TransactWrite, movement: Movement) -> None:
    """Adds the balance change and its ledger entry to `transaction`.

    The balance must exist (every user gets one at registration) and, for money out,
    must cover the amount: the balance update is the item whose condition fails then.
    """
    assert movement.created_at is not None
    condition = CashBalance.username.exists()
    if movement.amount < 0:
        condition &= CashBalance.amount >= -movement.amount
    transaction.update(
        CashBalance(username=movement.username),
        actions=[
            CashBalance.amount.add(movement.amount),
            CashBalance.ledger_count.add(1),
            CashBalance.updated_at.set(movement.created_at),
        ],
        condition=condition,
    )
    transaction.save(
        CashLedgerEntry(
            username=movement.username,
            entry_key=entry_key(movement.created_at, movement.transaction_id),
            transaction_id=movement.transaction_id,
            transaction_type=movement.transaction_type,
            amount=movement.amount,
            description=movement.description,
            status=COMPLETED,
            created_at=movement.created_at,
            reference_id=movement.reference_id,
        ),
        condition=CashLedgerEntry.username.does_not_exist(),
    )


def read_balance(username: str) -> CashBalance:
    """The user's balance, read consistently (after the user's own writes)."""
    return CashBalance.get(username, consistent_read=True)


def ledger_entries(username: str, page: Page) -> list[CashLedgerEntry]:
    """The entries a page needs, newest first, from one DynamoDB query."""
    query = CashLedgerEntry.query(
        username,
        scan_index_forward=False,
        limit=page.read_count,
        last_evaluated_key=page.start_key(username, "entry_key"),
        page_size=min(page.read_count, MAX_QUERY_PAGE),
    )
    return list(query)
