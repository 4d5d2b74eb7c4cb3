"""Account storage: registration, profile changes and password hashes, in DynamoDB.

Uniqueness is left to DynamoDB conditions, never checked by reading first. Registration
writes the user (keyed by username), the email claim (keyed by email) and the zero cash
balance in one transaction that fails if any of them exists, so two registrations of
one username or email can never both succeed. An email change moves the claim in one
transaction with the profile update.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import DoesNotExist, PynamoDBConnectionError
from pynamodb.transactions import TransactWrite

from shared.errors import AlreadyExists, Conflict, ServiceUnavailable
from shared.transactions import TransactionRefused, run_transaction
from user.rules import NewAccount, ProfileChanges
from user.store import CashBalance, EmailClaim, UserRecord

ZERO_CASH = Decimal("0.00")
EMAIL_TAKEN = "This email address is already registered"


def create_account(account: NewAccount, password_hash: str, now: datetime) -> None:
    """Stores a new user, their email claim and a zero cash balance, all or nothing."""
    user = UserRecord(
        username=account.username,
        email=account.email,
        password_hash=password_hash,
        first_name=account.first_name,
        last_name=account.last_name,
        phone=account.phone,
        date_of_birth=account.date_of_birth,
        marketing_emails_consent=account.marketing_emails_consent,
        created_at=now,
        updated_at=now,
    )
    claim = EmailClaim(email=account.email, username=account.username)
    balance = CashBalance(
        username=account.username, amount=ZERO_CASH, ledger_count=0, updated_at=now
    )

    def build(transaction: TransactWrite) -> None:
        transaction.save(user, condition=UserRecord.username.does_not_exist())
        transaction.save(claim, condition=EmailClaim.email.does_not_exist())
        transaction.save(balance, condition=CashBalance.username.does_not_exist())

    try:
        run_transaction(build)
    except TransactionRefused as refused:
        username_taken = refused.refused_by(UserRecord) or refused.refused_by(CashBalance)
        raise _registration_clash(username_taken, refused.refused_by(EmailClaim)) from None


def find_user(username: str) -> UserRecord | None:
    """The user with this (lower-case) username, or None."""
    try:
        return UserRecord.get(username, consistent_read=True)
    except DoesNotExist:
        return None
    except PynamoDBConnectionError:
        raise ServiceUnavailable("Accounts are unavailable right now; try again") from None


def update_profile(user: UserRecord, changes: ProfileChanges, now: datetime) -> UserRecord:
    """Applies `changes` to `user` in one transaction; the updated user."""
    new_email = changes.email if changes.email not in (None, user.email) else None
    values = {
        name: value
        for name, value in changes.values.items()
        if name != "email" or new_email is not None
    }
    if not values:
        return user
    actions = [*(_set(name, value) for name, value in values.items()), _set("updated_at", now)]

    def build(transaction: TransactWrite) -> None:
        # The email condition keeps a concurrent email change from leaving a stale claim.
        transaction.update(user, actions=actions, condition=UserRecord.email == user.email)
        if new_email is not None:
            mine = (EmailClaim.username == user.username) | EmailClaim.email.does_not_exist()
            transaction.delete(EmailClaim(email=user.email), condition=mine)
            claim = EmailClaim(email=new_email, username=user.username)
            transaction.save(claim, condition=EmailClaim.email.does_not_exist())

    try:
        run_transaction(build)
    except TransactionRefused as refused:
        # The old claim is ours or gone, so only the new claim can refuse on that table.
        if refused.refused_by(EmailClaim):
            raise AlreadyExists(EMAIL_TAKEN) from None
        raise Conflict("The profile changed while it was being updated; try again") from None
    for name, value in {**values, "updated_at": now}.items():
        setattr(user, name, value)
    return user


def replace_password_hash(username: str, password_hash: str) -> None:
    """Stores a stronger hash of the same password."""
    UserRecord(username=username).update(
        actions=[UserRecord.password_hash.set(password_hash)],
        condition=UserRecord.username.exists(),
    )


def _set(name: str, value: Any) -> Any:
    attribute = getattr(UserRecord, name)
    return attribute.remove() if value is None else attribute.set(value)


def _registration_clash(username_taken: bool, email_taken: bool) -> AlreadyExists:
    if username_taken and email_taken:
        return AlreadyExists("This username and this email address are already registered")
    if email_taken:
        return AlreadyExists(EMAIL_TAKEN)
    return AlreadyExists("This username is already taken")
