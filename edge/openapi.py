"""The OpenAPI 3.1 document of the REST API, generated from the protos at edge start-up.

Nothing here lists a route or a schema by hand: paths and methods come from the route
table (the `google.api.http` rules), parameters, bodies and responses from the request
and response messages (`edge.openapi_schemas`), descriptions from the proto comments
(`edge.proto_comments`), and security, idempotency and success status from the method
options (`shared.contracts`). Which error responses an operation documents follows from
the same facts: 401 on protected routes, 404 on routes with a path variable, 409 on
idempotent ones, 400 and 413 where there is a body, and any gRPC status an RPC's own
comment names (`ALREADY_EXISTS`, `UNAUTHENTICATED`, ...). Only the edge's operations
routes (`/health`, `/metrics`, the docs) are described in `edge.openapi_operations`.
"""

from __future__ import annotations

import json
from importlib import metadata
from itertools import chain, count

from google.protobuf.descriptor import FieldDescriptor

from edge.openapi_operations import (
    BEARER_SCHEME,
    ERROR_RESPONSES,
    RESPONSE_REF,
    Json,
    common_components,
    operations_paths,
    parameter_ref,
    rpc_success_headers,
)
from edge.openapi_schemas import SchemaBook, is_required
from edge.proto_comments import proto_comments
from edge.routes import Route, RouteTable

OPENAPI_VERSION = "3.1.0"
TITLE = "CNOP API"
DESCRIPTION = (
    "The public REST API of CNOP, the Cloud Native Order Processor. JSON names are"
    " snake_case (lowerCamelCase is also accepted on input); money and quantities are"
    " decimal strings; timestamps are RFC 3339 UTC. Every error has the `Error` shape."
)
# Error statuses every route can answer: rate limits, bugs, unreachable or slow services.
ALWAYS_ERRORS = (429, 500, 503, 504)
# gRPC status names that, named in an RPC's comment, add their HTTP status to it.
STATUS_NAMED_IN_COMMENT = {
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
}
SUCCESS_TEXT = {200: "OK", 201: "Created", 204: "No Content"}


def build_openapi(routes: RouteTable, comments: dict[str, str] | None = None) -> Json:
    """The OpenAPI document of every route in the table."""
    comments = proto_comments() if comments is None else comments
    book = SchemaBook(comments)
    paths: dict[str, Json] = {}
    tags: dict[str, Json] = {}
    operation_ids: set[str] = set()
    for route in routes.routes:
        service = route.policy.method.containing_service
        tags.setdefault(service.name, _tag(service.name, comments.get(service.full_name)))
        operation = _operation(route, book, comments, operation_ids)
        paths.setdefault(route.template, {})[route.http_method.lower()] = operation
    operations, operations_tag = operations_paths()
    components = common_components()
    clashes = set(book.schemas) & set(components["schemas"])
    if clashes:
        raise ValueError(f"proto messages named like the edge's own schemas: {sorted(clashes)}")
    components["schemas"] = {**book.schemas, **components["schemas"]}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": TITLE, "version": _version(), "description": DESCRIPTION},
        "tags": [*tags.values(), operations_tag],
        "paths": {**paths, **operations},
        "components": components,
    }


def openapi_json(routes: RouteTable) -> bytes:
    """The document as the bytes `/openapi.json` serves."""
    return json.dumps(build_openapi(routes), separators=(",", ":")).encode()


def _operation(route: Route, book: SchemaBook, comments: dict[str, str], taken: set[str]) -> Json:
    method = route.policy.method
    comment = comments.get(f"{method.containing_service.full_name}.{method.name}", "")
    operation: Json = {
        "operationId": _operation_id(route, taken),
        "tags": [method.containing_service.name],
        "summary": _first_sentence(comment) or method.name,
        "description": comment,
        "x-grpc-method": route.rpc_name,
        "parameters": [*_path_parameters(route, book), *_query_parameters(route, book)],
    }
    operation["parameters"].append(parameter_ref("RequestId"))
    if route.policy.idempotent:
        operation["parameters"].append(parameter_ref("IdempotencyKey"))
    if route.body:
        operation["requestBody"] = _request_body(route, book)
    if not route.policy.allow_anonymous:
        operation["security"] = [{BEARER_SCHEME: []}]
    operation["responses"] = {**_success(route, book, comments), **_errors(route, comment)}
    return operation


def _operation_id(route: Route, taken: set[str]) -> str:
    """The RPC name; qualified by its service, then numbered, if another route has it."""
    method = route.policy.method
    qualified = f"{method.containing_service.name}_{method.name}"
    numbered = (f"{qualified}_{number}" for number in count(2))
    chosen = next(name for name in chain([method.name, qualified], numbered) if name not in taken)
    taken.add(chosen)
    return chosen


def _path_parameters(route: Route, book: SchemaBook) -> list[Json]:
    fields = route.policy.method.input_type.fields_by_name
    return [_parameter(fields[name], "path", True, book) for name in route.path_variables]


def _query_parameters(route: Route, book: SchemaBook) -> list[Json]:
    """Without a body, every other scalar field of the request is a query parameter."""
    if route.body:
        return []
    return [
        _parameter(fd, "query", is_required(fd), book)
        for fd in route.policy.method.input_type.fields
        if fd.name not in route.path_variables and fd.message_type is None
    ]


def _parameter(fd: FieldDescriptor, where: str, required: bool, book: SchemaBook) -> Json:
    schema = book.parameter_schema(fd)
    parameter: Json = {"name": fd.name, "in": where, "required": required, "schema": schema}
    description = book.comment(fd.full_name)
    if description:
        parameter["description"] = description
    if schema.get("type") == "array":
        parameter.update(style="form", explode=True)
    return parameter


def _request_body(route: Route, book: SchemaBook) -> Json:
    message = route.policy.method.input_type
    schema = book.body_schema(message, route.path_variables)
    # An empty body is an empty request: required only when some field is.
    needed = any(is_required(fd) for fd in message.fields if fd.name not in route.path_variables)
    return {"required": needed, "content": {"application/json": {"schema": schema}}}


def _success(route: Route, book: SchemaBook, comments: dict[str, str]) -> Json:
    status = route.policy.success_status
    output = route.policy.method.output_type
    if route.response_body:
        schema = book.field_schema(output.fields_by_name[route.response_body], "output")
    else:
        schema = book.message_ref(output, "output")
    description = comments.get(output.full_name) or SUCCESS_TEXT.get(status, "Success")
    return {
        str(status): {
            "description": description,
            "headers": rpc_success_headers(),
            "content": {"application/json": {"schema": schema}},
        }
    }


def _errors(route: Route, comment: str) -> Json:
    statuses = set(ALWAYS_ERRORS)
    statuses.update(status for name, status in STATUS_NAMED_IN_COMMENT.items() if name in comment)
    if not route.policy.allow_anonymous:
        statuses.add(401)
    if route.path_variables:
        statuses.add(404)
    if route.policy.idempotent:
        statuses.update((400, 409))  # a malformed key; the same key still in flight
    if route.body:
        statuses.update((400, 413))
    if route.body or route.policy.method.input_type.fields:
        statuses.add(422)
    return {
        str(status): {"$ref": RESPONSE_REF + ERROR_RESPONSES[status].name}
        for status in sorted(statuses)
    }


def _tag(name: str, comment: str | None) -> Json:
    return {"name": name, "description": comment} if comment else {"name": name}


def _first_sentence(comment: str) -> str:
    first = comment.split("\n\n", 1)[0]
    end = first.find(". ")
    return first if end < 0 else first[: end + 1]


def _version() -> str:
    try:
        return metadata.version("cnop")
    except metadata.PackageNotFoundError:
        return "0.0.0"
