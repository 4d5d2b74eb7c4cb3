"""Services as processes: health that follows dependencies, and graceful shutdown."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest
from cnop.inventory.v1 import inventory_pb2, inventory_pb2_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.infra import free_port, wait_for_port
from tests.mesh import MeshFactory

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def health_of(address: str, service: str = "") -> int:
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
        return int(reply.status)


def wait_for_health(address: str, status: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while health_of(address) != status:
        assert time.monotonic() < deadline, f"{address} never became {status}"
        time.sleep(0.2)


def test_health_is_serving_only_while_dependencies_answer(mesh_factory: MeshFactory) -> None:
    mesh = mesh_factory(start=False)
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    mesh.start("user", CNOP_REDIS_URL=dead_redis)
    address = mesh.addr("user")
    deadline = time.monotonic() + 30
    while "dependencies failing" not in mesh.logs("user"):  # the first check has run
        assert time.monotonic() < deadline, "the user service never checked Redis"
        time.sleep(0.2)
    assert health_of(address) == NOT_SERVING
    assert health_of(address, "cnop.user.v1.UserService") == NOT_SERVING
    assert health_of(address, "cnop.liveness") == SERVING  # alive, only not ready

    mesh.stop("user")
    mesh.start("user")
    wait_for_health(address, SERVING)
    assert health_of(address, "cnop.user.v1.BalanceService") == SERVING


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_finishes_calls_in_flight_and_refuses_new_ones(
    stop_signal: signal.Signals, redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    address = f"127.0.0.1:{port}"
    env = {**os.environ, "CNOP_INVENTORY_ADDR": address, "CNOP_REDIS_URL": redis_url,
           "CNOP_SHUTDOWN_GRACE_SECONDS": "5", "CNOP_METRICS_PORT": "0"}  # fmt: skip
    log = (tmp_path / "slow.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fixtures.slow_inventory"], env=env, stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for_port("127.0.0.1", port, 60)
    wait_for_health(address, SERVING)

    channel = grpc.insecure_channel(address)
    statuses: list[int] = []
    watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(), timeout=10)

    def follow_health() -> None:
        with contextlib.suppress(grpc.RpcError):  # the stream ends with the server
            statuses.extend(reply.status for reply in watch)

    watcher = threading.Thread(target=follow_health, daemon=True)
    watcher.start()
    in_flight = inventory_pb2_grpc.InventoryServiceStub(channel).ListAssets.future(
        inventory_pb2.ListAssetsRequest(), timeout=10
    )
    time.sleep(0.5)  # the slow call is now running

    process.send_signal(stop_signal)
    time.sleep(0.3)
    with grpc.insecure_channel(address) as fresh, pytest.raises(grpc.RpcError) as refused:
        inventory_pb2_grpc.InventoryServiceStub(fresh).ListAssets(
            inventory_pb2.ListAssetsRequest(), timeout=2
        )
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE

    assert in_flight.result().total_count == 1  # finished, not cut off
    assert process.wait(timeout=10) == 0
    watcher.join(timeout=5)
    channel.close()
    assert statuses[0] == SERVING
    assert NOT_SERVING in statuses
