"""Real servers for the integration and end-to-end tests (a pytest plugin).

Loaded from tests/conftest.py with `pytest_plugins = ["tests.infra"]`. The session-scoped
fixtures start their own servers, on free ports of 127.0.0.1, once per test session:

- `dynamodb_endpoint`: DynamoDB Local in memory (`-sharedDb`), as `http://127.0.0.1:PORT`.
  While it runs, dummy AWS credentials are set in the environment where none are, so
  no AWS client goes looking for real ones.
- `redis_url`: a `redis-server` that keeps nothing on disk, as `redis://127.0.0.1:PORT/0`.
  Tests never touch a Redis they did not start (such as a system one on 6379).

Each server logs to a file under the session's temporary folder; when one fails to come
up, the error carries the end of that log.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
import redis

from shared.stack import dynamodb_local_command, redis_server_command

DYNAMODB_START_TIMEOUT = 90.0  # a cold JVM on a busy 2-core CI machine
REDIS_START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


# Ports for test servers come from below Linux's ephemeral range (32768-60999), where the
# OS never puts the source port of an outgoing connection: a port the OS picked (bind to
# 0) could be taken by one of the many client sockets the tests open before the server
# that was meant to get it starts.
TEST_PORTS = range(20_000, 32_000)
_handed_out: set[int] = set()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now, handed out once per test session."""
    while True:
        port = random.choice(TEST_PORTS)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Blocks until host:port accepts a TCP connection; TimeoutError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError as error:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{host}:{port} refused connections for {timeout}s") from error
            time.sleep(0.1)


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


class _Server:
    """One server process with its output in a log file."""

    def __init__(self, name: str, command: list[str], workdir: Path) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the terminal is pytest's to handle
        )

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Polls `ready` until it is true; stops the server and raises if it never is."""
        deadline = time.monotonic() + timeout
        while not ready():
            code = self.process.poll()
            if code is not None or time.monotonic() >= deadline:
                self.stop()
                why = f"exited with code {code}" if code is not None else f"not ready in {timeout}s"
                raise RuntimeError(
                    f"{self.name} {why}; last lines of {self.log_path}:\n{_log_tail(self.log_path)}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _answers_http(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2.0)
    try:
        connection.request("GET", "/")
        connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return True


def _answers_ping(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def dynamodb_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DynamoDB Local, in memory, for the whole session: `http://127.0.0.1:PORT`."""
    workdir = tmp_path_factory.mktemp("dynamodb")
    port = free_port()
    server = _Server("dynamodb", dynamodb_local_command(port, None), workdir)
    server.wait_until(lambda: _answers_http(port), DYNAMODB_START_TIMEOUT)
    added = {key: value for key, value in DUMMY_AWS_ENV.items() if key not in os.environ}
    os.environ.update(added)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for key in added:
            os.environ.pop(key, None)
        server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server, nothing kept on disk, for the session: `redis://...:PORT/0`."""
    workdir = tmp_path_factory.mktemp("redis")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _Server("redis", redis_server_command(port, None), workdir)
    server.wait_until(lambda: _answers_ping(url), REDIS_START_TIMEOUT)
    try:
        yield url
    finally:
        server.stop()
