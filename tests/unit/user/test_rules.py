"""The account field rules of the API, each one at its edges."""

from __future__ import annotations

from datetime import date

import pytest

from shared.errors import ValidationFailed
from user import rules
from user.rules import FieldError

TODAY = date(2025, 6, 15)
VALID = {
    "username": "Alice_01",
    "email": "Alice@Example.COM",
    "password": "Correct-Horse1",
    "first_name": "Alice",
    "last_name": "O'Neil-Smith",
}


def register(**changes: str) -> rules.NewAccount:
    return rules.validate_registration(
        {**VALID, **changes}, marketing_emails_consent=False, today=TODAY
    )


def violations(error: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {v.field: v.message for v in error.value.violations}


@pytest.mark.parametrize("value", ["abcdef", "A" * 30, "user_name_1", "UPPER_lower_09"])
def test_usernames_of_6_to_30_word_characters_are_accepted(value: str) -> None:
    assert rules.username(value) == value.lower()


@pytest.mark.parametrize(
    "value", ["abcde", "A" * 31, "with space", "dash-ed", "dot.ted", "ünïcode", "émile_x"]
)
def test_other_usernames_are_refused(value: str) -> None:
    with pytest.raises(FieldError):
        rules.username(value)


@pytest.mark.parametrize(
    "value",
    ["Abcdefghij1!", "Zz1" + "=" * 9, "aB3(" * 32, "Pass word 12 +Ü"],
)
def test_passwords_with_every_class_of_character_are_accepted(value: str) -> None:
    assert rules.password(value) == value


@pytest.mark.parametrize(
    ("value", "missing"),
    [
        ("Abcdefghi1!", "12-128"),  # 11 characters
        ("aB3(" * 32 + "x", "12-128"),  # 129 characters
        ("abcdefghij1!", "upper-case"),
        ("ABCDEFGHIJ1!", "lower-case"),
        ("Abcdefghijk!", "digit"),
        ("Abcdefghijk1", "one of"),
        ("Abcdefghijk1~", "one of"),  # ~ is not one of the listed symbols
    ],
)
def test_passwords_missing_a_rule_are_refused_saying_which(value: str, missing: str) -> None:
    with pytest.raises(FieldError, match=missing):
        rules.password(value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("Alice@Example.COM", "alice@example.com"),
        ("bob.smith+tag@sub.example.org", "bob.smith+tag@sub.example.org"),
        ("ÄLICE@Bücher.de", "älice@bücher.de"),
    ],
)
def test_valid_emails_are_stored_lower_case(value: str, stored: str) -> None:
    assert rules.email(value) == stored


@pytest.mark.parametrize(
    "value",
    ["plain", "a@b", "a@@example.com", "a b@example.com", "a@example..com", "@example.com",
     "a@localhost", "a@example.com.", "a" * 65 + "@example.com"],
)  # fmt: skip
def test_invalid_emails_are_refused(value: str) -> None:
    with pytest.raises(FieldError, match="valid email"):
        rules.email(value)


@pytest.mark.parametrize("value", ["A", "Mary Ann", "O'Neil", "Smith-Jones", "Zoë", "Łukasz",
                                   "José María", "Ngũgĩ", "李", "x" * 50])  # fmt: skip
def test_names_of_letters_spaces_apostrophes_and_hyphens_are_accepted(value: str) -> None:
    assert rules.person_name(value) == value


@pytest.mark.parametrize("value", ["x" * 51, "R2D2", "Anne_Marie", "Dr. No", "Mary!", " ", "'-"])
def test_other_names_are_refused(value: str) -> None:
    with pytest.raises(FieldError):
        rules.person_name(value)


@pytest.mark.parametrize(
    "value",
    ["5551234567", "+1 (555) 123-4567", "555.123.4567", "+44 20 7946 0958", "[555] 123 4567",
     "123456789012345"],
)  # fmt: skip
def test_phones_of_10_to_15_digits_are_kept_as_entered(value: str) -> None:
    assert rules.phone(value) == value


@pytest.mark.parametrize(
    "value", ["555123456", "1234567890123456", "555-CALL-NOW", "++15551234567", "555/123/4567"]
)
def test_other_phones_are_refused(value: str) -> None:
    with pytest.raises(FieldError, match="10-15 digits"):
        rules.phone(value)


@pytest.mark.parametrize("value", ["2012-06-15", "1905-06-15", "1904-06-16", "2000-02-29"])
def test_birth_dates_of_people_13_to_120_are_accepted(value: str) -> None:
    assert rules.date_of_birth(value, TODAY) == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2012-06-16", "13 to 120"),  # 13 tomorrow
        ("1904-06-15", "13 to 120"),  # 121 today
        ("2030-01-01", "13 to 120"),
        ("2001-02-29", "YYYY-MM-DD"),
        ("15/06/2000", "YYYY-MM-DD"),
        ("2000-6-15", "YYYY-MM-DD"),
        ("20000615", "YYYY-MM-DD"),
    ],
)
def test_other_birth_dates_are_refused(value: str, reason: str) -> None:
    with pytest.raises(FieldError, match=reason):
        rules.date_of_birth(value, TODAY)


MARKUP = [
    "<script>alert(1)</script>",
    "<b>bold",
    "</div",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "JavaScript :alert(1)",
    "vbscript:msgbox",
    "data:text/html,hi",
    "x onload=alert(1)",
    "&#60;script&#62;",
]


@pytest.mark.parametrize("field", ["username", "email", "password", "first_name", "last_name"])
@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_any_registration_field_is_refused_by_name(field: str, markup: str) -> None:
    value = {"email": f"{markup}@example.com", "password": f"Aa1!{markup}xxxxxxxx"}.get(
        field, markup
    )
    with pytest.raises(ValidationFailed) as error:
        register(**{field: value})
    assert violations(error) == {field: rules.MARKUP_MESSAGE}


@pytest.mark.parametrize("field", ["phone", "date_of_birth"])
def test_markup_in_optional_fields_is_refused_by_name(field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        register(**{field: "<svg onload=alert(1)>"})
    assert violations(error) == {field: rules.MARKUP_MESSAGE}


def test_a_valid_registration_is_normalised_for_storage() -> None:
    account = register(phone="+1 555 123 4567", date_of_birth="1990-01-31")
    assert account.username == "alice_01"
    assert account.email == "alice@example.com"
    assert account.password == VALID["password"]
    assert (account.phone, account.date_of_birth) == ("+1 555 123 4567", "1990-01-31")


def test_empty_optional_fields_of_a_registration_count_as_not_given() -> None:
    account = register(phone="", date_of_birth="")
    assert (account.phone, account.date_of_birth) == (None, None)


def test_every_violation_of_a_registration_is_reported_once_per_field() -> None:
    with pytest.raises(ValidationFailed) as error:
        register(username="bad", email="nope", password="short", first_name="", phone="12")
    assert set(violations(error)) == {"username", "email", "password", "first_name", "phone"}
    assert len(error.value.violations) == 5
    assert violations(error)["first_name"] == "must not be empty"


def test_profile_changes_clear_optional_fields_with_an_empty_string() -> None:
    changes = rules.validate_profile_changes(
        {"phone": "", "date_of_birth": "", "first_name": "Bob"},
        marketing_emails_consent=True,
        today=TODAY,
    )
    assert changes.values == {
        "phone": None,
        "date_of_birth": None,
        "first_name": "Bob",
        "marketing_emails_consent": True,
    }
    assert changes.email is None


def test_profile_changes_normalise_the_email_and_refuse_an_empty_name() -> None:
    changes = rules.validate_profile_changes(
        {"email": "New@Example.com"}, marketing_emails_consent=None, today=TODAY
    )
    assert changes.email == "new@example.com"
    with pytest.raises(ValidationFailed) as error:
        rules.validate_profile_changes(
            {"last_name": "", "email": "<b>@x.com"}, marketing_emails_consent=None, today=TODAY
        )
    assert violations(error) == {"last_name": "must not be empty", "email": rules.MARKUP_MESSAGE}


def test_age_counts_full_years() -> None:
    assert rules.age_in_years(date(2000, 6, 15), TODAY) == 25
    assert rules.age_in_years(date(2000, 6, 16), TODAY) == 24
