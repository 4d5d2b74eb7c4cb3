"""Accounts through the real edge: registration rules, uniqueness, login and profiles."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import httpx
import pytest

from tests.e2e.accounts import (
    LOGIN,
    PASSWORD,
    PROFILE,
    REGISTER,
    bearer,
    client_from,
    fresh_loopback,
    login,
    new_username,
    register,
    registration,
)
from tests.mesh import Mesh


def errors_by_field(reply: httpx.Response) -> dict[str, str]:
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert body["error"] == "VALIDATION_FAILED"
    return {item["field"]: item["message"] for item in body["validation_errors"]}


def years_ago(years: int, days: int = 0) -> str:
    """The birth date of someone who turned `years` old today, moved by `days`."""
    today = datetime.now(UTC).date()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = date(today.year - years, 2, 28)
    return date.fromordinal(born.toordinal() + days).isoformat()


@pytest.fixture
def api(mesh: Mesh) -> Iterator[httpx.Client]:
    """A client of the session mesh from an address of its own (see `client_from`)."""
    with client_from(mesh.edge_url) as client:
        yield client


@pytest.fixture(scope="module")
def user(mesh: Mesh) -> dict[str, object]:
    with client_from(mesh.edge_url) as client:
        return register(client, phone="+1 (555) 010-9999", date_of_birth="1990-05-17")


# ---------------------------------------------------------------------------------------
# Registration


def test_registration_creates_an_account_with_a_zero_balance(api: httpx.Client) -> None:
    body = registration(username=f"Mixed_{uuid.uuid4().hex[:8]}")
    reply = api.post(REGISTER, json=body)
    assert reply.status_code == 201, reply.text
    assert reply.json()["username"] == str(body["username"]).lower()
    assert reply.json()["message"]

    token = login(api, str(body["username"]).upper())
    balance = api.get("/api/v1/balance", headers=bearer(token))
    assert balance.status_code == 200, balance.text
    assert balance.json()["current_balance"] == "0.00"


def test_input_accepts_lower_camel_case_names(api: httpx.Client) -> None:
    body = registration()
    body["firstName"] = body.pop("first_name")
    body["dateOfBirth"] = "1980-01-01"
    assert api.post(REGISTER, json=body).status_code == 201


BAD_FIELDS = [
    ("username", "short"),
    ("username", "x" * 31),
    ("username", "has space_1"),
    ("username", "dash-not-ok"),
    ("password", "Short1!aaaa"),
    ("password", "A1!" + "a" * 126),
    ("password", "alllowercase1!"),
    ("password", "ALLUPPERCASE1!"),
    ("password", "NoDigitsHere!!"),
    ("password", "NoSymbolHere12"),
    ("email", "not-an-email"),
    ("email", "two@@example.com"),
    ("email", "nodot@localhost"),
    ("first_name", ""),
    ("first_name", "x" * 51),
    ("first_name", "R2-D2"),
    ("last_name", "Smith_Jones"),
    ("last_name", "Dr. Who"),
    ("phone", "12345"),
    ("phone", "1234567890123456"),
    ("phone", "555-CALL-NOW"),
    ("date_of_birth", "17/05/1990"),
    ("date_of_birth", "1990-02-30"),
    ("date_of_birth", years_ago(13, days=1)),
    ("date_of_birth", years_ago(121)),
    ("date_of_birth", "2999-01-01"),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
def test_each_field_rule_is_a_422_naming_the_field(
    api: httpx.Client, field: str, value: str
) -> None:
    problems = errors_by_field(api.post(REGISTER, json=registration(**{field: value})))
    assert list(problems) == [field]


@pytest.mark.parametrize(
    ("field", "value"),
    [("date_of_birth", years_ago(13)), ("date_of_birth", years_ago(120, days=1)),
     ("phone", "+44 (20) 7946.0958"), ("first_name", "Zoë Ann-Marie O'Brien")],
)  # fmt: skip
def test_values_at_the_edges_of_the_rules_are_accepted(
    api: httpx.Client, field: str, value: str
) -> None:
    assert api.post(REGISTER, json=registration(**{field: value})).status_code == 201


MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
          "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)",
          "a onmouseover=x"]  # fmt: skip
TEXT_FIELDS = ["username", "email", "password", "first_name", "last_name", "phone",
               "date_of_birth"]  # fmt: skip


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_any_text_field_is_a_422_naming_it(
    api: httpx.Client, field: str, markup: str
) -> None:
    value = {"email": f"{markup}@example.com", "password": f"Aa1!{markup}"}.get(field, markup)
    body = registration(**{field: value})
    problems = errors_by_field(api.post(REGISTER, json=body))
    assert problems == {field: "must not contain markup or script"}


def test_several_bad_fields_are_reported_together(api: httpx.Client) -> None:
    body = registration(username="no", password="weak", email="bad", phone="1")
    assert set(errors_by_field(api.post(REGISTER, json=body))) == {
        "username", "password", "email", "phone"
    }  # fmt: skip


def test_a_duplicate_username_in_any_case_is_409(api: httpx.Client) -> None:
    first = register(api)
    again = registration(username=str(first["username"]).upper())
    reply = api.post(REGISTER, json=again)
    assert reply.status_code == 409, reply.text
    assert reply.json()["error"] == "ALREADY_EXISTS"
    assert "username" in reply.json()["message"]


def test_a_duplicate_email_in_any_case_is_409(api: httpx.Client) -> None:
    first = register(api)
    reply = api.post(REGISTER, json=registration(email=str(first["email"]).upper()))
    assert reply.status_code == 409, reply.text
    assert reply.json()["error"] == "ALREADY_EXISTS"
    assert "email" in reply.json()["message"]
    assert "username" not in reply.json()["message"]


def test_concurrent_registrations_of_one_username_create_exactly_one_account(
    mesh: Mesh,
) -> None:
    username = new_username()
    bodies = [registration(username=username, email=f"c{i}-{username}@example.com")
              for i in range(20)]  # fmt: skip

    address = fresh_loopback()

    def attempt(body: dict[str, object]) -> int:
        with client_from(mesh.edge_url, address) as client:
            return client.post(REGISTER, json=body).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(attempt, bodies))
    assert sorted(statuses) == [201] + [409] * 19


def test_concurrent_registrations_of_one_email_create_exactly_one_account(mesh: Mesh) -> None:
    email = f"{new_username()}@example.com"

    address = fresh_loopback()

    def attempt(_: int) -> int:
        with client_from(mesh.edge_url, address) as client:
            return client.post(REGISTER, json=registration(email=email)).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(attempt, range(10)))
    assert sorted(statuses) == [201] + [409] * 9


# ---------------------------------------------------------------------------------------
# Login


def test_login_gives_a_bearer_token_for_an_hour(api: httpx.Client, user: dict[str, object]) -> None:
    reply = api.post(LOGIN, json={"username": user["username"], "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].count(".") == 2


def test_wrong_password_and_unknown_user_get_the_same_401(
    mesh: Mesh, user: dict[str, object]
) -> None:
    with client_from(mesh.edge_url) as client:
        wrong = client.post(LOGIN, json={"username": user["username"], "password": "Wrong-Pass1!"})
        unknown = client.post(LOGIN, json={"username": new_username(), "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == "UNAUTHENTICATED"
    assert {**wrong.json(), "request_id": None} == {**unknown.json(), "request_id": None}
    assert set(wrong.headers) - {"date"} == set(unknown.headers) - {"date"}


# ---------------------------------------------------------------------------------------
# Profile


def test_the_profile_holds_the_registered_fields(
    api: httpx.Client, user: dict[str, object]
) -> None:
    reply = api.get(PROFILE, headers=bearer(login(api, user["username"])))
    assert reply.status_code == 200, reply.text
    profile = reply.json()
    assert profile["username"] == user["username"]
    assert profile["email"] == user["email"]
    assert (profile["first_name"], profile["last_name"]) == ("Ada", "Lovelace")
    assert profile["phone"] == "+1 (555) 010-9999"
    assert profile["date_of_birth"] == "1990-05-17"
    assert profile["marketing_emails_consent"] is False
    assert profile["created_at"].endswith("Z")
    assert profile["updated_at"].endswith("Z")
    assert "password" not in reply.text
    assert "argon2" not in reply.text


def test_a_profile_without_optional_fields_shows_them_as_null(api: httpx.Client) -> None:
    body = register(api)
    profile = api.get(PROFILE, headers=bearer(login(api, body["username"]))).json()
    assert profile["phone"] is None
    assert profile["date_of_birth"] is None


def test_a_profile_update_changes_only_the_given_fields(api: httpx.Client) -> None:
    body = register(api, phone="5550101234")
    headers = bearer(login(api, body["username"]))
    before = api.get(PROFILE, headers=headers).json()
    reply = api.put(
        PROFILE,
        headers=headers,
        json={"first_name": "Grace", "marketing_emails_consent": True,
              "date_of_birth": "1985-12-09"},
    )  # fmt: skip
    assert reply.status_code == 200, reply.text
    assert reply.json()["success"] is True
    assert reply.json()["message"]
    updated = reply.json()["user"]
    assert updated["first_name"] == "Grace"
    assert updated["last_name"] == "Lovelace"
    assert updated["marketing_emails_consent"] is True
    assert updated["date_of_birth"] == "1985-12-09"
    assert updated["phone"] == "5550101234"
    assert updated["created_at"] == before["created_at"]
    assert updated["updated_at"] >= before["updated_at"]
    assert api.get(PROFILE, headers=headers).json() == updated


def test_an_empty_string_clears_phone_and_birth_date(api: httpx.Client) -> None:
    body = register(api, phone="5550101234", date_of_birth="1990-01-01")
    headers = bearer(login(api, body["username"]))
    reply = api.put(PROFILE, headers=headers, json={"phone": "", "date_of_birth": ""})
    assert reply.status_code == 200, reply.text
    assert reply.json()["user"]["phone"] is None
    assert reply.json()["user"]["date_of_birth"] is None
    assert api.get(PROFILE, headers=headers).json()["phone"] is None


def test_profile_updates_follow_the_field_rules(api: httpx.Client) -> None:
    body = register(api)
    headers = bearer(login(api, body["username"]))
    reply = api.put(
        PROFILE,
        headers=headers,
        json={"first_name": "<b>Bold</b>", "last_name": "", "phone": "12", "email": "nope"},
    )
    assert errors_by_field(reply) == {
        "first_name": "must not contain markup or script",
        "last_name": "must not be empty",
        "phone": errors_by_field(reply)["phone"],
        "email": errors_by_field(reply)["email"],
    }
    assert api.put(PROFILE, headers=headers, json={"username": "renamed"}).status_code == 422


def test_an_email_of_another_user_is_a_409_and_the_own_email_is_not(api: httpx.Client) -> None:
    mine, theirs = register(api), register(api)
    headers = bearer(login(api, mine["username"]))

    clash = api.put(PROFILE, headers=headers, json={"email": str(theirs["email"]).upper()})
    assert clash.status_code == 409, clash.text
    assert clash.json()["error"] == "ALREADY_EXISTS"

    own = api.put(PROFILE, headers=headers, json={"email": str(mine["email"]).upper()})
    assert own.status_code == 200, own.text
    assert own.json()["user"]["email"] == mine["email"]


def test_an_email_change_moves_the_claim_to_the_new_address(api: httpx.Client) -> None:
    body = register(api)
    new_email = f"new-{body['username']}@example.org"
    headers = bearer(login(api, body["username"]))
    reply = api.put(PROFILE, headers=headers, json={"email": new_email.title()})
    assert reply.status_code == 200, reply.text
    assert reply.json()["user"]["email"] == new_email

    # The old address is free again; the new one is taken.
    assert api.post(REGISTER, json=registration(email=body["email"])).status_code == 201
    assert api.post(REGISTER, json=registration(email=new_email)).status_code == 409
