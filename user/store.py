"""The user service's tables: accounts, email claims, cash balances and the cash ledger.

Uniqueness and money rules live in DynamoDB conditions, never in read-then-write code:
a username is the key of `users`, an email the key of `user-emails`, and both are
written in one transaction at registration. The order service writes `cash-balances`
and `cash-ledger` too, inside its trade transaction.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from shared.dynamo import DecimalAttribute


class UserRecord(Model):
    """An account. `username` is stored lower-case."""

    class Meta:
        table_name = "users"

    username = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    date_of_birth = UnicodeAttribute(null=True)
    marketing_emails_consent = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class EmailClaim(Model):
    """Which user holds an email address; its key makes emails unique."""

    class Meta:
        table_name = "user-emails"

    email = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()


class CashBalance(Model):
    """A user's cash. Conditions on `amount` keep it from going below zero."""

    class Meta:
        table_name = "cash-balances"

    username = UnicodeAttribute(hash_key=True)
    amount = DecimalAttribute()
    # How many entries the user's cash ledger holds, moved in the same transactions.
    ledger_count = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute()


class CashLedgerEntry(Model):
    """One signed cash movement. `entry_key` sorts a user's entries by time."""

    class Meta:
        table_name = "cash-ledger"

    username = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)  # "<RFC 3339 time>#<transaction id>"
    transaction_id = UnicodeAttribute()
    transaction_type = NumberAttribute()  # a cnop.user.v1.BalanceTransactionType value
    amount = DecimalAttribute()
    description = UnicodeAttribute(default="")
    status = NumberAttribute()  # a cnop.user.v1.TransactionStatus value
    created_at = UTCDateTimeAttribute()
    reference_id = UnicodeAttribute(null=True)


MODELS: list[type[Model]] = [UserRecord, EmailClaim, CashBalance, CashLedgerEntry]
