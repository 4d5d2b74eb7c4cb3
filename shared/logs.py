"""JSON logs, one object per line on stdout, carrying the request's context.

Every line has `timestamp` (RFC 3339 UTC), `level`, `service`, `request_id`, `trace_id`,
`event` and `message`, plus any `extra` fields the caller passes. The request id, trace id
and user id come from context variables that the interceptors and the edge set for the
duration of one request, so a handler never threads them through by hand. When no trace
id was set explicitly, it is the current OpenTelemetry span's (see `shared.tracing`).
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

from opentelemetry import trace

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
trace_id_var: ContextVar[str | None] = ContextVar("trace_id", default=None)
user_id_var: ContextVar[str | None] = ContextVar("user_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "event",
    "color_message",
}


def current_trace_id() -> str | None:
    """The 32-hex-digit id of the current OpenTelemetry trace, or None outside any span."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object with the request's context."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "service": self.service,
            "request_id": request_id_var.get(),
            "trace_id": trace_id_var.get() or current_trace_id(),
            "user_id": user_id_var.get(),
            "event": getattr(record, "event", record.name),
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


def configure_logging(service: str, level: str) -> None:
    """Sends every log record of the process to stdout as JSON lines."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries that log every connection or retry at INFO would drown the request lines.
    for noisy in ("botocore", "urllib3", "pynamodb", "uvicorn.access", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
