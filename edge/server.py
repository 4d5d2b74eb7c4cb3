"""Runs the edge under uvicorn until SIGTERM or SIGINT."""

from __future__ import annotations

import math

import uvicorn

from edge.app import create_app
from shared.logs import configure_logging
from shared.metrics import configure_metrics
from shared.settings import Settings
from shared.tracing import configure_tracing


def serve(settings: Settings) -> None:
    """Serves the REST edge on the configured host and port."""
    configure_logging("edge", settings.log_level)
    configure_metrics()
    configure_tracing("edge", settings)
    uvicorn.run(
        create_app(settings),
        host=settings.edge_host,
        port=settings.edge_port,
        log_config=None,
        access_log=False,
        lifespan="on",
        # The edge decides itself whose X-Forwarded-For to believe (edge.addresses).
        proxy_headers=False,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
    )
