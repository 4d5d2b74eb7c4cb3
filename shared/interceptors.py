"""Server interceptors every CNOP service runs, outermost first.

`RequestContextInterceptor` gives each RPC its request id (taken from `x-request-id`
metadata when valid, generated otherwise), remembers the caller's deadline for the
service's own outgoing calls, turns domain errors into rich gRPC statuses, hides
unexpected exceptions behind an INTERNAL status that names only the request id, and
writes one JSON log line per RPC. That line carries the verified caller: the token
interceptor inside it sets `user_id_var`, and this one clears it once the line is written.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import grpc
from grpc_interceptor import ServerInterceptor
from opentelemetry import trace

from shared.errors import CnopError
from shared.logs import request_id_var, user_id_var

logger = logging.getLogger("cnop.rpc")

REQUEST_ID_HEADER = "x-request-id"
HEALTH_PREFIX = "/grpc.health.v1.Health/"
# Metadata by which one CNOP service proves to another that it is one (settings'
# internal_secret); never forwarded from a client.
INTERNAL_CREDENTIAL_HEADER = "x-cnop-internal-credential"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")

# When the RPC being served must be answered by (time.monotonic()), or None.
deadline_var: ContextVar[float | None] = ContextVar("deadline", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(candidate: str | None) -> str:
    """The caller's request id when it is 1-128 of [A-Za-z0-9._:-], else a new one."""
    if candidate and REQUEST_ID_PATTERN.fullmatch(candidate):
        return candidate
    return new_request_id()


def metadata_value(context: grpc.ServicerContext, key: str) -> str | None:
    """The first value of a metadata key the caller sent, or None."""
    for item_key, value in context.invocation_metadata() or ():
        if item_key == key:
            return str(value)
    return None


class RequestContextInterceptor(ServerInterceptor):
    """Request id, deadline, error mapping and one log line for every RPC."""

    def intercept(
        self,
        method: Callable[..., Any],
        request_or_iterator: Any,
        context: grpc.ServicerContext,
        method_name: str,
    ) -> Any:
        request_id = accept_request_id(metadata_value(context, REQUEST_ID_HEADER))
        remaining = context.time_remaining()
        request_token = request_id_var.set(request_id)
        user_token = user_id_var.set(None)
        trace.get_current_span().set_attribute("cnop.request_id", request_id)
        deadline_token = deadline_var.set(
            time.monotonic() + remaining if remaining is not None else None
        )
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        try:
            return method(request_or_iterator, context)
        except CnopError as error:
            code = error.status_code
            context.abort_with_status(error.to_status())
        except Exception:
            aborted = context.code()  # type: ignore[attr-defined]
            if aborted not in (None, grpc.StatusCode.OK):
                code = aborted  # the handler aborted the call itself
                raise
            code = grpc.StatusCode.INTERNAL
            logger.exception("unhandled error in %s", method_name, extra={"event": "error"})
            context.abort(
                grpc.StatusCode.INTERNAL, f"Internal error; quote request id {request_id}"
            )
        finally:
            # Probes arrive every few seconds from every prober: detail, not traffic.
            level = logging.DEBUG if method_name.startswith(HEALTH_PREFIX) else logging.INFO
            logger.log(
                level,
                "%s %s",
                method_name,
                code.name,
                extra={
                    "event": "rpc",
                    "method": method_name,
                    "status": code.name,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                },
            )
            deadline_var.reset(deadline_token)
            user_id_var.reset(user_token)
            request_id_var.reset(request_token)
