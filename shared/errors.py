"""The CNOP error model: one tree from domain error to gRPC status to HTTP status.

Handlers raise domain errors; the server interceptor turns them into a gRPC status with
rich details (`google.rpc.ErrorInfo` for the stable code, `google.rpc.BadRequest` for
field violations, `google.rpc.RetryInfo` for a retry hint); the edge turns that status
into the HTTP status and JSON error body of the REST API::

    CnopError                      gRPC status           HTTP  error code
    ├── ValidationFailed           INVALID_ARGUMENT      422   VALIDATION_FAILED
    ├── RuleRefused                FAILED_PRECONDITION   422   INSUFFICIENT_FUNDS, ...
    ├── Unauthenticated            UNAUTHENTICATED       401   UNAUTHENTICATED
    ├── PermissionDenied           PERMISSION_DENIED     403   PERMISSION_DENIED
    ├── NotFound                   NOT_FOUND             404   NOT_FOUND
    ├── AlreadyExists              ALREADY_EXISTS        409   ALREADY_EXISTS
    ├── Conflict                   ABORTED               409   CONFLICT
    ├── RateLimited                RESOURCE_EXHAUSTED    429   RATE_LIMITED
    ├── ServiceUnavailable         UNAVAILABLE           503   SERVICE_UNAVAILABLE
    ├── DeadlineExceeded           DEADLINE_EXCEEDED     504   DEADLINE_EXCEEDED
    └── NotImplementedYet          UNIMPLEMENTED         501   NOT_IMPLEMENTED
    any other exception            INTERNAL              500   INTERNAL

A status that carries no `ErrorInfo` (from a transport failure, say) gets the default
code of its gRPC status from `HTTP_BY_GRPC`.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

ERROR_DOMAIN = "cnop"
# The trailing metadata key that carries a google.rpc.Status with the details.
STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True, slots=True)
class HttpError:
    """How a gRPC status code shows at the edge."""

    status: int
    code: str


HTTP_BY_GRPC: dict[grpc.StatusCode, HttpError] = {
    grpc.StatusCode.INVALID_ARGUMENT: HttpError(422, "VALIDATION_FAILED"),
    grpc.StatusCode.OUT_OF_RANGE: HttpError(422, "VALIDATION_FAILED"),
    grpc.StatusCode.FAILED_PRECONDITION: HttpError(422, "VALIDATION_FAILED"),
    grpc.StatusCode.UNAUTHENTICATED: HttpError(401, "UNAUTHENTICATED"),
    grpc.StatusCode.PERMISSION_DENIED: HttpError(403, "PERMISSION_DENIED"),
    grpc.StatusCode.NOT_FOUND: HttpError(404, "NOT_FOUND"),
    grpc.StatusCode.ALREADY_EXISTS: HttpError(409, "ALREADY_EXISTS"),
    grpc.StatusCode.ABORTED: HttpError(409, "CONFLICT"),
    grpc.StatusCode.RESOURCE_EXHAUSTED: HttpError(429, "RATE_LIMITED"),
    grpc.StatusCode.CANCELLED: HttpError(499, "CANCELLED"),
    grpc.StatusCode.UNIMPLEMENTED: HttpError(501, "NOT_IMPLEMENTED"),
    grpc.StatusCode.UNAVAILABLE: HttpError(503, "SERVICE_UNAVAILABLE"),
    grpc.StatusCode.DEADLINE_EXCEEDED: HttpError(504, "DEADLINE_EXCEEDED"),
    grpc.StatusCode.INTERNAL: HttpError(500, "INTERNAL"),
    grpc.StatusCode.UNKNOWN: HttpError(500, "INTERNAL"),
    grpc.StatusCode.DATA_LOSS: HttpError(500, "INTERNAL"),
}
INTERNAL_ERROR = HttpError(500, "INTERNAL")


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One invalid field and why, in words a client can show next to the field."""

    field: str
    message: str


class CnopError(Exception):
    """A failure the caller should hear about, with a stable upper-case code."""

    status_code = grpc.StatusCode.INTERNAL
    code = "INTERNAL"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def details(self) -> list[object]:
        """Rich status details beyond the `ErrorInfo` every error carries."""
        return []

    def to_status(self) -> grpc.Status:
        """The gRPC status, with details, that carries this error to the caller."""
        info = error_details_pb2.ErrorInfo(reason=self.code, domain=ERROR_DOMAIN)
        status = status_pb2.Status(code=_RPC_CODES[self.status_code], message=self.message)
        for detail in [info, *self.details()]:
            status.details.add().Pack(detail)
        return rpc_status.to_status(status)


class ValidationFailed(CnopError):
    status_code = grpc.StatusCode.INVALID_ARGUMENT
    code = "VALIDATION_FAILED"

    def __init__(self, violations: list[FieldViolation], message: str | None = None) -> None:
        summary = message or "; ".join(f"{v.field}: {v.message}" for v in violations)
        super().__init__(summary or "The request is invalid")
        self.violations = violations

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        """A validation failure of a single field."""
        return cls([FieldViolation(field, message)])

    def details(self) -> list[object]:
        return [
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=v.field, description=v.message
                    )
                    for v in self.violations
                ]
            )
        ]


class RuleRefused(CnopError):
    """A business rule refused a well-formed request; `code` names the rule."""

    status_code = grpc.StatusCode.FAILED_PRECONDITION


class Unauthenticated(CnopError):
    status_code = grpc.StatusCode.UNAUTHENTICATED
    code = "UNAUTHENTICATED"


class PermissionDenied(CnopError):
    status_code = grpc.StatusCode.PERMISSION_DENIED
    code = "PERMISSION_DENIED"


class NotFound(CnopError):
    status_code = grpc.StatusCode.NOT_FOUND
    code = "NOT_FOUND"


class AlreadyExists(CnopError):
    status_code = grpc.StatusCode.ALREADY_EXISTS
    code = "ALREADY_EXISTS"


class Conflict(CnopError):
    status_code = grpc.StatusCode.ABORTED
    code = "CONFLICT"


class _Retryable(CnopError):
    def __init__(self, message: str, *, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds

    def details(self) -> list[object]:
        delay = duration_pb2.Duration(seconds=self.retry_after_seconds)
        return [error_details_pb2.RetryInfo(retry_delay=delay)]


class RateLimited(_Retryable):
    status_code = grpc.StatusCode.RESOURCE_EXHAUSTED
    code = "RATE_LIMITED"


class ServiceUnavailable(_Retryable):
    status_code = grpc.StatusCode.UNAVAILABLE
    code = "SERVICE_UNAVAILABLE"


class DeadlineExceeded(CnopError):
    status_code = grpc.StatusCode.DEADLINE_EXCEEDED
    code = "DEADLINE_EXCEEDED"


class NotImplementedYet(CnopError):
    status_code = grpc.StatusCode.UNIMPLEMENTED
    code = "NOT_IMPLEMENTED"


@dataclass(frozen=True, slots=True)
class StatusDetails:
    """What a caller learns from a failed call's rich status."""

    code: str | None
    violations: list[FieldViolation]
    retry_after_seconds: int | None


def read_status_details(trailing_metadata: object) -> StatusDetails:
    """Extracts the CNOP details of a failed call from its trailing metadata."""
    code: str | None = None
    violations: list[FieldViolation] = []
    retry_after: int | None = None
    raw = _status_details_bytes(trailing_metadata)
    if raw is None:
        return StatusDetails(None, violations, None)

    status = status_pb2.Status.FromString(raw)
    for any_detail in status.details:
        if any_detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            any_detail.Unpack(info)
            code = info.reason
        elif any_detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            any_detail.Unpack(bad_request)
            violations = [
                FieldViolation(v.field, v.description) for v in bad_request.field_violations
            ]
        elif any_detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            any_detail.Unpack(retry)
            retry_after = max(1, retry.retry_delay.seconds)
    return StatusDetails(code, violations, retry_after)


def _status_details_bytes(trailing_metadata: object) -> bytes | None:
    for key, value in trailing_metadata or ():  # type: ignore[attr-defined]
        if key == STATUS_DETAILS_KEY:
            return bytes(value)
    return None


_RPC_CODES: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: code_pb2.INVALID_ARGUMENT,
    grpc.StatusCode.FAILED_PRECONDITION: code_pb2.FAILED_PRECONDITION,
    grpc.StatusCode.UNAUTHENTICATED: code_pb2.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED: code_pb2.PERMISSION_DENIED,
    grpc.StatusCode.NOT_FOUND: code_pb2.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS: code_pb2.ALREADY_EXISTS,
    grpc.StatusCode.ABORTED: code_pb2.ABORTED,
    grpc.StatusCode.RESOURCE_EXHAUSTED: code_pb2.RESOURCE_EXHAUSTED,
    grpc.StatusCode.UNAVAILABLE: code_pb2.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: code_pb2.DEADLINE_EXCEEDED,
    grpc.StatusCode.UNIMPLEMENTED: code_pb2.UNIMPLEMENTED,
    grpc.StatusCode.INTERNAL: code_pb2.INTERNAL,
}
