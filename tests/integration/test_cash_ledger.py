"""Cash movements against real DynamoDB Local: exactness, atomicity and idempotency.

The handlers run in-process with the caller set as the auth interceptor would set it;
the end-to-end tests in tests/e2e cover the same paths through the edge.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import grpc
import pytest
from cnop.user.v1 import user_pb2

from shared import idempotency
from shared.dynamo import bind_models, ensure_tables
from shared.errors import CnopError, Conflict, RuleRefused, ValidationFailed
from shared.identity import caller_var
from shared.settings import Settings
from user import store
from user.cash import CashHandlers
from user.ledger import read_balance
from user.store import CashBalance, CashLedgerEntry

MODELS = [*store.MODELS, *idempotency.MODELS]


class Context:
    """The part of a gRPC servicer context the cash handlers read: metadata."""

    def __init__(self, idempotency_key: str | None = None) -> None:
        self._metadata = (("idempotency-key", idempotency_key),) if idempotency_key else ()

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata


@pytest.fixture(scope="module")
def handlers(dynamodb_endpoint: str) -> CashHandlers:
    settings = Settings(dynamodb_endpoint=dynamodb_endpoint, table_prefix="cash-it-")
    bind_models(settings, MODELS)
    ensure_tables(MODELS)
    return CashHandlers(settings)


@pytest.fixture
def user(handlers: CashHandlers) -> Iterator[str]:
    username = f"user_{uuid.uuid4().hex[:10]}"
    CashBalance(
        username=username, amount=Decimal("0.00"), ledger_count=0, updated_at=datetime.now(UTC)
    ).save()
    token = caller_var.set(username)
    yield username
    caller_var.reset(token)


def as_user(username: str, call, *args):  # type: ignore[no-untyped-def]
    token = caller_var.set(username)
    try:
        return call(*args)
    finally:
        caller_var.reset(token)


def deposit(
    handlers: CashHandlers, amount: str, key: str | None = None
) -> user_pb2.DepositResponse:
    return handlers.Deposit(user_pb2.DepositRequest(amount=amount), Context(key))  # type: ignore[arg-type]


def withdraw(handlers: CashHandlers, amount: str) -> user_pb2.WithdrawResponse:
    return handlers.Withdraw(user_pb2.WithdrawRequest(amount=amount), Context())  # type: ignore[arg-type]


def ledger(username: str) -> list[CashLedgerEntry]:
    return list(CashLedgerEntry.query(username, consistent_read=True))


def test_deposits_add_exactly(handlers: CashHandlers, user: str) -> None:
    deposit(handlers, "0.1")
    reply = deposit(handlers, "0.2")
    assert reply.current_balance == "0.30"
    assert read_balance(user).amount == Decimal("0.30")


@pytest.mark.parametrize("amount", ["1000000.01", "1.234", "0", "-5", "abc", "NaN", "1e400"])
def test_invalid_amounts_are_refused_and_change_nothing(
    handlers: CashHandlers, user: str, amount: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        deposit(handlers, amount)
    assert refused.value.violations[0].field == "amount"
    assert ledger(user) == []


def test_withdrawal_above_balance_is_insufficient_funds(handlers: CashHandlers, user: str) -> None:
    deposit(handlers, "12.50")
    with pytest.raises(RuleRefused) as refused:
        withdraw(handlers, "100")
    assert refused.value.code == "INSUFFICIENT_FUNDS"
    assert "12.50 available" in refused.value.message
    assert read_balance(user).amount == Decimal("12.50")
    assert len(ledger(user)) == 1


def test_concurrent_withdrawals_never_overdraw(handlers: CashHandlers, user: str) -> None:
    deposit(handlers, "100")

    def attempt(_: int) -> str:
        try:
            as_user(user, withdraw, handlers, "10")
            return "ok"
        except CnopError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=25) as pool:
        outcomes = list(pool.map(attempt, range(50)))

    assert outcomes.count("ok") == 10
    assert set(outcomes) == {"ok", "INSUFFICIENT_FUNDS"}
    assert read_balance(user).amount == Decimal("0")
    withdrawals = [e for e in ledger(user) if e.amount < 0]
    assert len(withdrawals) == 10
    assert read_balance(user).ledger_count == 11


def test_concurrent_deposits_sum_exactly(handlers: CashHandlers, user: str) -> None:
    with ThreadPoolExecutor(max_workers=25) as pool:
        list(pool.map(lambda _: as_user(user, deposit, handlers, "1.01"), range(100)))
    assert read_balance(user).amount == Decimal("101.00")
    assert sum(entry.amount for entry in ledger(user)) == Decimal("101.00")


def test_replayed_key_moves_money_once(handlers: CashHandlers, user: str) -> None:
    def attempt(_: int) -> str:
        try:
            return as_user(user, deposit, handlers, "25.00", "key-1").transaction_id
        except Conflict:
            return "in-flight"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))

    transaction_ids = {outcome for outcome in outcomes if outcome != "in-flight"}
    assert len(transaction_ids) == 1
    assert read_balance(user).amount == Decimal("25.00")
    assert len(ledger(user)) == 1
    # Once the first request has finished, every repeat gets its answer.
    assert deposit(handlers, "25.00", "key-1").transaction_id in transaction_ids


def test_same_key_with_another_amount_is_refused(handlers: CashHandlers, user: str) -> None:
    deposit(handlers, "5.00", "key-2")
    with pytest.raises(RuleRefused) as refused:
        deposit(handlers, "6.00", "key-2")
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert read_balance(user).amount == Decimal("5.00")


def test_keys_are_scoped_to_their_user(handlers: CashHandlers, user: str) -> None:
    deposit(handlers, "5.00", "shared-key")
    other = f"user_{uuid.uuid4().hex[:10]}"
    CashBalance(
        username=other, amount=Decimal(0), ledger_count=0, updated_at=datetime.now(UTC)
    ).save()
    reply = as_user(other, deposit, handlers, "5.00", "shared-key")
    assert reply.current_balance == "5.00"


def test_history_pages_newest_first_without_gap_or_repeat(
    handlers: CashHandlers, user: str
) -> None:
    for cents in range(1, 121):
        deposit(handlers, f"{cents / 100:.2f}")
    seen: list[str] = []
    cursor = None
    while True:
        request = user_pb2.ListBalanceTransactionsRequest(limit=50)
        if cursor:
            request.cursor = cursor
        page = handlers.ListBalanceTransactions(request, Context())  # type: ignore[arg-type]
        assert page.total_count == 120
        seen.extend(item.amount for item in page.transactions)
        if not page.has_more:
            assert not page.HasField("next_cursor")
            break
        cursor = page.next_cursor
    assert seen == [f"{cents / 100:.2f}" for cents in range(120, 0, -1)]


def test_cursor_of_another_user_is_refused(handlers: CashHandlers, user: str) -> None:
    for _ in range(3):
        deposit(handlers, "1.00")
    page = handlers.ListBalanceTransactions(
        user_pb2.ListBalanceTransactionsRequest(limit=1),
        Context(),  # type: ignore[arg-type]
    )
    other = f"user_{uuid.uuid4().hex[:10]}"
    request = user_pb2.ListBalanceTransactionsRequest(cursor=page.next_cursor)
    with pytest.raises(ValidationFailed) as refused:
        as_user(other, handlers.ListBalanceTransactions, request, Context())
    assert refused.value.violations[0].field == "cursor"


def test_offset_skips_and_cannot_be_combined_with_cursor(handlers: CashHandlers, user: str) -> None:
    for amount in ("1.00", "2.00", "3.00"):
        deposit(handlers, amount)
    page = handlers.ListBalanceTransactions(
        user_pb2.ListBalanceTransactionsRequest(offset=1, limit=1),
        Context(),  # type: ignore[arg-type]
    )
    assert [item.amount for item in page.transactions] == ["2.00"]
    assert page.has_more
    with pytest.raises(ValidationFailed):
        handlers.ListBalanceTransactions(
            user_pb2.ListBalanceTransactionsRequest(offset=1, cursor=page.next_cursor),
            Context(),  # type: ignore[arg-type]
        )


_ = grpc  # the Context stands in for grpc.ServicerContext
