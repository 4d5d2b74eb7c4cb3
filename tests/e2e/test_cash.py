"""Cash accounts through the edge: exact amounts, atomic movements, idempotency, history."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.users import deposit, register_and_login

BALANCE = "/api/v1/balance"
DEPOSIT = "/api/v1/balance/deposit"
WITHDRAW = "/api/v1/balance/withdraw"
HISTORY = "/api/v1/balance/transactions"


def balance(api: httpx.Client, auth: dict[str, str]) -> str:
    reply = api.get(BALANCE, headers=auth)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["current_balance"])


def history(api: httpx.Client, auth: dict[str, str], **params: object) -> dict[str, object]:
    reply = api.get(HISTORY, params=params, headers=auth)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def test_a_new_user_has_zero_cash(api: httpx.Client) -> None:
    auth = register_and_login(api)
    reply = api.get(BALANCE, headers=auth)
    assert reply.json()["current_balance"] == "0.00"
    assert reply.json()["updated_at"].endswith("Z")


def test_json_numbers_are_kept_exact(api: httpx.Client) -> None:
    auth = register_and_login(api)
    first = api.post(DEPOSIT, content=b'{"amount": 0.1}', headers=auth)
    assert first.status_code == 201, first.text
    second = api.post(DEPOSIT, content=b'{"amount": 0.2, "description": "top-up"}', headers=auth)
    body = second.json()
    assert body["current_balance"] == "0.30"
    assert body["success"] is True
    assert body["transaction_id"]
    assert body["timestamp"].endswith("Z")
    assert balance(api, auth) == "0.30"


@pytest.mark.parametrize("amount", [1000000.01, "1.234", 1.234, 0, "-5", -5, "lots", True])
def test_invalid_amounts_are_422_naming_amount(api: httpx.Client, amount: object) -> None:
    auth = register_and_login(api)
    reply = api.post(DEPOSIT, json={"amount": amount}, headers=auth)
    assert reply.status_code == 422, reply.text
    assert [v["field"] for v in reply.json()["validation_errors"]] == ["amount"]
    assert balance(api, auth) == "0.00"


def test_a_description_over_100_characters_or_with_markup_is_refused(api: httpx.Client) -> None:
    auth = register_and_login(api)
    for description in ("x" * 101, "<script>alert(1)</script>", "bell\x07", "two\nlines"):
        reply = api.post(DEPOSIT, json={"amount": "1", "description": description}, headers=auth)
        assert reply.status_code == 422
        assert reply.json()["validation_errors"][0]["field"] == "description"


def test_withdrawing_more_than_the_balance_is_insufficient_funds(api: httpx.Client) -> None:
    auth = register_and_login(api)
    deposit(api, auth, "12.50")
    reply = api.post(WITHDRAW, json={"amount": "100"}, headers=auth)
    assert reply.status_code == 422
    assert reply.json()["error"] == "INSUFFICIENT_FUNDS"
    assert reply.json()["message"] == "Insufficient balance: 12.50 available, 100.00 required"
    assert balance(api, auth) == "12.50"


def test_fifty_concurrent_withdrawals_of_ten_from_a_hundred(api: httpx.Client) -> None:
    auth = register_and_login(api)
    deposit(api, auth, "100")

    def withdraw(_: int) -> int:
        return api.post(WITHDRAW, json={"amount": "10"}, headers=auth).status_code

    with ThreadPoolExecutor(max_workers=25) as pool:
        statuses = list(pool.map(withdraw, range(50)))

    assert statuses.count(201) == 10
    assert statuses.count(422) == 40
    assert balance(api, auth) == "0.00"
    entries = history(api, auth, limit=100)["transactions"]
    assert len([e for e in entries if e["transaction_type"] == "withdraw"]) == 10  # type: ignore[union-attr, index]


def test_a_hundred_concurrent_deposits_sum_exactly(api: httpx.Client) -> None:
    auth = register_and_login(api)

    def one_deposit(_: int) -> int:
        return api.post(DEPOSIT, json={"amount": 1.01}, headers=auth).status_code

    with ThreadPoolExecutor(max_workers=25) as pool:
        statuses = list(pool.map(one_deposit, range(100)))
    assert statuses == [201] * 100
    assert balance(api, auth) == "101.00"
    assert history(api, auth, limit=1)["total_count"] == 100


def test_a_deposit_replayed_twenty_times_at_once_moves_the_money_once(api: httpx.Client) -> None:
    auth = register_and_login(api)
    headers = {**auth, "Idempotency-Key": "salary-2026-12"}

    def replay(_: int) -> httpx.Response:
        return api.post(DEPOSIT, json={"amount": "2500.00"}, headers=headers)

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(replay, range(20)))

    assert {reply.status_code for reply in replies} <= {201, 409}
    succeeded = [reply.json() for reply in replies if reply.status_code == 201]
    assert len({body["transaction_id"] for body in succeeded}) == 1
    assert balance(api, auth) == "2500.00"
    assert history(api, auth)["total_count"] == 1
    again = replay(0)
    assert again.status_code == 201
    assert again.json() == succeeded[0]
    conflicts = [reply.json() for reply in replies if reply.status_code == 409]
    assert all(body["error"] == "CONFLICT" for body in conflicts)


def test_the_same_key_with_a_new_amount_is_422(api: httpx.Client) -> None:
    auth = register_and_login(api)
    headers = {**auth, "Idempotency-Key": "one-key"}
    assert api.post(DEPOSIT, json={"amount": "10"}, headers=headers).status_code == 201
    reply = api.post(DEPOSIT, json={"amount": "11"}, headers=headers)
    assert reply.status_code == 422
    assert reply.json()["error"] == "IDEMPOTENCY_KEY_REUSED"
    assert balance(api, auth) == "10.00"
    too_long = api.post(
        DEPOSIT, json={"amount": "1"}, headers={**auth, "Idempotency-Key": "k" * 129}
    )
    assert too_long.status_code == 400


def test_history_pages_through_120_entries_newest_first(api: httpx.Client) -> None:
    auth = register_and_login(api)
    for cents in range(1, 121):
        deposit(api, auth, f"{cents / 100:.2f}")

    seen: list[str] = []
    page = history(api, auth, limit=50)
    while True:
        assert page["total_count"] == 120
        seen.extend(entry["amount"] for entry in page["transactions"])  # type: ignore[attr-defined]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        page = history(api, auth, limit=50, cursor=page["next_cursor"])
    assert seen == [f"{cents / 100:.2f}" for cents in range(120, 0, -1)]

    by_offset = history(api, auth, limit=10, offset=110)
    assert [e["amount"] for e in by_offset["transactions"]] == [  # type: ignore[attr-defined]
        f"{cents / 100:.2f}" for cents in range(10, 0, -1)
    ]
    assert by_offset["has_more"] is False


def test_cursors_are_bound_to_their_user_and_checked(api: httpx.Client) -> None:
    owner = register_and_login(api)
    for _ in range(3):
        deposit(api, owner, "1.00")
    cursor = history(api, owner, limit=1)["next_cursor"]
    stranger = register_and_login(api)
    for bad in (cursor, f"{cursor}x", "garbage"):
        reply = api.get(HISTORY, params={"cursor": bad}, headers=stranger)
        assert reply.status_code == 422
        assert reply.json()["validation_errors"][0]["field"] == "cursor"
    both = api.get(HISTORY, params={"cursor": cursor, "offset": 1}, headers=owner)
    assert both.status_code == 422
    assert api.get(HISTORY, params={"limit": 101}, headers=owner).status_code == 422
