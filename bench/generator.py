"""The load generator's own capacity, measured against a server that does nothing.

A bare ASGI app under uvicorn (httptools and uvloop, as the edge runs) answers every
request at once with a small JSON body. The generator offers it rising rates until it
falls behind: the last rate answered in full, with the generator sending on time, is its
capacity on this machine. The null server shares the two cores, so this is a lower bound,
and any step of the real benchmark that comes near it measures the generator, not CNOP.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from typing import Any

from bench.load import open_loop
from bench.mix import MIX_WEIGHTS, Mix, User
from bench.senders import HttpSender
from bench.stack import die_with_parent, free_port

RATES = (500, 1000, 2000, 4000, 6000, 8000)
STEP_SECONDS = 3.0
MAX_LAG_P99_MS = 10.0
BODY = b'{"ok":true}'


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 with a tiny JSON body, reading nothing it does not have to."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})  # fmt: skip
    await send({"type": "http.response.body", "body": BODY})


def _start_null_server(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "bench.generator:app", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        preexec_fn=die_with_parent if sys.platform == "linux" else None,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the null server did not start")


async def generator_capacity() -> dict[str, Any]:
    """The highest rate the generator sustains against the null server, and every step."""
    port = free_port()
    server = _start_null_server(port)
    http = HttpSender(f"http://127.0.0.1:{port}")
    users = [User.of(f"null_{i}", "token") for i in range(10)]
    steps, capacity = [], 0.0
    try:
        for rate in RATES:
            result = await open_loop(http, Mix(users, MIX_WEIGHTS), rate, STEP_SECONDS, 1.0)
            kept_up = (
                result.routes["all"].errors == 0
                and result.answered_rate >= 0.95 * rate
                and result.generator_lag_ms["p99"] <= MAX_LAG_P99_MS
            )
            steps.append({"rate": rate, "answered_rate": round(result.answered_rate, 1),
                          "p99_ms": round(result.routes["all"].p99, 2),
                          "lag_ms": result.generator_lag_ms, "kept_up": kept_up})  # fmt: skip
            if not kept_up:
                break
            capacity = rate
    finally:
        await http.close()
        server.terminate()
        server.wait(10)
    return {"capacity_rps": capacity, "at_least": bool(steps) and steps[-1]["kept_up"],
            "steps": steps}  # fmt: skip
