"""The whole CNOP mesh as real processes, for end-to-end tests (a pytest plugin).

`mesh` is one session-wide mesh: the four services and the edge, each `cnop serve X`
in its own process on free ports, against the session's DynamoDB Local and Redis, with
a table prefix of its own. Tests that need a mesh configured differently, or one whose
processes they stop, ask `mesh_factory` for a private one. `api` is an HTTP client bound
to the session mesh's edge.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.infra import free_port, wait_for_port

SERVICES = ("auth", "user", "inventory", "order")
COMPONENTS = (*SERVICES, "edge")
START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0
CNOP = str(Path(sys.executable).with_name("cnop"))


class Mesh:
    """The five CNOP processes of one configuration."""

    def __init__(self, workdir: Path, base_env: dict[str, str]) -> None:
        self.workdir = workdir
        self.ports = {name: free_port() for name in COMPONENTS}
        # Each service serves its Prometheus metrics on a port of its own (CNOP_METRICS_PORT).
        self.metrics_ports = {name: free_port() for name in SERVICES}
        self.env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "CNOP_TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-",
            "CNOP_DATA_DIR": str(workdir / "data"),
            "CNOP_EDGE_HOST": "127.0.0.1",
            "CNOP_EDGE_PORT": str(self.ports["edge"]),
            "CNOP_HEALTH_PROBE_SECONDS": "0.5",
            "CNOP_SHUTDOWN_GRACE_SECONDS": "3",
            # Budgets no functional test comes near; the rate-limit tests set their own.
            "CNOP_RATE_LIMIT_READ_PER_MINUTE": "100000",
            "CNOP_RATE_LIMIT_ACCOUNT_PER_MINUTE": "100000",
            "CNOP_RATE_LIMIT_TRADE_PER_MINUTE": "100000",
            **{f"CNOP_{name.upper()}_ADDR": f"127.0.0.1:{self.ports[name]}" for name in SERVICES},
            **base_env,
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, IO[bytes]] = {}

    @property
    def edge_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['edge']}"

    def addr(self, service: str) -> str:
        """The `host:port` of a gRPC service."""
        return f"127.0.0.1:{self.ports[service]}"

    def metrics_url(self, component: str) -> str:
        """Where a component's Prometheus metrics are: the edge's /metrics or a service's port."""
        if component == "edge":
            return f"{self.edge_url}/metrics"
        return f"http://127.0.0.1:{self.metrics_ports[component]}/metrics"

    def log_path(self, component: str) -> Path:
        return self.workdir / f"{component}.log"

    def logs(self, component: str) -> str:
        """Everything a component has written to stdout and stderr so far."""
        return self.log_path(component).read_text(errors="replace")

    def start(self, component: str, **env: str) -> None:
        """Starts one component, with `env` over the mesh's settings, and waits until its
        port accepts connections."""
        log = self._logs.get(component) or self.log_path(component).open("ab")
        self._logs[component] = log
        self.processes[component] = subprocess.Popen(
            [CNOP, "serve", component],
            env={**self.env, **self._own_env(component), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port("127.0.0.1", self.ports[component], START_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(
                f"{component} did not start:\n{self.logs(component)[-4000:]}"
            ) from None

    def _own_env(self, component: str) -> dict[str, str]:
        if component not in self.metrics_ports:
            return {}
        return {"CNOP_METRICS_PORT": str(self.metrics_ports[component])}

    def stop(self, component: str) -> int | None:
        """Stops one component with SIGTERM, as an orchestrator would; its exit code."""
        process = self.processes.pop(component, None)
        if process is None:
            return None
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()

    def start_all(self) -> None:
        for component in COMPONENTS:
            self.start(component)
        self.wait_healthy()

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> dict[str, object]:
        """Blocks until the edge's /health reports every check ok."""
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            try:
                reply = httpx.get(f"{self.edge_url}/health", timeout=2.0)
                last = reply.json()
                if reply.status_code == 200 and reply.json()["status"] == "healthy":
                    return dict(reply.json())
            except httpx.HTTPError as error:
                last = error
            time.sleep(0.3)
        raise RuntimeError(f"mesh not healthy after {timeout}s: {last}")

    def stop_all(self) -> None:
        for component in reversed(COMPONENTS):
            self.stop(component)
        for log in self._logs.values():
            log.close()


MeshFactory = Callable[..., Mesh]


@pytest.fixture(scope="session")
def mesh_factory(
    tmp_path_factory: pytest.TempPathFactory, dynamodb_endpoint: str, redis_url: str
) -> Iterator[MeshFactory]:
    """Makes private meshes: `mesh_factory(CNOP_SOME_SETTING="x", start=True)`."""
    meshes: list[Mesh] = []

    def make(start: bool = True, **env: str) -> Mesh:
        base = {"CNOP_DYNAMODB_ENDPOINT": dynamodb_endpoint, "CNOP_REDIS_URL": redis_url, **env}
        mesh = Mesh(tmp_path_factory.mktemp("mesh"), base)
        meshes.append(mesh)
        if start:
            mesh.start_all()
        return mesh

    yield make
    for mesh in meshes:
        mesh.stop_all()


@pytest.fixture(scope="session")
def mesh(mesh_factory: MeshFactory) -> Mesh:
    """The session's shared mesh, started once."""
    return mesh_factory()


@pytest.fixture(scope="session")
def api(mesh: Mesh) -> Iterator[httpx.Client]:
    """An HTTP client for the session mesh's edge."""
    with httpx.Client(base_url=mesh.edge_url, timeout=10.0) as client:
        yield client
