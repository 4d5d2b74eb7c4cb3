"""What the protos declare about each RPC, read once from the generated descriptors.

The protos are the single source of route policy: which methods need no token, their
success status, rate-limit class and idempotency. Every process reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import ModuleType

from cnop.api.v1 import options_pb2
from cnop.auth.v1 import auth_pb2
from cnop.inventory.v1 import inventory_pb2
from cnop.order.v1 import order_pb2
from cnop.user.v1 import user_pb2
from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor

# The generated module of each component's contract, by component name.
PROTO_MODULES: dict[str, ModuleType] = {
    "auth": auth_pb2,
    "user": user_pb2,
    "inventory": inventory_pb2,
    "order": order_pb2,
}
DEFAULT_SUCCESS_STATUS = 200


@dataclass(frozen=True, slots=True)
class MethodPolicy:
    """The declared policy of one RPC."""

    full_name: str  # "/cnop.user.v1.UserService/Register", as gRPC names it
    component: str  # the process that serves it: "user"
    method: descriptor.MethodDescriptor
    allow_anonymous: bool
    success_status: int
    rate_limit_class: int
    idempotent: bool
    http_rule: http_pb2.HttpRule | None


def services(component: str) -> list[descriptor.ServiceDescriptor]:
    """The gRPC services a component serves."""
    return list(PROTO_MODULES[component].DESCRIPTOR.services_by_name.values())


def service_names(component: str) -> list[str]:
    """The full names of the services a component serves."""
    return [service.full_name for service in services(component)]


@cache
def all_methods() -> dict[str, MethodPolicy]:
    """Every RPC of every component, by its gRPC path."""
    policies: dict[str, MethodPolicy] = {}
    for component in PROTO_MODULES:
        for service in services(component):
            for method in service.methods:
                policy = _policy(component, service, method)
                policies[policy.full_name] = policy
    return policies


def method_policy(full_name: str) -> MethodPolicy | None:
    """The policy of the RPC at a gRPC path, or None for a method CNOP does not define."""
    return all_methods().get(full_name)


def _policy(
    component: str, service: descriptor.ServiceDescriptor, method: descriptor.MethodDescriptor
) -> MethodPolicy:
    options = method.GetOptions()
    has_rule = options.HasExtension(annotations_pb2.http)
    return MethodPolicy(
        full_name=f"/{service.full_name}/{method.name}",
        component=component,
        method=method,
        allow_anonymous=options.Extensions[options_pb2.allow_anonymous],
        success_status=options.Extensions[options_pb2.success_status] or DEFAULT_SUCCESS_STATUS,
        rate_limit_class=options.Extensions[options_pb2.rate_limit_class],
        idempotent=options.Extensions[options_pb2.idempotent],
        http_rule=options.Extensions[annotations_pb2.http] if has_rule else None,
    )
