"""Business metrics of the user service: cash movements and logins.

- `cnop_cash_transactions_total{transaction_type}` and
  `cnop_cash_transaction_amount_usd_total{transaction_type}`: deposits and withdrawals
  executed (`deposit` or `withdraw`) and their amounts; a replayed request is not counted;
- `cnop_login_attempts_total{outcome}`: logins that succeeded (`success`), were refused
  for wrong credentials (`failure`) or for a lock-out (`locked_out`).

Amounts are floats for Prometheus only: the books themselves stay exact decimals.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from cnop.user.v1 import user_pb2
from prometheus_client import Counter

from shared.errors import RateLimited, Unauthenticated

TRANSACTION_TYPE_PREFIX = "BALANCE_TRANSACTION_TYPE_"
CASH_KINDS = (user_pb2.BALANCE_TRANSACTION_TYPE_DEPOSIT, user_pb2.BALANCE_TRANSACTION_TYPE_WITHDRAW)
LOGIN_OUTCOMES = ("success", "failure", "locked_out")

CASH_TRANSACTIONS = Counter(
    "cnop_cash_transactions_total",
    "Deposits and withdrawals executed, by transaction type.",
    ["transaction_type"],
)
CASH_AMOUNT = Counter(
    "cnop_cash_transaction_amount_usd_total",
    "Cash deposited or withdrawn in USD, by transaction type.",
    ["transaction_type"],
)
LOGIN_ATTEMPTS = Counter("cnop_login_attempts_total", "Login attempts, by outcome.", ["outcome"])

Handler = TypeVar("Handler", bound=Callable[..., Any])


def transaction_type_label(kind: int) -> str:
    """ "deposit" for BALANCE_TRANSACTION_TYPE_DEPOSIT, as the API spells it."""
    name = user_pb2.BalanceTransactionType.Name(kind)
    return name.removeprefix(TRANSACTION_TYPE_PREFIX).lower()


def cash_moved(kind: int, amount: Decimal) -> None:
    """Counts an executed deposit or withdrawal of `amount` (positive)."""
    label = transaction_type_label(kind)
    CASH_TRANSACTIONS.labels(label).inc()
    CASH_AMOUNT.labels(label).inc(float(amount))


def counts_logins(handler: Handler) -> Handler:
    """Wraps Login: counts successes, wrong credentials and locked-out attempts."""

    @functools.wraps(handler)
    def login(*args: Any, **kwargs: Any) -> Any:
        try:
            reply = handler(*args, **kwargs)
        except Unauthenticated:
            LOGIN_ATTEMPTS.labels("failure").inc()
            raise
        except RateLimited:
            LOGIN_ATTEMPTS.labels("locked_out").inc()
            raise
        LOGIN_ATTEMPTS.labels("success").inc()
        return reply

    return login  # type: ignore[return-value]


def _start_at_zero() -> None:
    """Creates the series an operator expects before the first event, at zero."""
    for kind in CASH_KINDS:
        CASH_TRANSACTIONS.labels(transaction_type_label(kind))
        CASH_AMOUNT.labels(transaction_type_label(kind))
    for outcome in LOGIN_OUTCOMES:
        LOGIN_ATTEMPTS.labels(outcome)


_start_at_zero()
