"""The benchmark's report: the machine and versions, then every result as readable tables.

`environment` records what the numbers depend on; `print_report` prints the whole result
dictionary that `bench.run` builds (and writes as JSON) in the order it was measured.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from shared.stack import dynamodb_local_dir

PACKAGES = ("grpcio", "protobuf", "uvicorn", "uvloop", "httptools", "starlette", "pynamodb",
            "botocore", "redis", "opentelemetry-sdk", "aiohttp")  # fmt: skip
ROUTE_COLUMNS = ("rate", "p50", "p95", "p99", "p999", "max")


def _command_version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (done.stdout + done.stderr).strip().splitlines()[0] if done.stdout + done.stderr else ""


def environment() -> dict[str, Any]:
    """Versions, CPU and load: what the numbers of this run depend on."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    versions = {name: metadata.version(name) for name in PACKAGES}
    return {
        "python": platform.python_version(),
        "packages": versions,
        "dynamodb_local": dynamodb_local_dir().name.removeprefix("dynamodb_local_"),
        "java": _command_version(["java", "-version"]),
        "redis": _command_version(["redis-server", "--version"]),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average_at_start": list(os.getloadavg()),
    }


def _routes_table(routes: dict[str, Any]) -> list[str]:
    lines = [f"    {'route':<15} {'rate/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'p99.9':>7}"
             f" {'max':>7} {'errors':>6}"]  # fmt: skip
    for name, row in routes.items():
        cells = " ".join(f"{row[c]:7.1f}" for c in ROUTE_COLUMNS)
        lines.append(f"    {name:<15} {cells} {row['errors']:6d}")
    return lines


def _step(title: str, step: dict[str, Any]) -> list[str]:
    offered = step["offered_rate"]
    line = (f"  {title}: {f'offered {offered}/s' if offered else 'closed loop'} for "
            f"{step['seconds']} s, answered {step['answered_rate']}/s")  # fmt: skip
    if step["generator_lag_ms"]:
        line += f"; generator lag {step['generator_lag_ms']} ms"
    if step["other_cores"] is not None:
        line += f"; other load {step['other_cores']} cores"
    lines = [line]
    lines += _routes_table(step["routes"])
    if step["failures"]:
        lines.append(f"    failures: {step['failures']}")
    return lines


def _section(result: dict[str, Any], key: str) -> list[str]:
    part = result.get(key)
    if part is None:
        return []
    if key == "generator":
        bound = "at least " if part.get("at_least") else ""
        return [f"Generator capacity (open loop against a null server): {bound}"
                f"{part['capacity_rps']}/s",
                *(f"  {s}" for s in part["steps"])]  # fmt: skip
    if key == "transcoding":
        return ["Transcoding micro-benchmark (µs per call: best / median of 7 rounds)",
                *(f"  {name:<36} {v['best_us']:8.1f} {v['median_us']:8.1f}"
                  for name, v in part.items())]  # fmt: skip
    if key == "comparison":
        lines = [f"Edge vs direct gRPC, both at {part['rate']}/s at once (p50 in ms)",
                 f"  ValidateToken calls per authenticated edge request (about, from /metrics): "
                 f"{part['validate_token_per_request']}",
                 f"    {'route':<15} {'edge':>7} {'direct':>7} {'overhead':>8}"]  # fmt: skip
        for route, row in part["p50_ms"].items():
            lines.append(f"    {route:<15} {row['edge']:7.2f} {row['direct']:7.2f} "
                         f"{row['overhead']:8.2f}")  # fmt: skip
        return [*lines, *_step("edge", part["edge"]), *_step("direct", part["direct"])]
    if key == "store":
        lines = [f"Store ceiling (bare TransactWriteItems, 5 writes): {part['ceiling']}/s"]
        return lines + [f"  {run}" for run in part["runs"]]
    if key == "orders":
        return [f"Market orders through the edge, closed loop of {part['concurrency']}: "
                f"{part['orders_per_second']}/s = {part['share_of_store_ceiling']:.0%} of the "
                f"store ceiling", f"  CPU µs per order: {part['cpu_us_per_order']}",
                *_step("orders", part["step"])]  # fmt: skip
    if key == "saturation":
        return [
            f"Saturation (p99 < {part['p99_limit_ms']} ms, no errors): "
            f"{part['saturation_rate']}/s (first failing {part['first_failing_rate']}/s)"
        ]
    if key == "half_saturation":
        lines = _step("Half the saturation rate", part["step"])
        lines.append(f"  CPU µs per request: {part['cpu_us_per_request']}")
        lines.append(f"  cores busy: {part['cores']}; other processes on the machine: "
                     f"{part['other_cores']} cores")  # fmt: skip
        return lines
    if key == "profile":
        lines = ["Profiles (py-spy --gil; % of samples, own time)"]
        for name, frames in part.items():
            lines.append(f"  {name}:")
            lines += [f"    {share:5.1f}% {frame}" for share, frame in frames.get("self", [])[:8]]
        return lines
    if key == "targets":
        return ["Targets", *(f"  {'met   ' if t['met'] else 'MISSED'} {name}: {t['detail']}"
                             for name, t in part.items())]  # fmt: skip
    return [f"{key}: {json.dumps(part)}"]


SECTIONS = ("generator", "transcoding", "comparison", "store", "orders", "saturation",
            "half_saturation", "profile", "targets")  # fmt: skip


def print_report(result: dict[str, Any]) -> None:
    """Prints every section of a benchmark result."""
    meta = result["meta"]
    lines = [
        "", "=" * 78, "CNOP benchmark", "=" * 78,
        f"python {meta['python']}, {meta['cpu']} x{meta['cores']}, DynamoDB Local "
        f"{meta['dynamodb_local']}, {meta['redis']}",
        "  " + ", ".join(f"{k} {v}" for k, v in meta["packages"].items()),
        f"  load average at start {meta['load_average_at_start']}, at end "
        f"{meta.get('load_average_at_end')}; took {result.get('duration_seconds')} s",
    ]  # fmt: skip
    for key in SECTIONS:
        section = _section(result, key)
        if section:
            lines += ["", *section]
    print("\n".join(lines), flush=True)
