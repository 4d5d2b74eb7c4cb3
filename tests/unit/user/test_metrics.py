"""User metrics: cash movements and login outcomes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cnop.user.v1 import user_pb2
from prometheus_client import REGISTRY

from shared.errors import RateLimited, Unauthenticated
from user.metrics import cash_moved, counts_logins


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_withdrawal_counts_with_its_amount() -> None:
    kind = {"transaction_type": "withdraw"}
    count = sample("cnop_cash_transactions_total", **kind)
    amount = sample("cnop_cash_transaction_amount_usd_total", **kind)
    cash_moved(user_pb2.BALANCE_TRANSACTION_TYPE_WITHDRAW, Decimal("12.50"))
    assert sample("cnop_cash_transactions_total", **kind) == count + 1
    assert sample("cnop_cash_transaction_amount_usd_total", **kind) == amount + 12.5


def test_logins_count_by_outcome() -> None:
    @counts_logins
    def login(error: Exception | None) -> str:
        if error is not None:
            raise error
        return "token"

    before = {o: sample("cnop_login_attempts_total", outcome=o)
              for o in ("success", "failure", "locked_out")}  # fmt: skip
    assert login(None) == "token"
    with pytest.raises(Unauthenticated):
        login(Unauthenticated("wrong"))
    with pytest.raises(RateLimited):
        login(RateLimited("locked"))
    for outcome in before:
        assert sample("cnop_login_attempts_total", outcome=outcome) == before[outcome] + 1
