"""The BalanceService RPCs: the caller's cash balance, deposits, withdrawals and history."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

import grpc
from cnop.user.v1 import user_pb2, user_pb2_grpc
from google.protobuf import timestamp_pb2
from pynamodb.transactions import TransactWrite

from shared.cursors import CursorCodec
from shared.errors import NotFound, RuleRefused
from shared.idempotency import IdempotencyKey, IdempotencyRecord
from shared.identity import current_user
from shared.money import format_cash
from shared.paging import Page
from shared.settings import Settings
from shared.transactions import TransactionRefused, run_transaction
from user.cash_rules import check_description, parse_cash_amount
from user.ledger import Movement, cash_leg, ledger_entries, read_balance
from user.metrics import cash_moved
from user.store import CashBalance, CashLedgerEntry

DEPOSIT = user_pb2.BALANCE_TRANSACTION_TYPE_DEPOSIT
WITHDRAW = user_pb2.BALANCE_TRANSACTION_TYPE_WITHDRAW
DEFAULT_PAGE = 50
MAX_PAGE = 100

MovementResponse: TypeAlias = user_pb2.DepositResponse | user_pb2.WithdrawResponse


class CashHandlers(user_pb2_grpc.BalanceServiceServicer):
    """Answers the caller's cash account RPCs."""

    def __init__(self, settings: Settings) -> None:
        self.cursors = CursorCodec(settings, "cash-ledger")

    def GetBalance(
        self, request: user_pb2.GetBalanceRequest, context: grpc.ServicerContext
    ) -> user_pb2.GetBalanceResponse:
        balance = _balance_of(current_user())
        return user_pb2.GetBalanceResponse(
            current_balance=format_cash(balance.amount), updated_at=_stamp(balance)
        )

    def Deposit(
        self, request: user_pb2.DepositRequest, context: grpc.ServicerContext
    ) -> user_pb2.DepositResponse:
        reply = self._move(request, context, DEPOSIT, user_pb2.DepositResponse, "Deposit")
        assert isinstance(reply, user_pb2.DepositResponse)
        return reply

    def Withdraw(
        self, request: user_pb2.WithdrawRequest, context: grpc.ServicerContext
    ) -> user_pb2.WithdrawResponse:
        reply = self._move(request, context, WITHDRAW, user_pb2.WithdrawResponse, "Withdraw")
        assert isinstance(reply, user_pb2.WithdrawResponse)
        return reply

    def ListBalanceTransactions(
        self,
        request: user_pb2.ListBalanceTransactionsRequest,
        context: grpc.ServicerContext,
    ) -> user_pb2.ListBalanceTransactionsResponse:
        username = current_user()
        page = Page.of(request, self.cursors, username, default=DEFAULT_PAGE, maximum=MAX_PAGE)
        entries, has_more = page.cut(ledger_entries(username, page))
        reply = user_pb2.ListBalanceTransactionsResponse(
            transactions=[_transaction(entry) for entry in entries],
            total_count=int(_balance_of(username).ledger_count),
            has_more=has_more,
        )
        if has_more:
            reply.next_cursor = self.cursors.encode(username, {"k": entries[-1].entry_key})
        return reply

    def _move(
        self,
        request: user_pb2.DepositRequest | user_pb2.WithdrawRequest,
        context: grpc.ServicerContext,
        kind: int,
        response_class: type[MovementResponse],
        rpc: str,
    ) -> MovementResponse:
        username = current_user()
        amount = parse_cash_amount(request.amount)
        check_description(request.description)
        key = IdempotencyKey.of(context, username, rpc, request)
        if key is not None and (previous := key.previous_response(response_class)):
            return _completed(previous)

        signed = amount if kind == DEPOSIT else -amount
        movement = Movement.new(username, signed, kind, request.description)
        reply = response_class(
            success=True,
            message=f"{rpc} of {format_cash(amount)} completed",
            transaction_id=movement.transaction_id,
        )
        reply.timestamp.FromDatetime(movement.created_at)

        def build(transaction: TransactWrite) -> None:
            cash_leg(transaction, movement)
            if key is not None:
                key.claim(transaction, reply, complete=False)

        try:
            run_transaction(build)
        except TransactionRefused as refused:
            if key is not None and refused.refused_by(IdempotencyRecord):
                return _completed(key.previous_response(response_class) or reply)
            if refused.refused_by(CashBalance):
                raise _insufficient(username, amount) from None
            raise
        cash_moved(kind, amount)

        reply.current_balance = format_cash(read_balance(username).amount)
        if key is not None:
            key.complete(reply)
        return reply


def _completed(reply: MovementResponse) -> MovementResponse:
    # A replay whose first request died before reading the balance back: read it now.
    if not reply.current_balance:
        reply.current_balance = format_cash(read_balance(current_user()).amount)
    return reply


def _insufficient(username: str, amount: Decimal) -> RuleRefused:
    available = _balance_of(username).amount
    return RuleRefused(
        f"Insufficient balance: {format_cash(available)} available, {format_cash(amount)} required",
        code="INSUFFICIENT_FUNDS",
    )


def _balance_of(username: str) -> CashBalance:
    try:
        return read_balance(username)
    except CashBalance.DoesNotExist:
        raise NotFound("There is no cash account for this user") from None


def _stamp(balance: CashBalance) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(balance.updated_at)
    return stamp


def _transaction(entry: CashLedgerEntry) -> user_pb2.BalanceTransaction:
    item = user_pb2.BalanceTransaction(
        transaction_id=entry.transaction_id,
        transaction_type=int(entry.transaction_type),
        amount=format_cash(entry.amount),
        description=entry.description or "",
        status=int(entry.status),
    )
    item.created_at.FromDatetime(entry.created_at)
    if entry.reference_id:
        item.reference_id = entry.reference_id
    return item
