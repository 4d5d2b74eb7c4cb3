"""Error bodies of the REST API, and the mapping of failed gRPC calls onto them.

Every error the edge sends has the shape
`{"error", "message", "request_id"[, "validation_errors"]}`; see `shared.errors` for the
whole tree from domain error to gRPC status to HTTP status. A status that did not come
from a CNOP service (a refused connection, a passed deadline) gets a message of our own,
so no internal address or library text reaches a client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import grpc

from shared.errors import (
    HTTP_BY_GRPC,
    INTERNAL_ERROR,
    CnopError,
    FieldViolation,
    read_status_details,
)

JSON_TYPE = "application/json"
UNPROCESSABLE = 422


@dataclass
class ApiError(Exception):
    """An error response the edge sends."""

    status: int
    code: str
    message: str
    violations: list[FieldViolation] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self, request_id: str) -> bytes:
        payload: dict[str, object] = {
            "error": self.code,
            "message": self.message,
            "request_id": request_id,
        }
        if self.status == UNPROCESSABLE:
            payload["validation_errors"] = [
                {"field": v.field, "message": v.message} for v in self.violations
            ]
        return json.dumps(payload).encode()


def from_rpc_error(error: grpc.aio.AioRpcError, service: str, request_id: str) -> ApiError:
    """The API error for a failed call to `service`."""
    code = error.code()
    mapped = HTTP_BY_GRPC.get(code, INTERNAL_ERROR)
    details = read_status_details(error.trailing_metadata())
    headers: dict[str, str] = {}
    if details.retry_after_seconds is not None:
        headers["Retry-After"] = str(details.retry_after_seconds)

    if details.code is None:
        # Not a CNOP answer: the transport failed, or a library refused the call.
        message = _transport_message(code, service, request_id)
        if mapped.status == 503:
            headers.setdefault("Retry-After", "1")
        return ApiError(mapped.status, mapped.code, message, headers=headers)
    if mapped.status == INTERNAL_ERROR.status:
        return ApiError(mapped.status, mapped.code, _internal_message(request_id))
    return ApiError(
        mapped.status, details.code, error.details() or mapped.code, details.violations, headers
    )


def from_cnop_error(error: CnopError) -> ApiError:
    """The API error for a domain error the edge raised itself (an open breaker, say)."""
    mapped = HTTP_BY_GRPC.get(error.status_code, INTERNAL_ERROR)
    headers = {}
    retry_after = getattr(error, "retry_after_seconds", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return ApiError(mapped.status, error.code, error.message, headers=headers)


def _transport_message(code: grpc.StatusCode, service: str, request_id: str) -> str:
    if code == grpc.StatusCode.UNAVAILABLE:
        return f"The {service} service is unavailable; try again shortly"
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return f"The {service} service did not answer in time"
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return f"The {service} service does not offer this operation yet"
    return _internal_message(request_id)


def _internal_message(request_id: str) -> str:
    return f"Internal error; quote request id {request_id} when reporting it"
