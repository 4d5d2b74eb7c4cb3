"""Account rules: what a username, password, email, name, phone and birth date may be.

Pure functions, no I/O. Each field check returns the value to store (usernames and
emails lower-case) or raises `FieldError`; the validators run every check of a request
and report all the violations together, one per field, as one `ValidationFailed`. Text
that holds markup or script is refused in every field, never rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email

from shared.errors import FieldViolation, ValidationFailed
from shared.text import contains_markup

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_]{6,30}")
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
PASSWORD_SYMBOLS = frozenset("!@#$%^&*()-_=+")
NAME_MAX_LENGTH = 50
NAME_PATTERN = re.compile(r"(?:[^\W\d_]|[ '-])+")  # letters of any script, space, ' and -
PHONE_PUNCTUATION = re.compile(r"[\s.()\[\]-]")
PHONE_DIGITS = re.compile(r"[0-9]{10,15}")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MIN_AGE_YEARS = 13
MAX_AGE_YEARS = 120
MARKUP_MESSAGE = "must not contain markup or script"
EMPTY_MESSAGE = "must not be empty"

# A field check: the value to store, or FieldError with the reason.
Check = Callable[[str], str]


class FieldError(ValueError):
    """One field's value breaks a rule; the message says which, for the client."""


@dataclass(frozen=True, slots=True)
class NewAccount:
    """A registration that passed every rule, with values as they are stored."""

    username: str
    email: str
    password: str
    first_name: str
    last_name: str
    phone: str | None
    date_of_birth: str | None
    marketing_emails_consent: bool


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """Profile fields to change, by UserRecord attribute; None clears an optional field."""

    values: dict[str, str | bool | None]

    @property
    def email(self) -> str | None:
        """The new email address, when the change includes one."""
        value = self.values.get("email")
        return value if isinstance(value, str) else None


def username(value: str) -> str:
    if not USERNAME_PATTERN.fullmatch(value):
        raise FieldError("must be 6-30 characters of letters, digits and _")
    return value.lower()


def password(value: str) -> str:
    if not PASSWORD_MIN_LENGTH <= len(value) <= PASSWORD_MAX_LENGTH:
        raise FieldError(f"must be {PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters")
    missing = [
        what
        for what, present in (
            ("an upper-case letter", any(c.isupper() for c in value)),
            ("a lower-case letter", any(c.islower() for c in value)),
            ("a digit", any(c in "0123456789" for c in value)),
            ("one of !@#$%^&*()-_=+", any(c in PASSWORD_SYMBOLS for c in value)),
        )
        if not present
    ]
    if missing:
        raise FieldError("must contain " + ", ".join(missing))
    return value


def email(value: str) -> str:
    try:
        checked = validate_email(value, check_deliverability=False, strict=True)
    except EmailNotValidError as error:
        raise FieldError(f"must be a valid email address: {error}") from None
    return str(checked.normalized).lower()


def person_name(value: str) -> str:
    name = unicodedata.normalize("NFC", value)
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise FieldError(f"must be 1-{NAME_MAX_LENGTH} characters")
    if not NAME_PATTERN.fullmatch(name) or not any(c.isalpha() for c in name):
        raise FieldError("may hold only letters, spaces, ' and -")
    return name


def phone(value: str) -> str:
    digits = PHONE_PUNCTUATION.sub("", value.strip()).removeprefix("+")
    if not PHONE_DIGITS.fullmatch(digits):
        raise FieldError("must be 10-15 digits, not counting spaces, dashes, dots, brackets or +")
    return value  # kept as entered


def date_of_birth(value: str, today: date) -> str:
    try:
        born = date.fromisoformat(value) if DATE_PATTERN.fullmatch(value) else None
    except ValueError:
        born = None
    if born is None:
        raise FieldError("must be a date as YYYY-MM-DD")
    if not MIN_AGE_YEARS <= age_in_years(born, today) <= MAX_AGE_YEARS:
        raise FieldError(f"the user must be {MIN_AGE_YEARS} to {MAX_AGE_YEARS} years old")
    return value


def age_in_years(born: date, today: date) -> int:
    """Full years from `born` to `today`."""
    before_birthday = (today.month, today.day) < (born.month, born.day)
    return today.year - born.year - int(before_birthday)


def validate_registration(
    fields: Mapping[str, str], *, marketing_emails_consent: bool, today: date
) -> NewAccount:
    """A new account from the request's text fields; ValidationFailed with every violation.

    `fields` holds username, email, password, first_name and last_name (required), and
    phone and date_of_birth when given; an empty optional field counts as not given.
    """
    required = ("username", "email", "password", "first_name", "last_name")
    given = {name: value for name, value in fields.items() if value or name in required}
    values = _validated(given, _field_checks(today))
    return NewAccount(
        username=values["username"],
        email=values["email"],
        password=values["password"],
        first_name=values["first_name"],
        last_name=values["last_name"],
        phone=values.get("phone"),
        date_of_birth=values.get("date_of_birth"),
        marketing_emails_consent=marketing_emails_consent,
    )


def validate_profile_changes(
    fields: Mapping[str, str], *, marketing_emails_consent: bool | None, today: date
) -> ProfileChanges:
    """The changes of a profile update; "" clears phone and date_of_birth.

    `fields` holds only the text fields the request gives.
    """
    clearable = ("phone", "date_of_birth")
    cleared = [name for name in clearable if fields.get(name) == ""]
    to_check = {name: value for name, value in fields.items() if name not in cleared}
    values: dict[str, str | bool | None] = {
        **_validated(to_check, _field_checks(today)),
        **dict.fromkeys(cleared),
    }
    if marketing_emails_consent is not None:
        values["marketing_emails_consent"] = marketing_emails_consent
    return ProfileChanges(values)


def _field_checks(today: date) -> dict[str, Check]:
    return {
        "username": username,
        "email": email,
        "password": password,
        "first_name": person_name,
        "last_name": person_name,
        "phone": phone,
        "date_of_birth": lambda value: date_of_birth(value, today),
    }


def _validated(fields: Mapping[str, str], checks: Mapping[str, Check]) -> dict[str, str]:
    values: dict[str, str] = {}
    violations: list[FieldViolation] = []
    for name, value in fields.items():
        try:
            values[name] = _checked(value, checks[name])
        except FieldError as error:
            violations.append(FieldViolation(name, str(error)))
    if violations:
        raise ValidationFailed(violations)
    return values


def _checked(value: str, check: Check) -> str:
    if not value:
        raise FieldError(EMPTY_MESSAGE)
    if contains_markup(value):
        raise FieldError(MARKUP_MESSAGE)
    return check(value)
