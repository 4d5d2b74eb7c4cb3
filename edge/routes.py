"""The edge's route table, built at start-up from the `google.api.http` rules of the protos.

No route is written by hand: every RPC with an http rule becomes one route. Static paths
are found with one dictionary lookup; templated paths (`/orders/{order_id}`) are tried in
order of their number of literal segments, most specific first, so `/assets/{id}` never
shadows a literal path beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from google.api import http_pb2
from google.protobuf import descriptor, message_factory
from google.protobuf.message import Message

from shared.contracts import MethodPolicy, all_methods

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_VARIABLE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Route:
    """One REST route and the RPC behind it."""

    http_method: str  # upper case: "GET"
    template: str  # "/api/v1/orders/{order_id}"
    policy: MethodPolicy
    body: str  # "*" when the JSON body is the request message, "" when there is none
    response_body: str  # the response field that is the whole body, "" for all of it
    path_variables: tuple[str, ...]
    request_class: type[Message]
    response_class: type[Message]

    @property
    def rpc_name(self) -> str:
        return self.policy.full_name


@dataclass(frozen=True, slots=True)
class Match:
    route: Route
    path_params: dict[str, str]


@dataclass(frozen=True, slots=True)
class WrongMethod:
    allowed: tuple[str, ...]


@dataclass
class _Template:
    template: str
    pattern: re.Pattern[str]
    literal_segments: int
    by_method: dict[str, Route] = field(default_factory=dict)


class RouteTable:
    """Finds the route of an HTTP method and path."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self._static: dict[str, dict[str, Route]] = {}
        templates: dict[str, _Template] = {}
        for route in routes:
            if not route.path_variables:
                self._static.setdefault(route.template, {})[route.http_method] = route
                continue
            entry = templates.get(route.template)
            if entry is None:
                entry = templates[route.template] = _compile(route.template)
            entry.by_method[route.http_method] = route
        self._templates = sorted(templates.values(), key=lambda t: -t.literal_segments)

    def match(self, http_method: str, path: str) -> Match | WrongMethod | None:
        """The route for a request, a `WrongMethod` naming the allowed ones, or None."""
        by_method = self._static.get(path)
        params: dict[str, str] = {}
        if by_method is None:
            for entry in self._templates:
                found = entry.pattern.fullmatch(path)
                if found:
                    by_method, params = entry.by_method, found.groupdict()
                    break
            else:
                return None
        route = by_method.get(http_method)
        if route is None:
            return WrongMethod(tuple(sorted(by_method)))
        return Match(route, params)


def build_route_table() -> RouteTable:
    """Every http rule of every CNOP service, as a route table."""
    routes: list[Route] = []
    for policy in all_methods().values():
        rule = policy.http_rule
        if rule is None:
            continue
        routes.extend(_routes_of(policy, rule))
    return RouteTable(routes)


def _routes_of(policy: MethodPolicy, rule: http_pb2.HttpRule) -> list[Route]:
    routes = []
    for one_rule in [rule, *rule.additional_bindings]:
        http_method = one_rule.WhichOneof("pattern")
        if http_method not in HTTP_METHODS:
            raise ValueError(f"{policy.full_name}: unsupported http pattern {http_method}")
        template = getattr(one_rule, http_method)
        routes.append(
            Route(
                http_method=http_method.upper(),
                template=template,
                policy=policy,
                body=one_rule.body,
                response_body=one_rule.response_body,
                path_variables=tuple(_VARIABLE.findall(template)),
                request_class=_message_class(policy.method.input_type),
                response_class=_message_class(policy.method.output_type),
            )
        )
    return routes


def _message_class(message_descriptor: descriptor.Descriptor) -> type[Message]:
    return message_factory.GetMessageClass(message_descriptor)


def _compile(template: str) -> _Template:
    segments = template.strip("/").split("/")
    parts = []
    literal = 0
    for segment in segments:
        variable = _VARIABLE.fullmatch(segment)
        if variable:
            parts.append(f"(?P<{variable.group(1)}>[^/]+)")
        else:
            parts.append(re.escape(segment))
            literal += 1
    return _Template(template, re.compile("/" + "/".join(parts)), literal)
