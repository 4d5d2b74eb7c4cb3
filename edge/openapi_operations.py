"""The parts of the OpenAPI document that no proto describes, because they are the edge's own.

The error body every failure has (`Error`, and `ValidationError` for 422), the error
responses by HTTP status, the headers the edge reads (`X-Request-ID`, `Idempotency-Key`)
and writes (`X-Request-ID`, `Retry-After`, `RateLimit-*`), the bearer security scheme,
and the operations routes `/health`, `/metrics`, `/openapi.json` and `/docs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edge.openapi_schemas import SCHEMA_REF

Json = dict[str, Any]

BEARER_SCHEME = "bearerAuth"
RESPONSE_REF = "#/components/responses/"
PARAMETER_REF = "#/components/parameters/"
HEADER_REF = "#/components/headers/"
REQUEST_ID_HEADER_REF = {"$ref": HEADER_REF + "X-Request-ID"}
OPERATIONS_TAG = "Operations"
# The request ids the edge accepts from a client (others are replaced by its own).
REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"
# Printable ASCII, 1-128 characters, no space at either end (HTTP would strip it).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]([ -~]{0,126}[!-~])?$"
BUDGET_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
RATE_LIMIT_HEADERS = ("Retry-After", *BUDGET_HEADERS)


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    """One documented error status: its component name, meaning and extra headers."""

    name: str
    description: str
    headers: tuple[str, ...] = ()
    schema: str = "Error"


ERROR_RESPONSES: dict[int, ErrorResponse] = {
    400: ErrorResponse(
        "BadRequest", "The body is not JSON, or a header is malformed: `BAD_REQUEST`."
    ),
    401: ErrorResponse(
        "Unauthenticated",
        "A missing, malformed, expired, revoked or forged token, or a wrong username or"
        " password: `UNAUTHENTICATED`.",
    ),
    403: ErrorResponse("PermissionDenied", "Authenticated but not allowed: `PERMISSION_DENIED`."),
    404: ErrorResponse("NotFound", "No such resource owned by the caller: `NOT_FOUND`."),
    409: ErrorResponse(
        "Conflict",
        "A duplicate username or email (`ALREADY_EXISTS`), or a request with the same"
        " `Idempotency-Key` still in flight (`CONFLICT`).",
    ),
    413: ErrorResponse(
        "PayloadTooLarge", "The body is over the limit (64 KiB by default): `PAYLOAD_TOO_LARGE`."
    ),
    422: ErrorResponse(
        "Unprocessable",
        "The request is invalid or a business rule refused it: `VALIDATION_FAILED`,"
        " `INSUFFICIENT_FUNDS`, `INSUFFICIENT_HOLDINGS`, `ASSET_NOT_TRADEABLE`,"
        " `IDEMPOTENCY_KEY_REUSED`. `validation_errors` names the fields at fault.",
        schema="ValidationError",
    ),
    429: ErrorResponse("RateLimited", "Too many requests: `RATE_LIMITED`.", RATE_LIMIT_HEADERS),
    500: ErrorResponse("Internal", "A bug; the message gives the request id to quote: `INTERNAL`."),
    503: ErrorResponse(
        "ServiceUnavailable",
        "A service or its store is unreachable, or its circuit is open: `SERVICE_UNAVAILABLE`.",
        ("Retry-After",),
    ),
    504: ErrorResponse(
        "DeadlineExceeded", "A service did not answer in time: `DEADLINE_EXCEEDED`."
    ),
}

_HEADERS: Json = {
    "X-Request-ID": {
        "description": "The request id: the client's own when valid, else one the edge made."
        " It is also in every error body.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Limit": {
        "description": "Requests allowed in the window (also sent as `X-RateLimit-Limit`,"
        " and so for the other `RateLimit-*` headers).",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the window resets.",
        "schema": {"type": "integer", "minimum": 0},
    },
}

_PARAMETERS: Json = {
    "RequestId": {
        "name": "X-Request-ID",
        "in": "header",
        "required": False,
        "description": "A request id of your own, echoed back and logged by every service.",
        "schema": {"type": "string", "pattern": REQUEST_ID_PATTERN},
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "A repeat with the same key and body returns the first answer and"
        " executes nothing again; the same key with another body is a 422. Kept 24 hours.",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": 128,
            "pattern": IDEMPOTENCY_KEY_PATTERN,
        },
    },
}

_SCHEMAS: Json = {
    "Error": {
        "type": "object",
        "description": "The body of every error, from the edge or from any service.",
        "required": ["error", "message", "request_id"],
        "properties": {
            "error": {
                "type": "string",
                "pattern": "^[A-Z][A-Z_]*$",
                "description": "A stable upper-case code.",
            },
            "message": {"type": "string", "description": "What went wrong, for people."},
            "request_id": {"type": "string", "description": "The request id to quote."},
            "validation_errors": {
                "type": "array",
                "items": {"$ref": SCHEMA_REF + "FieldError"},
                "description": "Only on 422: the fields at fault.",
            },
        },
    },
    "ValidationError": {
        "description": "An `Error` that names the fields at fault.",
        "allOf": [{"$ref": SCHEMA_REF + "Error"}, {"required": ["validation_errors"]}],
    },
    "FieldError": {
        "type": "object",
        "required": ["field", "message"],
        "properties": {
            "field": {"type": "string", "description": "The field, e.g. `amount`."},
            "message": {"type": "string", "description": "What is wrong with it."},
        },
    },
    "HealthReport": {
        "type": "object",
        "required": ["status", "service", "checks"],
        "properties": {
            "status": {"type": "string", "enum": ["healthy", "degraded", "unhealthy"]},
            "service": {"type": "string", "const": "edge"},
            "checks": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "`ok` or the reason, for Redis and every service.",
            },
        },
    },
}


def parameter_ref(name: str) -> Json:
    """A `$ref` to one of the shared header parameters (`RequestId`, `IdempotencyKey`)."""
    return {"$ref": PARAMETER_REF + name}


def common_components() -> Json:
    """Components every document has: schemas, responses, headers, parameters, security."""
    return {
        "schemas": dict(_SCHEMAS),
        "responses": {error.name: _error_response(error) for error in ERROR_RESPONSES.values()},
        "headers": dict(_HEADERS),
        "parameters": dict(_PARAMETERS),
        "securitySchemes": {
            BEARER_SCHEME: {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "The `access_token` that `POST /api/v1/auth/login` returns.",
            }
        },
    }


def operations_paths() -> tuple[Json, Json]:
    """The paths of the edge's operations routes, and their tag."""
    health = _content("application/json", {"$ref": SCHEMA_REF + "HealthReport"})
    paths = {
        "/health": _get(
            "GetHealth",
            "Redis and every service's gRPC health.",
            {
                "200": _reply("Healthy, or degraded while some services still answer.", health),
                "503": _reply("Unhealthy: no service answers.", health),
            },
        ),
        "/metrics": _get(
            "GetMetrics",
            "Metrics in the Prometheus text format.",
            {
                "200": _reply("The metrics.", _content("text/plain", {"type": "string"})),
            },
        ),
        "/openapi.json": _get(
            "GetOpenApiDocument",
            "This OpenAPI document.",
            {
                "200": _reply("The document.", _content("application/json", {"type": "object"})),
            },
        ),
        "/docs": _get(
            "GetDocsPage",
            "A page that renders this document.",
            {
                "200": _reply("The page.", _content("text/html", {"type": "string"})),
            },
        ),
    }
    tag = {"name": OPERATIONS_TAG, "description": "The edge's own health, metrics and docs."}
    return paths, tag


def rpc_success_headers() -> Json:
    """The headers of a routed RPC's success: the request id and the rate budget left."""
    headers = {"X-Request-ID": REQUEST_ID_HEADER_REF}
    headers.update({name: {"$ref": HEADER_REF + name} for name in BUDGET_HEADERS})
    return headers


def _get(operation_id: str, summary: str, responses: Json) -> Json:
    responses["500"] = {"$ref": RESPONSE_REF + ERROR_RESPONSES[500].name}
    operation = {
        "operationId": operation_id,
        "tags": [OPERATIONS_TAG],
        "summary": summary,
        "parameters": [parameter_ref("RequestId")],
        "responses": responses,
    }
    return {"get": operation}


def _reply(description: str, content: Json) -> Json:
    return {
        "description": description,
        "headers": {"X-Request-ID": REQUEST_ID_HEADER_REF},
        "content": content,
    }


def _content(media_type: str, schema: Json) -> Json:
    return {media_type: {"schema": schema}}


def _error_response(error: ErrorResponse) -> Json:
    headers = {"X-Request-ID": REQUEST_ID_HEADER_REF}
    headers.update({name: {"$ref": HEADER_REF + name} for name in error.headers})
    return {
        "description": error.description,
        "headers": headers,
        "content": _content("application/json", {"$ref": SCHEMA_REF + error.schema}),
    }
