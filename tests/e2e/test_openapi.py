"""The OpenAPI document and the docs page, through the real edge."""

from __future__ import annotations

import re

import httpx
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from edge.docs import INITIALIZER

# Any URL that names a host: scheme-qualified or protocol-relative.
EXTERNAL_URL = re.compile(r"""(?:https?:)?//[^\s"'<>]+""", re.IGNORECASE)
LOCAL_REFERENCE = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def test_openapi_json_is_the_valid_document_of_every_route(api: httpx.Client) -> None:
    reply = api.get("/openapi.json")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.headers["x-request-id"]
    document = reply.json()
    validate(document, cls=OpenAPIV31SpecValidator)
    assert "/api/v1/orders/{order_id}" in document["paths"]
    assert document["paths"]["/api/v1/auth/register"]["post"]["operationId"] == "Register"
    assert api.get("/openapi.json").content == reply.content  # built once, served as is


def test_docs_page_uses_only_assets_the_edge_serves(api: httpx.Client) -> None:
    page = api.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "swagger-ui" in page.text
    assert EXTERNAL_URL.findall(page.text) == []

    references = LOCAL_REFERENCE.findall(page.text)
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in references)
    for reference in references:
        # Relative to /docs, as a browser resolves it.
        asset = api.get(httpx.URL(str(page.url)).join(reference))
        assert asset.status_code == 200, reference
        assert asset.content

    initializer = api.get(f"/docs/static/{INITIALIZER}").text
    assert EXTERNAL_URL.findall(initializer) == []
    assert '"openapi.json"' in initializer
    assert "validatorUrl: null" in initializer


def test_static_assets_have_their_content_types(api: httpx.Client) -> None:
    expected = {
        "swagger-ui-bundle.js": "text/javascript",
        "swagger-ui.css": "text/css",
        "favicon-32x32.png": "image/png",
    }
    for name, media_type in expected.items():
        reply = api.get(f"/docs/static/{name}")
        assert reply.status_code == 200, name
        assert reply.headers["content-type"].startswith(media_type)
    assert b"SwaggerUIBundle" in api.get("/docs/static/swagger-ui-bundle.js").content
    assert api.get("/docs/static/nope.js").status_code == 404


def test_docs_routes_refuse_other_methods(api: httpx.Client) -> None:
    reply = api.post("/openapi.json", json={})
    assert reply.status_code == 405
    assert reply.headers["allow"] == "GET, HEAD"
    assert reply.json()["error"] == "METHOD_NOT_ALLOWED"
