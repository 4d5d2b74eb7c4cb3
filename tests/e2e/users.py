"""Helpers for end-to-end tests that act as registered users."""

from __future__ import annotations

import uuid

import httpx

PASSWORD = "Correct-Horse-42-Battery"


def register_and_login(client: httpx.Client, prefix: str = "trader") -> dict[str, str]:
    """Registers a fresh user and returns the Authorization header of their token."""
    username = f"{prefix}_{uuid.uuid4().hex[:12]}"
    reply = client.post(
        "/api/v1/auth/register",
        json={
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
            "first_name": "Test",
            "last_name": "Trader",
        },
    )
    assert reply.status_code == 201, reply.text
    reply = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def deposit(client: httpx.Client, auth: dict[str, str], amount: str) -> None:
    reply = client.post("/api/v1/balance/deposit", json={"amount": amount}, headers=auth)
    assert reply.status_code == 201, reply.text
