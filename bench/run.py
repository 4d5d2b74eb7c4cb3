"""`python -m bench`: how fast CNOP is, and where the time goes. `make bench` runs it.

In one run, on a private stack (`bench.stack`), in this order:

1. the generator's own capacity against a null server, and the transcoding micro-benchmark;
2. seeding: users registered, logged in, funded and holding assets;
3. a warm-up (the JVM of DynamoDB Local compiles its hot paths);
4. the edge against direct gRPC calls, both at one low rate at the same time;
5. the store's ceiling (bare trade transactions), then market orders through the edge;
6. the saturation search over the full mix, then a step at half that rate with the CPU
   of every process measured (and, with --profile, py-spy recordings of the hot services);
7. the verdict on each target. The report goes to stdout and `bench/results/latest.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvloop

from bench.cpu import CpuMeter
from bench.generator import generator_capacity
from bench.load import StepResult, closed_loop, open_loop
from bench.micro import transcoding
from bench.mix import MIX_WEIGHTS, ORDER_WEIGHTS, Mix, User
from bench.profile import Profiler
from bench.report import environment, print_report
from bench.saturation import find_saturation
from bench.seed import seed_users
from bench.senders import GrpcSender, HttpSender
from bench.stack import SERVICES, BenchStack
from bench.store import store_ceiling
from bench.targets import verdicts

RESULTS = Path(__file__).resolve().parent / "results"
PROFILED = ("edge", "order", "user")


@dataclass(frozen=True)
class Options:
    """How long and how hard to run; the defaults are what `make bench` runs."""

    users: int = 200
    step_seconds: float = 10.0
    warmup_seconds: float = 3.0
    search_start: float = 20.0
    search_budget_seconds: float = 420.0
    comparison_rate: float = 20.0
    comparison_seconds: float = 20.0
    order_concurrency: int = 16
    store_seconds: float = 5.0
    profile: bool = False
    env: tuple[tuple[str, str], ...] = ()  # settings of the stack's processes, for experiments
    output: Path = RESULTS / "latest.json"


def say(message: str) -> None:
    print(message, flush=True)


def _meter(stack: BenchStack) -> CpuMeter:
    """A CPU meter of every process of the stack and of the generator itself."""
    return CpuMeter({**stack.pids(), "generator": os.getpid()})


async def _validate_token_calls(http: HttpSender) -> float:
    """How many ValidateToken calls the edge has made so far, from its /metrics."""
    text = await http.text("/metrics")
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("grpc_client_started_total") and 'grpc_method="ValidateToken"' in line
    )


async def _compare(options: Options, stack: BenchStack, http: HttpSender, direct: GrpcSender,
                   users: list[User]) -> dict[str, Any]:  # fmt: skip
    rate, seconds = options.comparison_rate, options.comparison_seconds
    say(f"edge and direct gRPC side by side, {rate}/s each for {seconds} s")
    before = await _validate_token_calls(http)
    meter = _meter(stack)
    meter.start()
    edge, straight = await asyncio.gather(
        open_loop(http, Mix(users, MIX_WEIGHTS, seed=1), rate, seconds, options.warmup_seconds),
        open_loop(direct, Mix(users, MIX_WEIGHTS, seed=2), rate, seconds, options.warmup_seconds),
    )
    edge.other_cores = straight.other_cores = meter.stop().other_cores
    validations = await _validate_token_calls(http) - before
    sent = rate * (seconds + options.warmup_seconds)
    authenticated = sent * (1 - (MIX_WEIGHTS["assets.list"] + MIX_WEIGHTS["assets.detail"]) / 100)
    p50 = {
        route: {
            "edge": round(edge.routes[route].p50, 3),
            "direct": round(straight.routes[route].p50, 3),
            "overhead": round(edge.routes[route].p50 - straight.routes[route].p50, 3),
        }
        for route in edge.routes
        if route in straight.routes
    }
    return {
        "rate": rate,
        "p50_ms": p50,
        "validate_token_per_request": round(validations / authenticated, 2),
        "edge": edge.as_dict(),
        "direct": straight.as_dict(),
    }


async def _orders(options: Options, stack: BenchStack, http: HttpSender, users: list[User],
                  ceiling: float) -> dict[str, Any]:  # fmt: skip
    say(f"market orders through the edge, closed loop of {options.order_concurrency}")
    meter = _meter(stack)
    meter.start()
    step = await closed_loop(http, Mix(users, ORDER_WEIGHTS, seed=3), options.order_concurrency,
                             options.step_seconds)  # fmt: skip
    use = meter.stop()
    step.other_cores = use.other_cores
    orders = step.routes["market orders"]
    rate = orders.rate - orders.errors / step.seconds
    return {
        "concurrency": options.order_concurrency,
        "orders_per_second": round(rate, 1),
        "share_of_store_ceiling": round(rate / ceiling, 3) if ceiling else 0.0,
        "cpu_us_per_order": use.per_request_us(orders.requests),
        "step": step.as_dict(),
    }


async def _half_saturation(options: Options, stack: BenchStack, http: HttpSender,
                           users: list[User], rate: float) -> dict[str, Any]:  # fmt: skip
    seconds = max(options.step_seconds, 20.0)
    say(f"half the saturation rate: {rate:.1f}/s for {seconds} s, CPU of every process")
    meter = _meter(stack)
    meter.start()
    step = await open_loop(http, Mix(users, MIX_WEIGHTS, seed=4), rate, seconds,
                           options.warmup_seconds)  # fmt: skip
    use = meter.stop()
    step.other_cores = use.other_cores
    served = round(rate * (seconds + options.warmup_seconds))
    return {
        "rate": rate,
        "step": step.as_dict(),
        "cpu_seconds": use.by_process,
        "cpu_us_per_request": use.per_request_us(served),
        "cores": use.cores(),
        "other_cores": use.other_cores,
    }


async def _profile(options: Options, stack: BenchStack, http: HttpSender,
                   users: list[User], rate: float) -> dict[str, Any]:  # fmt: skip
    seconds = 20.0
    say(f"profiling {', '.join(PROFILED)} with py-spy at {rate:.1f}/s for {seconds} s")
    pids = {name: pid for name, pid in stack.pids().items() if name in PROFILED}
    profiler = Profiler(options.output.parent / "profiles", pids, seconds)
    profiler.start(svg=True)
    await open_loop(http, Mix(users, MIX_WEIGHTS, seed=5), rate, seconds, 1.0)
    return profiler.wait()


async def exercise(options: Options, stack: BenchStack) -> dict[str, Any]:
    """Everything that needs the running stack."""
    result: dict[str, Any] = {}
    http = HttpSender(stack.edge_url)
    direct = GrpcSender({name: stack.addr(name) for name in SERVICES})
    try:
        started = time.perf_counter()
        users = await seed_users(http, options.users)
        result["seeding"] = {"users": len(users), "seconds": round(time.perf_counter() - started)}
        say(f"seeded {len(users)} users in {result['seeding']['seconds']} s; warming up")
        await open_loop(http, Mix(users, MIX_WEIGHTS, seed=0), options.search_start, 15.0, 0.0)
        result["comparison"] = await _compare(options, stack, http, direct, users)

        say(f"store ceiling: bare trade transactions, {options.store_seconds} s per concurrency")
        result["store"] = await asyncio.to_thread(
            store_ceiling, stack.dynamodb_endpoint, "bench-", options.store_seconds,
            {"dynamodb": stack.pids()["dynamodb"], "client": os.getpid()},
        )  # fmt: skip
        ceiling = result["store"]["ceiling"]
        result["orders"] = await _orders(options, stack, http, users, ceiling)

        say("saturation search over the full mix")

        async def step(rate: float) -> StepResult:
            mix = Mix(users, MIX_WEIGHTS, seed=int(rate))
            meter = _meter(stack)
            meter.start()
            outcome = await open_loop(http, mix, rate, options.step_seconds, options.warmup_seconds)
            outcome.other_cores = meter.stop().other_cores
            return outcome

        search = await find_saturation(step, options.search_start, options.search_budget_seconds,
                                       report=say)  # fmt: skip
        result["saturation"] = search.as_dict()
        saturation = search.passing or options.search_start
        result["half_saturation"] = await _half_saturation(
            options, stack, http, users, saturation / 2
        )
        if options.profile:
            result["profile"] = await _profile(options, stack, http, users, saturation * 0.7)
    finally:
        await http.close()
        await direct.close()
    return result


async def run(options: Options) -> dict[str, Any]:
    """The whole benchmark; returns the result that is printed and written."""
    began = time.perf_counter()
    result: dict[str, Any] = {"meta": environment(), "config": _config(options)}
    say("generator capacity against a null server")
    result["generator"] = await generator_capacity()
    say("transcoding micro-benchmark")
    result["transcoding"] = transcoding()
    say("starting a private stack")
    stack = BenchStack(dict(options.env))
    try:
        stack.start()
        result.update(await exercise(options, stack))
    finally:
        stack.stop()
    result["targets"] = verdicts(result)
    result["meta"]["load_average_at_end"] = list(os.getloadavg())
    result["duration_seconds"] = round(time.perf_counter() - began)
    return result


def _config(options: Options) -> dict[str, Any]:
    config = {key: value for key, value in vars(options).items() if key != "output"}
    return {**config, "mix": MIX_WEIGHTS}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=Options.users)
    parser.add_argument("--step-seconds", type=float, default=Options.step_seconds)
    parser.add_argument("--search-budget", type=float, default=Options.search_budget_seconds,
                        help="seconds the saturation search may take")  # fmt: skip
    parser.add_argument("--profile", action="store_true",
                        help="also record py-spy profiles in bench/results/profiles")  # fmt: skip
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for every process of the stack (repeatable)")  # fmt: skip
    parser.add_argument("--output", type=Path, default=Options.output)
    args = parser.parse_args(argv)
    env = tuple(tuple(pair.split("=", 1)) for pair in args.env)
    options = Options(users=args.users, step_seconds=args.step_seconds,
                      search_budget_seconds=args.search_budget, profile=args.profile,
                      env=env, output=args.output)  # fmt: skip
    result = uvloop.run(run(options))
    print_report(result)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(result, indent=2, default=str))
    say(f"\nwritten to {options.output}")
