"""The OpenAPI document the edge builds from the protos, checked without any server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from google.protobuf import descriptor, message, message_factory
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from edge.docs import PAGE, UI_ASSETS, ApiDocs, ui_static_dir
from edge.openapi import build_openapi
from edge.routes import build_route_table
from edge.transcode import TIMESTAMP, message_to_json
from shared.contracts import all_methods

PROTOS = Path(__file__).resolve().parents[3] / "protos"
OPERATIONS_PATHS = {"/health", "/metrics", "/openapi.json", "/docs"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
FD = descriptor.FieldDescriptor


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_openapi(build_route_table())


def rpc_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation backed by an RPC, by (METHOD, path)."""
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS and "x-grpc-method" in operation
    }


def proto_comment(proto: str, declaration: str) -> str:
    """The `//` lines right above a declaration in a .proto file, joined as prose."""
    lines = (PROTOS / proto).read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(declaration))
    comment: list[str] = []
    for line in reversed(lines[:index]):
        if not line.strip().startswith("//"):
            break
        comment.insert(0, line.strip().removeprefix("//").strip())
    return " ".join(comment)


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_it_lists_exactly_the_routes_of_the_route_table(document: dict[str, Any]) -> None:
    table = {(route.http_method, route.template): route for route in build_route_table().routes}
    operations = rpc_operations(document)
    assert set(operations) == set(table)
    for key, operation in operations.items():
        assert operation["x-grpc-method"] == table[key].rpc_name
    assert set(document["paths"]) == {path for _, path in table} | OPERATIONS_PATHS


def test_operation_ids_are_the_rpc_names_and_tags_the_services(document: dict[str, Any]) -> None:
    for operation in rpc_operations(document).values():
        service, rpc = operation["x-grpc-method"].strip("/").split("/")
        assert operation["operationId"] == rpc
        assert operation["tags"] == [service.rsplit(".", 1)[-1]]
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_descriptions_are_the_proto_comments(document: dict[str, Any]) -> None:
    withdraw = document["paths"]["/api/v1/balance/withdraw"]["post"]
    assert withdraw["description"] == proto_comment("cnop/user/v1/user.proto", "rpc Withdraw(")
    assert "INSUFFICIENT_FUNDS" in withdraw["description"]

    password = document["components"]["schemas"]["RegisterRequest"]["properties"]["password"]
    expected = proto_comment("cnop/user/v1/user.proto", "string password = 3")
    assert password["description"] == expected
    assert "salted hash" in expected

    limit = next(
        p
        for p in document["paths"]["/api/v1/orders"]["get"]["parameters"]
        if p.get("name") == "limit"
    )
    assert limit["description"] == proto_comment(
        "cnop/order/v1/order.proto", "optional int32 limit = 4"
    )
    tags = {tag["name"]: tag.get("description") for tag in document["tags"]}
    assert tags["OrderService"] == proto_comment(
        "cnop/order/v1/order.proto", "service OrderService"
    )


def test_security_is_on_protected_routes_only(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert "security" not in document  # no default: anonymous routes need no token
    policies = {policy.full_name: policy for policy in all_methods().values()}
    protected = 0
    for operation in rpc_operations(document).values():
        anonymous = policies[operation["x-grpc-method"]].allow_anonymous
        assert ("security" in operation) != anonymous
        assert ("401" in operation["responses"]) or anonymous
        protected += not anonymous
    assert protected > 0
    for path in OPERATIONS_PATHS:
        assert "security" not in document["paths"][path]["get"]


def test_get_routes_take_every_other_request_field_as_a_typed_query_parameter(
    document: dict[str, Any],
) -> None:
    for route in build_route_table().routes:
        if route.http_method != "GET":
            continue
        operation = document["paths"][route.template]["get"]
        given = {p["name"]: p for p in operation["parameters"] if "name" in p}
        fields = route.policy.method.input_type.fields
        assert set(given) == {fd.name for fd in fields}
        for name in route.path_variables:
            assert given[name]["in"] == "path"
            assert given[name]["required"] is True
    orders = document["paths"]["/api/v1/orders"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in orders if "name" in p}
    assert by_name["limit"]["type"] == "integer"
    assert by_name["order_type"] == {"$ref": "#/components/schemas/OrderType"}
    assets = document["paths"]["/api/v1/inventory/assets"]["get"]["parameters"]
    assert {p["name"]: p["schema"] for p in assets if "name" in p}["active_only"] == {
        "type": "boolean"
    }


def test_schemas_follow_the_json_conventions(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    order = schemas["Order"]["properties"]
    assert order["quantity"]["type"] == "string"
    assert re.fullmatch(order["quantity"]["pattern"], "0.00100000")
    assert not re.fullmatch(order["quantity"]["pattern"], "1e-3")
    assert order["created_at"]["type"] == ["string", "null"]
    assert order["created_at"]["format"] == "date-time"
    assert schemas["OrderType"]["enum"] == ["market_buy", "market_sell", "limit_buy", "limit_sell"]
    assert schemas["AssetTransactionType"]["enum"] == ["BUY", "SELL"]
    assert schemas["Asset"]["properties"]["price_usd"]["type"] == "number"

    request = schemas["CreateOrderRequest"]
    assert request["required"] == ["order_type", "asset_id", "quantity"]
    assert request["properties"]["quantity"]["type"] == ["string", "number"]
    assert request["properties"]["price"]["type"] == ["string", "number", "null"]
    assert request["additionalProperties"] is False
    assert schemas["Profile"]["properties"]["phone"]["type"] == ["string", "null"]


def test_error_responses_and_headers_where_they_apply(document: dict[str, Any]) -> None:
    paths = document["paths"]
    register = paths["/api/v1/auth/register"]["post"]
    assert {"400", "409", "413", "422", "429", "500", "503", "504"} <= set(register["responses"])
    assert "401" not in register["responses"]
    assert "401" in paths["/api/v1/auth/login"]["post"]["responses"]  # wrong password
    assert "404" in paths["/api/v1/orders/{order_id}"]["get"]["responses"]
    assert "413" not in paths["/api/v1/balance"]["get"]["responses"]

    idempotency = {"$ref": "#/components/parameters/IdempotencyKey"}
    for route in build_route_table().routes:
        operation = paths[route.template][route.http_method.lower()]
        assert (idempotency in operation["parameters"]) == route.policy.idempotent
        assert {"$ref": "#/components/parameters/RequestId"} in operation["parameters"]
        assert ("409" in operation["responses"]) or not route.policy.idempotent

    responses = document["components"]["responses"]
    assert set(responses["RateLimited"]["headers"]) >= {"X-Request-ID", "Retry-After"}
    assert "Retry-After" in responses["ServiceUnavailable"]["headers"]
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message", "request_id"]
    assert "validation_errors" in error["properties"]


def test_response_body_is_respected(document: dict[str, Any]) -> None:
    profile = document["paths"]["/api/v1/auth/profile"]["get"]["responses"]["200"]
    schema = profile["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/Profile"} in schema["anyOf"]
    assert "GetProfileResponse" not in document["components"]["schemas"]


def sample(message_class: Any, fill_optional: bool) -> message.Message:
    """A message with every field set to a plausible value (optional ones only if asked)."""
    target = message_class()
    for fd in target.DESCRIPTOR.fields:
        if fd.has_presence and fd.message_type is None and not fill_optional:
            continue
        if fd.message_type is not None and fd.message_type.full_name == TIMESTAMP:
            getattr(target, fd.name).FromJsonString("2024-05-01T12:00:00Z")
        elif fd.message_type is not None:
            child = sample(message_factory.GetMessageClass(fd.message_type), fill_optional)
            if fd.is_repeated:
                getattr(target, fd.name).add().CopyFrom(child)
            else:
                getattr(target, fd.name).CopyFrom(child)
        else:
            value = scalar_sample(fd)
            if fd.is_repeated:
                getattr(target, fd.name).append(value)
            else:
                setattr(target, fd.name, value)
    return target


def scalar_sample(fd: FD) -> Any:
    if fd.enum_type is not None:
        return fd.enum_type.values[-1].number
    if fd.type == FD.TYPE_BOOL:
        return True
    if fd.type in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        return 1.5
    if fd.type == FD.TYPE_STRING:
        return "12.50"  # a valid decimal, and a fine plain string too
    return 7


@pytest.mark.parametrize("fill_optional", [True, False])
def test_what_the_edge_writes_matches_the_response_schemas(
    document: dict[str, Any], fill_optional: bool
) -> None:
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:cnop", resource)
    for route in build_route_table().routes:
        path = route.template.replace("~", "~0").replace("/", "~1")
        pointer = f"/paths/{path}/{route.http_method.lower()}/responses/"
        pointer += f"{route.policy.success_status}/content/application~1json/schema"
        payload = message_to_json(sample(route.response_class, fill_optional))
        if route.response_body:
            payload = payload[route.response_body]
        schema = {"$ref": f"urn:cnop#{pointer}"}
        validator = jsonschema.Draft202012Validator(schema, registry=registry)
        errors = [error.message for error in validator.iter_errors(payload)]
        assert not errors, (route.template, errors)


def test_docs_page_and_assets_are_local(document: dict[str, Any]) -> None:
    assert "//" not in PAGE.replace("<!DOCTYPE html>", "")
    for name in re.findall(r'(?:href|src)="([^"]+)"', PAGE):
        assert name.startswith("docs/static/")
    served = ApiDocs(build_route_table()).operations()
    for name in UI_ASSETS:
        assert (ui_static_dir() / name).is_file(), name
        assert "/docs/static/" + name in served
