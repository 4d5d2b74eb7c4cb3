"""Sampling profiles of running components with py-spy, and their hottest frames.

`Profiler` runs `py-spy record --gil --nonblocking` on some of the stack's processes for
a fixed time, in py-spy's "raw" format (one collapsed stack and its sample count per
line), and optionally as flamegraph SVGs. `--gil` keeps the samples where a thread held
the interpreter: the Python work that competes for the process's one core, without
threads that only wait on a socket. `--nonblocking` reads the target's memory without
pausing it, so the profile disturbs the measurement as little as possible.

`hottest_frames` reads a raw profile into the frames that hold the most samples, by
their own time and with what they call.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

SAMPLES_PER_SECOND = 97  # not a multiple of common timer rates
TOP_FRAMES = 15
ROOT_SHARE = 0.9


def py_spy() -> str | None:
    """The py-spy executable beside this interpreter, or on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Profiler:
    """py-spy recordings of named processes, running in the background."""

    def __init__(self, out_dir: Path, pids: dict[str, int], seconds: float) -> None:
        self.out_dir = out_dir
        self.pids = pids
        self.seconds = seconds
        self._running: list[subprocess.Popen[bytes]] = []

    def start(self, svg: bool = False) -> None:
        executable = py_spy()
        if executable is None:
            raise RuntimeError("py-spy is not installed: pip install py-spy")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        formats = ["raw", "flamegraph"] if svg else ["raw"]
        for name, pid in self.pids.items():
            for fmt in formats:
                suffix = "svg" if fmt == "flamegraph" else "txt"
                output = self.out_dir / f"{name}.{suffix}"
                command = [executable, "record", "--gil", "--nonblocking", "--format", fmt,
                           "--rate", str(SAMPLES_PER_SECOND), "--duration", str(int(self.seconds)),
                           "--pid", str(pid), "--output", str(output)]  # fmt: skip
                self._running.append(
                    subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                )

    def wait(self) -> dict[str, Any]:
        """Waits for every recording; the hottest frames of each process."""
        for process in self._running:
            try:
                process.wait(self.seconds + 30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._running.clear()
        return {
            name: hottest_frames(self.out_dir / f"{name}.txt")
            for name in self.pids
            if (self.out_dir / f"{name}.txt").exists()
        }


def hottest_frames(raw_profile: Path, top: int = TOP_FRAMES) -> dict[str, Any]:
    """The frames with the most samples: by own time ("self") and with callees ("total")."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw_profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        samples += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            total[frame] += int(count)

    def share(counter: Counter[str]) -> list[list[Any]]:
        # Frames in nearly every sample (the server's main loop and its callers) say nothing.
        ranked = [(f, n) for f, n in counter.most_common() if n < ROOT_SHARE * samples]
        return [[round(100 * n / samples, 1), frame] for frame, n in ranked[:top]]

    return {"samples": samples, "self": share(own), "total": share(total)} if samples else {}
