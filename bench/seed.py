"""Seeding: many users, each registered, logged in, funded and holding every traded asset.

Registration and login each cost one argon2 hash in the user service (about 25 ms of a
core), so users are made a few at a time, not all at once: enough to keep both cores
busy without queueing hundreds of hashes. Each user deposits 1,000,000.00 and buys a
stock of BTC, ETH and SOL that the benchmark's sells (0.001-0.1 a trade) cannot exhaust.
"""

from __future__ import annotations

import asyncio
import uuid

from bench.mix import User
from bench.senders import HttpSender

PASSWORD = "Bench-Mark-Password-42"  # noqa: S105 (a made-up user of a private stack)
SEED_CONCURRENCY = 6
FUNDS = "1000000.00"
HOLDINGS = (("BTC", "1"), ("ETH", "20"), ("SOL", "200"))  # about 90,000.00 at bench prices


async def seed_user(http: HttpSender, username: str) -> User:
    """Registers, logs in, funds and stocks one user."""
    await http.json(
        "POST",
        "/api/v1/auth/register",
        {
            "username": username,
            "email": f"{username}@bench.example.com",
            "password": PASSWORD,
            "first_name": "Bench",
            "last_name": "User",
        },
    )
    login = await http.json(
        "POST", "/api/v1/auth/login", {"username": username, "password": PASSWORD}
    )
    token = login["access_token"]
    await http.json("POST", "/api/v1/balance/deposit", {"amount": FUNDS}, token)
    for asset, quantity in HOLDINGS:
        body = {"order_type": "market_buy", "asset_id": asset, "quantity": quantity}
        await http.json("POST", "/api/v1/orders", body, token)
    return User.of(username, token)


async def seed_users(http: HttpSender, count: int) -> list[User]:
    """`count` ready users, made `SEED_CONCURRENCY` at a time."""
    run = uuid.uuid4().hex[:6]
    gate = asyncio.Semaphore(SEED_CONCURRENCY)

    async def one(index: int) -> User:
        async with gate:
            return await seed_user(http, f"bench_{run}_{index:04d}")

    return list(await asyncio.gather(*(one(index) for index in range(count))))
