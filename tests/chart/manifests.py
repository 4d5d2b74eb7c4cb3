"""Lookups in rendered manifests, shared by the chart tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.chart.conftest import Manifest

COMPONENT_LABEL = "app.kubernetes.io/component"
COMPONENTS = ("auth", "user", "inventory", "order", "edge")
SERVICES = COMPONENTS[:-1]
TRIAL_STORES = ("redis", "dynamodb")
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "Pod"}


def of_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [manifest for manifest in manifests if manifest["kind"] == kind]


def named(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [m for m in of_kind(manifests, kind) if m["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def component_of(manifest: Manifest) -> str:
    return str(manifest["metadata"]["labels"][COMPONENT_LABEL])


def pod_spec(manifest: Manifest) -> dict[str, Any]:
    if manifest["kind"] == "Pod":
        return dict(manifest["spec"])
    return dict(manifest["spec"]["template"]["spec"])


def pod_labels(manifest: Manifest) -> dict[str, str]:
    if manifest["kind"] == "Pod":
        return dict(manifest["metadata"]["labels"])
    return dict(manifest["spec"]["template"]["metadata"]["labels"])


def workloads(manifests: list[Manifest]) -> list[Manifest]:
    """Everything that runs pods: Deployments, hook Jobs, `helm test` pods."""
    return [manifest for manifest in manifests if manifest["kind"] in POD_KINDS]


def deployment(manifests: list[Manifest], component: str) -> Manifest:
    matches = [m for m in of_kind(manifests, "Deployment") if component_of(m) == component]
    assert len(matches) == 1, f"expected one Deployment of {component}"
    return matches[0]


def containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels only, as the chart writes them) picks labels."""
    assert set(selector) <= {"matchLabels"}, f"unexpected selector {selector}"
    return all(labels.get(key) == value for key, value in selector["matchLabels"].items())


def container_port(container: dict[str, Any], name: str) -> int:
    for port in container.get("ports", []):
        if port["name"] == name:
            return int(port["containerPort"])
    raise AssertionError(f"container {container['name']} has no port {name}")
