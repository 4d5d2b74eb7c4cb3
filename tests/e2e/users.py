"""Helpers for end-to-end tests that act as registered, funded users."""

from __future__ import annotations

import httpx

from tests.e2e.accounts import bearer, login, register


def register_and_login(client: httpx.Client) -> dict[str, str]:
    """Registers a fresh user and returns the Authorization header of their token."""
    body = register(client)
    return bearer(login(client, body["username"]))


def deposit(client: httpx.Client, auth: dict[str, str], amount: str) -> None:
    reply = client.post("/api/v1/balance/deposit", json={"amount": amount}, headers=auth)
    assert reply.status_code == 201, reply.text
