"""Every setting the code reads is set by the chart, and nothing else is.

The variables the code reads come from `shared.settings.Settings.model_fields` (the
CNOP_ prefix, or a field's alias choices such as REDIS_URL), never from a hand list. Each
CNOP process (and the tables hook Job) is compared with that set: its ConfigMap, its own
env entries and its Secret references.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import AliasChoices

from auth.keys import load_private_key, private_pem
from shared.settings import Settings
from tests.chart.conftest import CHART, VALUES_FILES, Manifest, Render
from tests.chart.manifests import (
    COMPONENTS,
    component_of,
    container_port,
    deployment,
    of_kind,
    pod_spec,
    workloads,
)

# Settings whose unset value (None) no environment string can express; the chart sets
# them only when values give one (ci/production-values.yaml gives every one).
SET_ONLY_WHEN_GIVEN = {"price_seed", "price_file", "trace_file"}
# Secrets go only where they are needed: the signing key to auth, the CoinGecko key to
# inventory. The cursor secret goes everywhere: Settings refuses production without it.
SECRETS = {"auth_signing_key", "cursor_secret", "internal_secret", "coingecko_api_key"}
# A Redis URL may carry a password: without redis.url it comes from the Secret.
MAY_BE_SECRET = {"redis_url"}
ONLY_FOR = {"auth_signing_key": "auth", "coingecko_api_key": "inventory"}
# Settings the chart derives instead of taking them from `config`.
DERIVED = {
    "auth_addr",
    "user_addr",
    "inventory_addr",
    "order_addr",
    "edge_port",
    "metrics_port",
    "redis_url",
} | SECRETS
# `config` defaults that differ from the code's on purpose (see values.yaml).
CLUSTER_DEFAULTS = {
    "env", "data_dir", "dynamodb_endpoint", "create_tables", "edge_cors_origins",
    "listen_host", "edge_host",
}  # fmt: skip
# Optional strings the code reads by truthiness, so "" (which an environment variable can
# carry) is its None.
EMPTY_IS_NONE = {"otlp_endpoint", "auth_signing_key_id"}


def variable_names(field_name: str) -> tuple[str, ...]:
    """The environment variables that set one field, as pydantic-settings reads them."""
    alias = Settings.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(str(choice) for choice in alias.choices)
    if isinstance(alias, str):
        return (alias,)
    prefix = Settings.model_config.get("env_prefix", "")
    return (f"{prefix}{field_name}".upper(),)


FIELD_OF = {name: field for field in Settings.model_fields for name in variable_names(field)}


def environment(manifests: list[Manifest], workload: Manifest) -> dict[str, Any]:
    """Name to value (a string, or the secretKeyRef) of every variable of a CNOP container."""
    container = pod_spec(workload)["containers"][0]
    variables: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        assert set(source) == {"configMapRef"}, "only the settings ConfigMap is loaded whole"
        config_map = [
            m
            for m in of_kind(manifests, "ConfigMap")
            if m["metadata"]["name"] == source["configMapRef"]["name"]
        ]
        variables.update(config_map[0]["data"])
    for variable in container.get("env", []):
        if "valueFrom" in variable:
            variables[variable["name"]] = variable["valueFrom"]["secretKeyRef"]
        else:
            variables[variable["name"]] = variable["value"]
    return variables


def cnop_workloads(manifests: list[Manifest]) -> dict[str, Manifest]:
    """The Deployments of the five components and the tables Job, by component."""
    found = {component_of(w): w for w in workloads(manifests) if w["kind"] in ("Deployment", "Job")}
    return {name: w for name, w in found.items() if name in (*COMPONENTS, "tables")}


def fields_set(variables: dict[str, Any]) -> set[str]:
    unknown = set(variables) - set(FIELD_OF)
    assert not unknown, f"set but never read by the code: {sorted(unknown)}"
    fields = [FIELD_OF[name] for name in variables]
    twice = {field for field in fields if fields.count(field) > 1}
    assert not twice, f"set through two names: {sorted(twice)}"
    return set(fields)


def expected_fields(component: str, *, everything_given: bool) -> set[str]:
    fields = set(Settings.model_fields)
    if not everything_given:
        fields -= SET_ONLY_WHEN_GIVEN
    return {f for f in fields if ONLY_FOR.get(f, component) == component}


@pytest.mark.parametrize("values", list(VALUES_FILES))
def test_each_process_gets_every_setting_and_nothing_else(render: Render, values: str) -> None:
    manifests = render(VALUES_FILES[values])
    processes = cnop_workloads(manifests)
    assert set(COMPONENTS) <= set(processes)
    for component, workload in processes.items():
        variables = environment(manifests, workload)
        wanted = expected_fields(component, everything_given=values == "production-values")
        assert fields_set(variables) == wanted, component
        for name, value in variables.items():
            field = FIELD_OF[name]
            if field in SECRETS:
                assert isinstance(value, dict), f"{component}: {name} must come from the Secret"
            elif field not in MAY_BE_SECRET:
                assert isinstance(value, str), f"{component}: {name} must be in the settings"


def test_only_set_when_given_are_the_none_defaults() -> None:
    for name in SET_ONLY_WHEN_GIVEN:
        assert Settings.model_fields[name].default is None, name


@pytest.mark.parametrize("values", list(VALUES_FILES))
def test_the_code_accepts_what_the_chart_sets(
    render: Render, values: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifests = render(VALUES_FILES[values])
    secrets = {
        "CNOP_AUTH_SIGNING_KEY": private_pem(Ed25519PrivateKey.generate()).decode(),
        "CNOP_CURSOR_SECRET": "a-cursor-secret-from-the-cluster",
        "CNOP_INTERNAL_SECRET": "an-internal-secret-from-the-cluster",
        "CNOP_REDIS_URL": "rediss://redis.example:6379/0",
        "CNOP_COINGECKO_API_KEY": "a-key",
    }
    for component, workload in cnop_workloads(manifests).items():
        for name in FIELD_OF:
            monkeypatch.delenv(name, raising=False)
        for name, value in environment(manifests, workload).items():
            monkeypatch.setenv(name, secrets[name] if isinstance(value, dict) else value)
        settings = Settings()
        if component == "tables":
            continue
        container = pod_spec(workload)["containers"][0]
        if component == "edge":
            assert settings.edge_port == container_port(container, "http")
            continue
        assert settings.listen_port(component) == container_port(container, "grpc")
        assert settings.metrics_port_of(component) == container_port(container, "metrics")


def test_service_addresses_reach_the_services(render: Render) -> None:
    manifests = render()
    data = of_kind(manifests, "ConfigMap")[0]["data"]
    services = {s["metadata"]["name"]: s for s in of_kind(manifests, "Service")}
    for component in COMPONENTS[:-1]:
        host, port = data[f"CNOP_{component.upper()}_ADDR"].rsplit(":", 1)
        assert host == deployment(manifests, component)["metadata"]["name"]
        assert int(port) in {p["port"] for p in services[host]["spec"]["ports"]}


def test_config_values_mirror_the_settings() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    schema = yaml.safe_load((CHART / "values.schema.json").read_text())
    configurable = set(Settings.model_fields) - DERIVED
    assert set(values["config"]) == configurable
    assert set(schema["definitions"]["settings"]["properties"]) == configurable


def test_config_defaults_are_the_code_defaults() -> None:
    config = yaml.safe_load((CHART / "values.yaml").read_text())["config"]
    for name, value in config.items():
        field = Settings.model_fields[name]
        default = field.get_default(call_default_factory=True)
        if name in CLUSTER_DEFAULTS:
            assert value != default, f"{name} is no longer a deliberate difference"
            continue
        if isinstance(default, Path):
            default = str(default)
        if name in EMPTY_IS_NONE and value == "":
            value = None
        assert value == default, f"config.{name}: {value!r}, the code says {default!r}"


def test_generated_signing_key_is_what_auth_loads(render: Render) -> None:
    manifests = render(VALUES_FILES["trial-values"])
    secret = of_kind(manifests, "Secret")[0]
    assert secret["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    pem = base64.b64decode(secret["data"]["CNOP_AUTH_SIGNING_KEY"])
    assert isinstance(load_private_key(pem, "the generated Secret"), Ed25519PrivateKey)
    assert len(base64.b64decode(secret["data"]["CNOP_CURSOR_SECRET"])) >= 32
    assert len(base64.b64decode(secret["data"]["CNOP_INTERNAL_SECRET"])) >= 32
