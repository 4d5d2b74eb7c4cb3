"""The API's own documentation, served by the edge: `/openapi.json`, `/docs` and its assets.

The OpenAPI document is built from the protos once, when the edge starts, and served as
cached bytes. `/docs` is a Swagger UI page whose every asset the edge serves itself from
the `swagger-ui-py` package (under `/docs/static/`), so the page works without reaching
any other host. The page refers to its assets and to the document by relative URLs, so
it also works behind a proxy that mounts the edge under a path prefix.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from edge.errors import JSON_TYPE
from edge.openapi import TITLE, openapi_json
from edge.routes import RouteTable

Operation = Callable[[Request], Awaitable[Response]]

OPENAPI_PATH = "/openapi.json"
DOCS_PATH = "/docs"
STATIC_PREFIX = "/docs/static/"
UI_PACKAGE = "swagger_ui"
INITIALIZER = "cnop-docs.js"
READ_METHODS = ("GET", "HEAD")
JS_TYPE = "text/javascript; charset=utf-8"
# The Swagger UI files the page uses, with their content types.
UI_ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "index.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": JS_TYPE,
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
ASSET_CACHE_CONTROL = "public, max-age=86400"

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{TITLE}</title>
<link rel="stylesheet" href="docs/static/swagger-ui.css">
<link rel="stylesheet" href="docs/static/index.css">
<link rel="icon" type="image/png" href="docs/static/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="docs/static/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/static/swagger-ui-bundle.js"></script>
<script src="docs/static/{INITIALIZER}"></script>
</body>
</html>
"""

# validatorUrl null: Swagger UI would otherwise send the document to an online validator.
INITIALIZER_JS = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayRequestDuration: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""


class ApiDocs:
    """The documentation routes, keyed by path for the edge's operations table."""

    def __init__(self, routes: RouteTable) -> None:
        self._openapi = openapi_json(routes)

    def operations(self) -> dict[str, Operation]:
        """Every documentation path and the coroutine that answers it."""
        served: dict[str, Operation] = {
            OPENAPI_PATH: _fixed(self._openapi, JSON_TYPE),
            DOCS_PATH: _fixed(PAGE.encode(), "text/html; charset=utf-8"),
            STATIC_PREFIX + INITIALIZER: _fixed(INITIALIZER_JS.encode(), JS_TYPE),
        }
        for name, media_type in UI_ASSETS.items():
            served[STATIC_PREFIX + name] = _asset(name, media_type)
        return served


def _fixed(content: bytes, media_type: str) -> Operation:
    async def answer(request: Request) -> Response:
        return Response(content, media_type=media_type)

    return answer


def _asset(name: str, media_type: str) -> Operation:
    async def answer(request: Request) -> Response:
        headers = {"Cache-Control": ASSET_CACHE_CONTROL}
        return Response(_asset_bytes(name), headers=headers, media_type=media_type)

    return answer


@cache
def _asset_bytes(name: str) -> bytes:
    """One Swagger UI file, read once on first use (the bundle is over a megabyte)."""
    return (ui_static_dir() / name).read_bytes()


@cache
def ui_static_dir() -> Path:
    """The folder of the Swagger UI files, found without importing the package's code."""
    spec = importlib.util.find_spec(UI_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {UI_PACKAGE} package (swagger-ui-py) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"
