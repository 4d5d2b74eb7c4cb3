"""The store's own ceiling for order execution: bare TransactWriteItems against DynamoDB Local.

Each transaction has the five writes of a market buy, with the same conditions and
update expressions as `order.trading` (through botocore directly, without PynamoDB, the
services or the network hops in between): the order, the cash balance (ADD, on the
condition that it covers the amount), the cash ledger entry, the holding (ADD) and the
asset ledger entry. Workers each trade for a user of their own, in the benchmark's own
tables, so transactions never conflict. The best rate over a few concurrencies is the
ceiling that market orders through the edge are compared with.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import botocore.session  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]

from bench.cpu import CpuMeter

CONCURRENCIES = (1, 4, 16)
STARTING_CASH = "1000000000.00"


def dynamodb_client(endpoint: str, connections: int) -> Any:
    """A botocore DynamoDB client for DynamoDB Local."""
    session = botocore.session.get_session()
    return session.create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (DynamoDB Local takes any credentials)
        config=Config(max_pool_connections=connections, retries={"max_attempts": 1}),
    )


def _trade_items(prefix: str, username: str) -> list[dict[str, Any]]:
    order_id = uuid.uuid4().hex[:22]
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    quantity, price, total = "0.001", "30000.00", "30.00"

    def s(value: str) -> dict[str, str]:
        return {"S": value}

    def n(value: str) -> dict[str, str]:
        return {"N": value}

    return [
        {"Put": {"TableName": f"{prefix}orders", "Item": {
            "username": s(username), "order_id": s(order_id), "order_type": n("1"),
            "asset_id": s("BTC"), "quantity": n(quantity), "price": n(price),
            "total_amount": n(total), "status": n("2"), "created_at": s(now),
            "updated_at": s(now)}, "ConditionExpression": "attribute_not_exists(order_id)"}},
        {"Update": {"TableName": f"{prefix}cash-balances", "Key": {"username": s(username)},
            "UpdateExpression": "ADD amount :amount, ledger_count :one SET updated_at = :now",
            "ConditionExpression": "attribute_exists(username) AND amount >= :total",
            "ExpressionAttributeValues": {":amount": n(f"-{total}"), ":one": n("1"),
                                          ":now": s(now), ":total": n(total)}}},
        {"Put": {"TableName": f"{prefix}cash-ledger", "Item": {
            "username": s(username), "entry_key": s(f"{now}#{order_id}"),
            "transaction_id": s(uuid.uuid4().hex), "transaction_type": n("3"),
            "amount": n(f"-{total}"), "description": s(f"Buy {quantity} BTC at {price}"),
            "status": n("2"), "created_at": s(now), "reference_id": s(order_id)},
            "ConditionExpression": "attribute_not_exists(username)"}},
        {"Update": {"TableName": f"{prefix}holdings",
            "Key": {"username": s(username), "asset_id": s("BTC")},
            "UpdateExpression": "ADD quantity :q SET created_at = if_not_exists(created_at, :now),"
                                " updated_at = :now",
            "ExpressionAttributeValues": {":q": n(quantity), ":now": s(now)}}},
        {"Put": {"TableName": f"{prefix}asset-ledger", "Item": {
            "username": s(username), "entry_key": s(f"BTC#{order_id}"), "asset_id": s("BTC"),
            "order_id": s(order_id), "transaction_type": n("1"), "quantity": n(quantity),
            "price": n(price), "total_amount": n(total), "status": n("2"),
            "created_at": s(now)}, "ConditionExpression": "attribute_not_exists(entry_key)"}},
    ]  # fmt: skip


def _fund(client: Any, prefix: str, usernames: list[str]) -> None:
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    for username in usernames:
        client.put_item(
            TableName=f"{prefix}cash-balances",
            Item={"username": {"S": username}, "amount": {"N": STARTING_CASH},
                  "ledger_count": {"N": "0"}, "updated_at": {"S": now}},
        )  # fmt: skip


def transactions_per_second(endpoint: str, prefix: str, concurrency: int, seconds: float,
                            pids: dict[str, int]) -> dict[str, Any]:  # fmt: skip
    """Runs `concurrency` workers for `seconds`: transactions per second, errors, and the
    CPU each process in `pids` spent per transaction."""
    client = dynamodb_client(endpoint, concurrency)
    usernames = [f"ceiling_{uuid.uuid4().hex[:8]}_{i}" for i in range(concurrency)]
    _fund(client, prefix, usernames)
    deadline = time.perf_counter() + seconds
    counts = {"done": 0, "errors": 0}
    lock = threading.Lock()

    def worker(username: str) -> None:
        done = errors = 0
        while time.perf_counter() < deadline:
            try:
                client.transact_write_items(TransactItems=_trade_items(prefix, username))
                done += 1
            except client.exceptions.ClientError:
                errors += 1
        with lock:
            counts["done"] += done
            counts["errors"] += errors

    meter = CpuMeter(pids)
    meter.start()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, usernames))
    use = meter.stop()
    return {
        "concurrency": concurrency,
        "transactions_per_second": round(counts["done"] / use.seconds, 1),
        "errors": counts["errors"],
        "cpu_us_per_transaction": use.per_request_us(counts["done"]),
        "other_cores": use.other_cores,
    }


def store_ceiling(endpoint: str, prefix: str, seconds: float,
                  pids: dict[str, int]) -> dict[str, Any]:  # fmt: skip
    """The trade transaction rate at each concurrency, and the best of them."""
    runs = [transactions_per_second(endpoint, prefix, c, seconds, pids) for c in CONCURRENCIES]
    best = max(runs, key=lambda run: run["transactions_per_second"])
    return {"runs": runs, "ceiling": best["transactions_per_second"],
            "best_concurrency": best["concurrency"]}  # fmt: skip
