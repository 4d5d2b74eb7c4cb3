"""The gRPC server every CNOP service runs: health, reflection and graceful shutdown.

A service describes itself with a `ServiceDefinition` (how to register its servicers and
how to check each dependency) and calls `run_service`. The standard health service
answers SERVING only while every dependency check passes; a background monitor re-runs
the checks. On SIGTERM or SIGINT health turns NOT_SERVING, new calls are refused and
calls in flight get the configured grace period to finish.

Every RPC passes, outermost first, the metrics, tracing and request-context interceptors,
then the service's own. The process serves its Prometheus metrics on its metrics port and
publishes its health there too (`cnop_health_serving`).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from shared.contracts import service_names, services
from shared.errors import NotImplementedYet
from shared.interceptors import RequestContextInterceptor
from shared.logs import configure_logging
from shared.metrics import (
    ServerMetricsInterceptor,
    configure_metrics,
    publish_health,
    start_metrics_server,
)
from shared.settings import Settings
from shared.tracing import ServerTracingInterceptor, configure_tracing, untraced

logger = logging.getLogger("cnop.server")

SIGNAL_CHECK_SECONDS = 1.0

# A health name that is SERVING while the process runs, whatever its dependencies say:
# what a liveness probe asks, so a Redis outage marks pods unready without restarting them.
LIVENESS = "cnop.liveness"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING

# A dependency check returns when the dependency answers and raises when it does not.
DependencyCheck = Callable[[], None]


@dataclass
class ServiceDefinition:
    """What `run_service` needs to know about one service."""

    component: str  # "auth", "user", "inventory" or "order"
    register: Callable[[grpc.Server], None]
    checks: Mapping[str, DependencyCheck] = field(default_factory=dict)
    interceptors: Sequence[grpc.ServerInterceptor] = ()
    on_start: Callable[[], None] | None = None  # background work, such as a price feed
    on_stop: Callable[[], None] | None = None


class HealthMonitor:
    """Runs the dependency checks on a timer and publishes the result as gRPC health."""

    def __init__(
        self,
        servicer: health.HealthServicer,
        names: Sequence[str],
        checks: Mapping[str, DependencyCheck],
        interval: float,
    ) -> None:
        self._servicer = servicer
        self._names = ["", *names]
        self._checks = checks
        self._interval = interval
        self._stopped = threading.Event()
        self._failures: dict[str, str] = {}
        self._thread = threading.Thread(target=self._run, name="health-monitor", daemon=True)
        for name in self._names:  # until the first check passes, nothing is SERVING
            servicer.set(name, NOT_SERVING)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def check_once(self) -> bool:
        """Runs every check, publishes the result, logs changes; True when all pass."""
        failures: dict[str, str] = {}
        for name, check in self._checks.items():
            try:
                with untraced():  # a probe every few seconds would drown the real traces
                    check()
            except Exception as error:
                failures[name] = f"{type(error).__name__}: {error}"[:300]
        if failures != self._failures:
            if failures:
                logger.warning("dependencies failing: %s", failures, extra={"event": "health"})
            else:
                logger.info("all dependencies answer", extra={"event": "health"})
            self._failures = failures
        status = NOT_SERVING if failures else SERVING
        for name in self._names:
            self._servicer.set(name, status)
        publish_health(self._names[1:], serving=not failures)
        return not failures

    def _run(self) -> None:
        while not self._stopped.is_set():
            self.check_once()
            self._stopped.wait(self._interval)


def unimplemented(servicer_base: type, service_full_name: str) -> type:
    """A servicer class whose every RPC answers UNIMPLEMENTED with a clear message."""

    def make(rpc_name: str) -> Callable[..., Any]:
        def answer(self: object, request: object, context: grpc.ServicerContext) -> Any:
            raise NotImplementedYet(f"{service_full_name}.{rpc_name} is not available yet")

        return answer

    rpc_names = [name for name in vars(servicer_base) if not name.startswith("_")]
    return type(
        f"Unimplemented{servicer_base.__name__}",
        (servicer_base,),
        {name: make(name) for name in rpc_names},
    )


def build_server(settings: Settings, definition: ServiceDefinition) -> grpc.Server:
    """A started-ready (not yet started) server with the service, health and reflection."""
    server = grpc.server(
        ThreadPoolExecutor(max_workers=settings.grpc_workers, thread_name_prefix="rpc"),
        interceptors=[
            ServerMetricsInterceptor(),
            ServerTracingInterceptor(),
            RequestContextInterceptor(),
            *definition.interceptors,
        ],
        # Refuse to share a port silently with a second copy of the same service.
        options=[("grpc.so_reuseport", 0)],
    )
    definition.register(server)
    reflection.enable_server_reflection(
        [*service_names(definition.component), health.SERVICE_NAME, reflection.SERVICE_NAME],
        server,
    )
    return server


def run_service(settings: Settings, definition: ServiceDefinition) -> None:
    """Serves until SIGTERM or SIGINT, then shuts down gracefully."""
    configure_logging(definition.component, settings.log_level)
    configure_metrics()
    configure_tracing(definition.component, settings)
    server = build_server(settings, definition)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_servicer.set(LIVENESS, SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [service.full_name for service in services(definition.component)]
    monitor = HealthMonitor(
        health_servicer, names, definition.checks, settings.health_probe_seconds
    )
    port = settings.listen_port(definition.component)
    host = settings.listen_host
    server.add_insecure_port(f"[{host}]:{port}" if ":" in host else f"{host}:{port}")

    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s", signal.Signals(signum).name, extra={"event": "shutdown"})
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    metrics_port = settings.metrics_port_of(definition.component)
    stop_metrics = (
        start_metrics_server(settings.listen_host, metrics_port) if metrics_port else None
    )
    server.start()
    monitor.check_once()
    monitor.start()
    if definition.on_start:
        definition.on_start()
    logger.info("%s listening on port %d", definition.component, port, extra={"event": "startup"})
    # Wake now and then: a signal that lands on another thread runs its handler only when
    # the main thread next runs Python code, and a wait without a timeout never does.
    while not stop.wait(SIGNAL_CHECK_SECONDS):
        pass

    # Health first, so load balancers stop routing here while calls in flight finish.
    monitor.stop()
    health_servicer.enter_graceful_shutdown()
    publish_health(names, serving=False)
    if definition.on_stop:
        definition.on_stop()
    server.stop(settings.shutdown_grace_seconds).wait()
    if stop_metrics:
        stop_metrics()
    logger.info("%s stopped", definition.component, extra={"event": "shutdown"})
