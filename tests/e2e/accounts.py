"""Helpers for end-to-end tests that need accounts: register, log in, send the token."""

from __future__ import annotations

import uuid

import httpx

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
PROFILE = "/api/v1/auth/profile"
PASSWORD = "Correct-Horse1!"


def new_username() -> str:
    return f"u_{uuid.uuid4().hex[:12]}"


def registration(**changes: object) -> dict[str, object]:
    username = new_username()
    body: dict[str, object] = {
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
        "first_name": "Ada",
        "last_name": "Lovelace",
    }
    body.update(changes)
    return body


def register(api: httpx.Client, **changes: object) -> dict[str, object]:
    body = registration(**changes)
    reply = api.post(REGISTER, json=body)
    assert reply.status_code == 201, reply.text
    return body


def login(api: httpx.Client, username: object, password: str = PASSWORD) -> str:
    reply = api.post(LOGIN, json={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def fresh_loopback() -> str:
    """A loopback address (127.x.y.z, never 127.0.0.1) that no other test uses."""
    x, y, z = uuid.uuid4().bytes[:3]
    return f"127.{x}.{y}.{max(z, 2)}"


def client_from(edge_url: str, address: str | None = None) -> httpx.Client:
    """A client of an edge whose requests come from a loopback address of their own.

    The edge keeps per-address budgets (rate limits, the login lock-out) in a Redis that
    every mesh of the session shares: a test that talks from its own address counts
    against no other test, and no other test against it.
    """
    transport = httpx.HTTPTransport(local_address=address or fresh_loopback())
    return httpx.Client(base_url=edge_url, transport=transport, timeout=30.0)
