"""The test servers from tests/infra.py answer over real connections."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlsplit

import botocore.session
import pytest
import redis
from botocore.config import Config

from shared.stack import dynamodb_local_command
from tests.infra import free_port, wait_for_port

pytestmark = pytest.mark.integration


def test_dynamodb_local_lists_creates_and_deletes_tables(dynamodb_endpoint: str) -> None:
    client = botocore.session.get_session().create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=dynamodb_endpoint,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2}),
    )
    name = f"infra-{uuid.uuid4().hex[:8]}"
    assert name not in client.list_tables()["TableNames"]

    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "0.1"}})
    item = client.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": "0.1"}
    assert name in client.list_tables()["TableNames"]

    client.delete_table(TableName=name)
    assert name not in client.list_tables()["TableNames"]


def test_redis_answers_ping_set_get(redis_url: str) -> None:
    assert urlsplit(redis_url).port != 6379, "tests must not use the developer's Redis"
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        assert client.ping()
        key = f"infra:{uuid.uuid4().hex}"
        client.set(key, "value", ex=60)
        assert client.get(key) == b"value"
        assert client.config_get("save") == {"save": ""}
    finally:
        client.close()


def test_free_port_is_free_and_wait_for_port_times_out() -> None:
    port = free_port()
    with pytest.raises(TimeoutError):
        wait_for_port("127.0.0.1", port, timeout=0.3)


def test_dynamodb_local_command_modes(tmp_path: Path) -> None:
    in_memory = dynamodb_local_command(8123, None)
    assert in_memory[-1] == "-inMemory"
    assert "-sharedDb" in in_memory
    assert in_memory[in_memory.index("-port") + 1] == "8123"

    data_dir = tmp_path / "ddb"
    on_disk = dynamodb_local_command(8123, data_dir)
    assert data_dir.is_dir()
    assert on_disk[on_disk.index("-dbPath") + 1] == str(data_dir.resolve())
    assert "-inMemory" not in on_disk
