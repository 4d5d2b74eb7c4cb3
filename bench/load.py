"""Open-loop and closed-loop load, measured without coordinated omission.

`open_loop` sends at a fixed arrival rate: request i is due at `start + i / rate`, whatever
happened to the requests before it, and its latency runs from that intended time, not
from when it actually left. A server that stalls therefore shows every request that
waited behind the stall, as users would see it. The generator's own lateness (actual send
minus intended) is recorded too: when its p99 grows past a few milliseconds, the
generator, not the server, is the limit of that step.

Requests due in the first `warmup` seconds are sent but not measured. The answered rate
counts answers that arrived inside the measured window, so it falls behind the offered
rate once the server saturates.

`closed_loop` keeps a fixed number of requests in flight for a while: the throughput
ceiling of a path, to compare with the store's own.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from bench.mix import Call, Mix, User
from bench.senders import Sender
from bench.stats import Recorder, RouteSummary

DRAIN_SECONDS = 15.0  # after the last send, how long answers may still arrive
TOP_REASONS = 8


@dataclass
class StepResult:
    """One load step: what was offered and what came back."""

    offered_rate: float | None  # None for a closed loop
    seconds: float
    answered_rate: float
    routes: dict[str, RouteSummary]
    generator_lag_ms: dict[str, float]
    failures: dict[str, int]
    other_cores: float | None = None  # cores busy outside the benchmark, when measured

    def as_dict(self) -> dict[str, Any]:
        return {
            "offered_rate": round(self.offered_rate, 1) if self.offered_rate else None,
            "other_cores": self.other_cores,
            "seconds": self.seconds,
            "answered_rate": round(self.answered_rate, 1),
            "routes": {name: summary.as_dict() for name, summary in self.routes.items()},
            "generator_lag_ms": self.generator_lag_ms,
            "failures": self.failures,
        }


async def _send_safely(send: Sender, call: Call, user: User) -> str | None:
    try:
        return await send(call, user)
    except Exception as error:  # a generator bug must not end the step silently
        return f"generator error {type(error).__name__}"


async def open_loop(send: Sender, mix: Mix, rate: float, seconds: float,
                    warmup: float = 2.0) -> StepResult:  # fmt: skip
    """Offers `rate` requests per second for `warmup` + `seconds`; measures the last part."""
    loop = asyncio.get_running_loop()
    clock = time.perf_counter  # the loop's own clock may tick in whole milliseconds (uvloop)
    recorder = Recorder()
    interval = 1.0 / rate
    total = round(rate * (warmup + seconds))
    start = clock() + 0.05
    window = (start + warmup, start + warmup + seconds)
    answered = 0
    in_flight: dict[asyncio.Task[None], tuple[str, float, bool]] = {}

    async def fire(call: Call, user: User, intended: float, measured: bool) -> None:
        nonlocal answered
        sent = clock()
        failure = await _send_safely(send, call, user)
        done = clock()
        if measured:
            recorder.record(call.route, (done - intended) * 1000, failure)
            recorder.lags.append((sent - intended) * 1000)
        if window[0] <= done < window[1]:
            answered += 1

    index = 0
    while index < total:
        now = clock()
        due = start + index * interval
        if due > now:
            await asyncio.sleep(due - now)
            continue
        # Send everything that is due, each with its own intended time.
        while index < total and start + index * interval <= now:
            intended = start + index * interval
            call, user = mix.draw()
            measured = intended >= window[0]
            task = loop.create_task(fire(call, user, intended, measured))
            in_flight[task] = (call.route, intended, measured)
            task.add_done_callback(lambda finished: in_flight.pop(finished, None))
            index += 1

    await _drain(in_flight, recorder, clock)
    return StepResult(
        offered_rate=rate,
        seconds=seconds,
        answered_rate=answered / seconds,
        routes=recorder.summaries(seconds),
        generator_lag_ms=recorder.lag_ms(),
        failures=_top(recorder.reasons),
    )


async def _drain(in_flight: dict[asyncio.Task[None], tuple[str, float, bool]],
                 recorder: Recorder, clock: Any) -> None:  # fmt: skip
    """Waits for answers still due; what never comes counts as a failure."""
    if not in_flight:
        return
    _, late = await asyncio.wait(list(in_flight), timeout=DRAIN_SECONDS)
    for task in late:
        route, intended, measured = in_flight[task]
        task.cancel()
        if measured:
            recorder.record(route, (clock() - intended) * 1000, "no answer")
    await asyncio.gather(*late, return_exceptions=True)


async def closed_loop(send: Sender, mix: Mix, concurrency: int, seconds: float) -> StepResult:
    """`concurrency` workers, each sending its next request as soon as one is answered."""
    recorder = Recorder()
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            call, user = mix.draw()
            started = time.perf_counter()
            failure = await _send_safely(send, call, user)
            recorder.record(call.route, (time.perf_counter() - started) * 1000, failure)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    routes = recorder.summaries(elapsed)
    return StepResult(
        offered_rate=None,
        seconds=round(elapsed, 2),
        answered_rate=routes["all"].rate,
        routes=routes,
        generator_lag_ms={},
        failures=_top(recorder.reasons),
    )


def _top(reasons: dict[str, int]) -> dict[str, int]:
    return dict(sorted(reasons.items(), key=lambda item: -item[1])[:TOP_REASONS])
