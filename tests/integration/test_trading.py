"""Trade execution against real DynamoDB Local: all of a trade is written, or none of it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from cnop.order.v1 import order_pb2
from pynamodb.transactions import TransactWrite

from order import store, trading
from order.rules import market_fill
from order.store import AssetLedgerEntry, HoldingRecord, OrderRecord
from order.trading import MarketOrder, execute
from shared import idempotency
from shared.dynamo import bind_models, ensure_tables
from shared.errors import RuleRefused
from shared.settings import Settings
from shared.transactions import TransactionRefused
from user import store as user_store
from user.store import CashBalance, CashLedgerEntry

MODELS = [*store.MODELS, *user_store.MODELS, *idempotency.MODELS]
BUY = order_pb2.ORDER_TYPE_MARKET_BUY
SELL = order_pb2.ORDER_TYPE_MARKET_SELL


@pytest.fixture(scope="module", autouse=True)
def tables(dynamodb_endpoint: str) -> None:
    bind_models(Settings(dynamodb_endpoint=dynamodb_endpoint, table_prefix="trade-it-"), MODELS)
    ensure_tables(MODELS)


@pytest.fixture
def user() -> str:
    username = f"user_{uuid.uuid4().hex[:10]}"
    CashBalance(
        username=username, amount=Decimal("1000.00"), ledger_count=0, updated_at=datetime.now(UTC)
    ).save()
    return username


def written(username: str) -> dict[str, object]:
    """Everything a trade can write for a user."""
    return {
        "cash": CashBalance.get(username, consistent_read=True).amount,
        "orders": list(OrderRecord.query(username, consistent_read=True)),
        "holdings": [(h.asset_id, h.quantity) for h in HoldingRecord.query(username)],
        "cash_ledger": list(CashLedgerEntry.query(username, consistent_read=True)),
        "asset_ledger": list(AssetLedgerEntry.query(username, consistent_read=True)),
    }


def buy(username: str, quantity: str, price: str) -> MarketOrder:
    return MarketOrder(username, BUY, "ETH", market_fill(BUY, Decimal(quantity), Decimal(price)))


def test_a_trade_writes_all_five_records(user: str) -> None:
    record = execute(buy(user, "0.5", "2000"), None)
    state = written(user)
    assert state["cash"] == Decimal("0.00")
    assert state["holdings"] == [("ETH", Decimal("0.5"))]
    assert [o.order_id for o in state["orders"]] == [record.order_id]  # type: ignore[attr-defined]
    assert [e.reference_id for e in state["cash_ledger"]] == [record.order_id]  # type: ignore[attr-defined]
    assert [e.order_id for e in state["asset_ledger"]] == [record.order_id]  # type: ignore[attr-defined]


def test_a_failed_condition_anywhere_leaves_nothing(
    user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = written(user)
    real_items = trading.trade_items

    def items_then_a_failing_check(transaction: TransactWrite, *args: object) -> None:
        real_items(transaction, *args)  # type: ignore[arg-type]
        transaction.condition_check(
            OrderRecord, user, "no-such-order", condition=OrderRecord.order_id.exists()
        )

    monkeypatch.setattr(trading, "trade_items", items_then_a_failing_check)
    with pytest.raises(TransactionRefused):
        execute(buy(user, "0.1", "2000"), None)
    assert written(user) == before


def test_a_crash_while_building_leaves_nothing(user: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = written(user)
    real_items = trading.trade_items

    def items_then_crash(transaction: TransactWrite, *args: object) -> None:
        real_items(transaction, *args)  # type: ignore[arg-type]
        raise RuntimeError("the process died between two writes")

    monkeypatch.setattr(trading, "trade_items", items_then_crash)
    with pytest.raises(RuntimeError):
        execute(buy(user, "0.1", "2000"), None)
    assert written(user) == before


def test_refusals_name_the_rule_and_leave_nothing(user: str) -> None:
    before = written(user)
    with pytest.raises(RuleRefused) as refused:
        execute(buy(user, "1", "2000"), None)
    assert refused.value.code == "INSUFFICIENT_FUNDS"
    with pytest.raises(RuleRefused) as refused:
        execute(
            MarketOrder(user, SELL, "ETH", market_fill(SELL, Decimal("1"), Decimal("10"))), None
        )
    assert refused.value.code == "INSUFFICIENT_HOLDINGS"
    assert written(user) == before
