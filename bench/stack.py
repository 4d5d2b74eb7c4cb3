"""A private CNOP stack for the benchmark, on free ports of 127.0.0.1.

DynamoDB Local (in memory), a `redis-server` that keeps nothing on disk, the four services
and the edge: the same commands `cnop up` and the end-to-end tests run, so the benchmark
never collides with `make up` or a test session. Prices come from a file, so every trade
has a known cost, and the rate-limit budgets are far above any rate the benchmark offers.
Each process logs to a file in a temporary folder. `stop` ends every process it started,
and so does the kernel if the benchmark itself dies (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from shared.stack import LOCAL_AWS_ENV, dynamodb_local_command, redis_server_command

SERVICES = ("auth", "user", "inventory", "order")
COMPONENTS = (*SERVICES, "edge")
PRICES = {"BTC": "30000.00", "ETH": "2000.00", "SOL": "100.00", "DOGE": "0.07312345"}
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 10.0
RATE_LIMIT_CLASSES = ("READ", "ACCOUNT", "TRADE")
HUGE_BUDGET = "10000000"  # requests per minute: the rate limits never refuse a request
PR_SET_PDEATHSIG = 1
BENCH_PORTS = range(12_000, 20_000)
_handed_out: set[int] = set()


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now, handed out once per run.

    It comes from below the ephemeral range, where no outgoing connection takes its source
    port (a port the OS picked could be taken by a service's first connection to DynamoDB
    before the server meant to get it starts), and below the tests' range (20000-31999).
    """
    while True:
        port = random.choice(BENCH_PORTS)  # noqa: S311 (not a secret)
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


def die_with_parent() -> None:
    """In a child, before exec: have the kernel SIGTERM it when the benchmark process ends."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class BenchStack:
    """Every process of one benchmark run; `start()`, then `stop()` in a `finally`."""

    def __init__(self, overrides: dict[str, str] | None = None) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="cnop-bench-"))
        self.ports = {name: free_port() for name in (*COMPONENTS, "dynamodb", "redis")}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.price_file = self.workdir / "prices.json"
        self.price_file.write_text(json.dumps(PRICES))
        self.env = {
            **os.environ,
            **LOCAL_AWS_ENV,
            "AWS_DEFAULT_REGION": "us-east-1",
            "PYTHONUNBUFFERED": "1",
            "CNOP_TABLE_PREFIX": "bench-",
            "CNOP_DATA_DIR": str(self.workdir / "data"),
            "CNOP_DYNAMODB_ENDPOINT": self.dynamodb_endpoint,
            "CNOP_REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "CNOP_EDGE_HOST": "127.0.0.1",
            "CNOP_EDGE_PORT": str(self.ports["edge"]),
            "CNOP_METRICS_PORT": "0",
            "CNOP_SHUTDOWN_GRACE_SECONDS": "2",
            "CNOP_PRICE_PROVIDER": "file",
            "CNOP_PRICE_FILE": str(self.price_file),
            "CNOP_PRICE_REFRESH_SECONDS": "5",
            **{f"CNOP_RATE_LIMIT_{kind}_PER_MINUTE": HUGE_BUDGET for kind in RATE_LIMIT_CLASSES},
            **{f"CNOP_{name.upper()}_ADDR": self.addr(name) for name in SERVICES},
        }
        self.env.update(overrides or {})

    @property
    def dynamodb_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['dynamodb']}"

    @property
    def edge_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['edge']}"

    def addr(self, component: str) -> str:
        """The `host:port` of a component."""
        return f"127.0.0.1:{self.ports[component]}"

    def pids(self) -> dict[str, int]:
        """The process id of each running component, for CPU accounting and profiling."""
        return {name: process.pid for name, process in self.processes.items()}

    def start(self) -> None:
        """Starts the stores, then every component, and waits until the edge is healthy."""
        self._spawn("dynamodb", dynamodb_local_command(self.ports["dynamodb"], None))
        self._spawn("redis", redis_server_command(self.ports["redis"], None))
        for name in ("dynamodb", "redis"):
            self._wait_for_port(name)
        cnop = str(Path(sys.executable).with_name("cnop"))
        for name in COMPONENTS:
            self._spawn(name, [cnop, "serve", name])
        self._wait_healthy()

    def _spawn(self, name: str, command: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
        )
        log.close()

    def _wait_for_port(self, name: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            self._check_alive(name)
            try:
                with socket.create_connection(("127.0.0.1", self.ports[name]), timeout=1.0):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{name} did not open its port:\n{self.log_tail(name)}")

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        last = ""
        while time.monotonic() < deadline:
            for name in COMPONENTS:
                self._check_alive(name)
            try:
                with urllib.request.urlopen(f"{self.edge_url}/health", timeout=2.0) as reply:  # noqa: S310
                    last = reply.read().decode()
                    if json.loads(last)["status"] == "healthy":
                        return
            except OSError as error:
                last = str(error)
            time.sleep(0.5)
        raise RuntimeError(f"the stack did not become healthy: {last}")

    def _check_alive(self, name: str) -> None:
        code = self.processes[name].poll()
        if code is not None:
            raise RuntimeError(f"{name} exited with code {code}:\n{self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        """The last lines a component wrote, for error messages."""
        try:
            text = (self.workdir / f"{name}.log").read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to every process (the edge first, the stores last), then SIGKILL."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)
