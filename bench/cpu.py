"""CPU time per process, from /proc, around a stretch of steady load.

`CpuMeter` reads utime + stime of each process (all of its threads) and the machine's
total busy time when it starts and when it stops. What the benchmark's own processes did
not use of the machine's busy time was used by something else on this shared machine:
that is reported as `other_cores`, a measure of how noisy the step was.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds a process has used so far (0.0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: field 3 is fields[0]; utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent not idle, since boot."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICKS_PER_SECOND


@dataclass
class CpuUse:
    """CPU used during one measured stretch."""

    seconds: float
    by_process: dict[str, float]  # CPU seconds
    other_cores: float  # average cores busy with processes outside the benchmark

    def per_request_us(self, requests: int) -> dict[str, float]:
        """Microseconds of CPU per request served, for each process and in total."""
        if requests <= 0:
            return {}
        result = {name: round(used / requests * 1e6, 1) for name, used in self.by_process.items()}
        result["total"] = round(sum(self.by_process.values()) / requests * 1e6, 1)
        return result

    def cores(self) -> dict[str, float]:
        """Average cores each process kept busy."""
        return {name: round(used / self.seconds, 3) for name, used in self.by_process.items()}


class CpuMeter:
    """Measures the CPU of named processes between `start()` and `stop()`."""

    def __init__(self, pids: dict[str, int]) -> None:
        self._pids = pids
        self._before: dict[str, float] = {}
        self._busy_before = 0.0
        self._started = 0.0

    def start(self) -> None:
        self._before = {name: process_cpu_seconds(pid) for name, pid in self._pids.items()}
        self._busy_before = machine_busy_seconds()
        self._started = time.perf_counter()

    def stop(self) -> CpuUse:
        seconds = time.perf_counter() - self._started
        used = {
            name: process_cpu_seconds(pid) - self._before[name] for name, pid in self._pids.items()
        }
        busy = machine_busy_seconds() - self._busy_before
        return CpuUse(
            seconds=seconds,
            by_process={name: round(value, 3) for name, value in used.items()},
            other_cores=round(max(0.0, busy - sum(used.values())) / seconds, 3),
        )
