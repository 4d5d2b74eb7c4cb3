"""The rendered chart, with the default values and each ci/ values file: safe pod defaults,
probes and budgets on every workload, only the edge exposed, and the repository's single
copies of dashboards and alert rules shipped as they are.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.chart.conftest import CHART, REPO_ROOT, VALUES_FILES, Manifest, Render
from tests.chart.manifests import (
    COMPONENTS,
    SERVICES,
    TRIAL_STORES,
    component_of,
    container_port,
    containers,
    deployment,
    named,
    of_kind,
    pod_labels,
    pod_spec,
    selects,
    workloads,
)

STANDARD_LABELS = {
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
}
CHANNEL_CALL = re.compile(r'service_channel\(\s*settings,\s*"(\w+)"\s*\)')


def clients_in_code() -> dict[str, set[str]]:
    """Who connects to each service and store, read from the code.

    A service is called through `service_channel(settings, "<service>")`, and by the edge
    (every one); the token interceptor fetches the auth service's keys and checks Redis;
    `bind_models` means DynamoDB, `connect_redis` or the edge's aioredis means Redis.
    """
    shared_auth = (REPO_ROOT / "shared" / "auth.py").read_text()
    assert 'service_channel(settings, "auth")' in shared_auth
    assert "connect_redis(settings)" in shared_auth
    clients: dict[str, set[str]] = {service: {"edge"} for service in SERVICES}
    clients.update({"redis": set(), "dynamodb": set()})
    for component in COMPONENTS:
        text = "\n".join(path.read_text() for path in (REPO_ROOT / component).glob("*.py"))
        for callee in CHANNEL_CALL.findall(text):
            clients[callee].add(component)
        if "token_interceptor(" in text:
            clients["auth"].add(component)
        if re.search(r"connect_redis\(|token_interceptor\(|aioredis", text):
            clients["redis"].add(component)
        if "bind_models(" in text:
            clients["dynamodb"].add(component)
    return clients


@pytest.mark.parametrize("values", list(VALUES_FILES))
def test_chart_lints_strictly(helm: str, values: str) -> None:
    command = [helm, "lint", "--strict", str(CHART)]
    if VALUES_FILES[values] is not None:
        command += ["--values", str(VALUES_FILES[values])]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_objects_carry_the_standard_labels(manifests: list[Manifest]) -> None:
    for manifest in manifests:
        missing = STANDARD_LABELS - set(manifest["metadata"].get("labels", {}))
        assert not missing, f"{manifest['kind']} {manifest['metadata']['name']} lacks {missing}"


def test_no_container_runs_as_root_or_writes_its_root_filesystem(
    manifests: list[Manifest],
) -> None:
    for workload in workloads(manifests):
        spec = pod_spec(workload)
        pod_context = spec.get("securityContext", {})
        tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for container in containers(spec):
            where = f"{workload['kind']} {workload['metadata']['name']}/{container['name']}"
            context = {**pod_context, **container.get("securityContext", {})}
            assert context.get("runAsNonRoot") is True, where
            assert context.get("runAsUser", 0) != 0, where
            assert context.get("readOnlyRootFilesystem") is True, where
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("capabilities", {}).get("drop") == ["ALL"], where
            assert context.get("seccompProfile") == {"type": "RuntimeDefault"}, where
            writable = {
                m["mountPath"]
                for m in container.get("volumeMounts", [])
                if m["name"] in tmp_volumes
            }
            assert "/tmp" in writable, f"{where} has no emptyDir at /tmp"


def test_every_workload_has_resources_and_every_server_has_probes(
    manifests: list[Manifest],
) -> None:
    for workload in workloads(manifests):
        for container in containers(pod_spec(workload)):
            where = f"{workload['kind']} {workload['metadata']['name']}/{container['name']}"
            resources = container.get("resources", {})
            assert {"cpu", "memory"} <= set(resources.get("requests", {})), where
            assert {"cpu", "memory"} <= set(resources.get("limits", {})), where
            if workload["kind"] == "Deployment":
                assert "readinessProbe" in container, where
                assert "livenessProbe" in container, where


def test_services_probe_grpc_health_and_the_edge_http(manifests: list[Manifest]) -> None:
    for component in COMPONENTS:
        container = pod_spec(deployment(manifests, component))["containers"][0]
        if component == "edge":
            assert container["readinessProbe"]["httpGet"]["path"] == "/health"
            assert container["livenessProbe"]["httpGet"]["path"] != "/health"
        else:
            port = container_port(container, "grpc")
            assert container["readinessProbe"]["grpc"] == {"port": port}


def test_components_have_budgets_and_trial_stores_do_not(manifests: list[Manifest]) -> None:
    budgets = of_kind(manifests, "PodDisruptionBudget")
    for workload in of_kind(manifests, "Deployment"):
        labels = pod_labels(workload)
        covering = [b for b in budgets if selects(b["spec"]["selector"], labels)]
        if component_of(workload) in TRIAL_STORES:
            # One replica with its data in the pod: a budget would only block drains.
            assert not covering
            assert workload["spec"]["replicas"] == 1
        else:
            assert len(covering) == 1, f"{workload['metadata']['name']} needs one budget"


def test_autoscalers_target_their_deployments(manifests: list[Manifest]) -> None:
    deployments = {m["metadata"]["name"]: m for m in of_kind(manifests, "Deployment")}
    for autoscaler in of_kind(manifests, "HorizontalPodAutoscaler"):
        target = deployments[autoscaler["spec"]["scaleTargetRef"]["name"]]
        assert "replicas" not in target["spec"], "the autoscaler owns the replica count"


def test_shutdown_fits_inside_the_grace_period(manifests: list[Manifest]) -> None:
    settings = of_kind(manifests, "ConfigMap")[0]["data"]
    for component in COMPONENTS:
        spec = pod_spec(deployment(manifests, component))
        container = spec["containers"][0]
        command = container["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep"
        grace = float(settings["CNOP_SHUTDOWN_GRACE_SECONDS"])
        for variable in container["env"]:
            if variable["name"] == "CNOP_SHUTDOWN_GRACE_SECONDS":
                grace = float(variable["value"])
        assert int(command[1]) + grace < spec["terminationGracePeriodSeconds"]


def test_only_the_edge_is_exposed(manifests: list[Manifest]) -> None:
    edge_service = deployment(manifests, "edge")["metadata"]["name"]
    for service in of_kind(manifests, "Service"):
        if service["metadata"]["name"] != edge_service:
            assert service["spec"]["type"] == "ClusterIP", service["metadata"]["name"]
    for ingress in of_kind(manifests, "Ingress"):
        backends = {
            path["backend"]["service"]["name"]
            for rule in ingress["spec"]["rules"]
            for path in rule["http"]["paths"]
        }
        assert backends == {edge_service}


def test_network_policies_admit_only_clients(manifests: list[Manifest]) -> None:
    policies = of_kind(manifests, "NetworkPolicy")
    clients = clients_in_code()
    for workload in of_kind(manifests, "Deployment"):
        component = component_of(workload)
        covering = [p for p in policies if selects(p["spec"]["podSelector"], pod_labels(workload))]
        assert len(covering) == 1, f"{component} needs one NetworkPolicy"
        policy = covering[0]["spec"]
        assert "Ingress" in policy["policyTypes"]
        if component == "edge":
            assert {p["port"] for rule in policy["ingress"] for p in rule["ports"]} == {"http"}
            continue
        admitted: set[str] = set()
        for rule in policy["ingress"]:
            assert rule.get("from"), f"{component}: a rule without `from` admits anyone"
            assert all("ipBlock" not in peer for peer in rule["from"])
            if {port["port"] for port in rule["ports"]} == {"metrics"}:
                continue  # the Prometheus scraper
            admitted |= {
                peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
                for peer in rule["from"]
            }
        # The `helm test` pods check every service's health.
        wanted = clients[component] | ({"test"} if component in SERVICES else set())
        assert admitted == wanted, component


def test_helm_tests_check_every_component(manifests: list[Manifest]) -> None:
    tests = [
        m
        for m in of_kind(manifests, "Pod")
        if m["metadata"]["annotations"].get("helm.sh/hook") == "test"
    ]
    targets = {pod["spec"]["containers"][0]["command"][-1] for pod in tests}
    for component in COMPONENTS:
        name = deployment(manifests, component)["metadata"]["name"]
        port = container_port(
            pod_spec(deployment(manifests, component))["containers"][0],
            "http" if component == "edge" else "grpc",
        )
        wanted = f"http://{name}:{port}/health" if component == "edge" else f"{name}:{port}"
        assert wanted in targets


def test_config_change_rolls_every_component(render: Render) -> None:
    def checksums(manifests: list[Manifest]) -> dict[str, str]:
        return {
            component_of(d): d["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
            for d in of_kind(manifests, "Deployment")
        }

    before = checksums(render())
    after = checksums(render(None, "config.log_level=DEBUG"))
    assert all(before[name] != after[name] for name in COMPONENTS)


def test_tables_hook_runs_before_install_and_upgrade(render: Render) -> None:
    manifests = render()
    job = of_kind(manifests, "Job")[0]
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation"
    assert pod_spec(job)["containers"][0]["args"] == ["tables", "create"]
    account = named(manifests, "ServiceAccount", pod_spec(job)["serviceAccountName"])
    assert int(account["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
        annotations["helm.sh/hook-weight"]
    )
    assert of_kind(manifests, "ConfigMap")[0]["data"]["CNOP_CREATE_TABLES"] == "false"


def test_trial_mode_runs_its_own_stores(render: Render) -> None:
    manifests = render(VALUES_FILES["trial-values"])
    data = of_kind(manifests, "ConfigMap")[0]["data"]
    assert not of_kind(manifests, "Job"), "the services create the tables in trial mode"
    assert data["CNOP_CREATE_TABLES"] == "true"
    stores = {component_of(d): d for d in of_kind(manifests, "Deployment")}
    assert set(TRIAL_STORES) <= set(stores)
    assert data["CNOP_DYNAMODB_ENDPOINT"] == f"http://{stores['dynamodb']['metadata']['name']}:8000"
    assert data["CNOP_REDIS_URL"] == f"redis://{stores['redis']['metadata']['name']}:6379/0"


def test_monitoring_ships_the_single_copies(render: Render) -> None:
    manifests = render(VALUES_FILES["monitoring-values"])
    dashboards = [
        m
        for m in of_kind(manifests, "ConfigMap")
        if m["metadata"]["labels"].get("grafana_dashboard") == "1"
    ]
    shipped = {key: value for d in dashboards for key, value in d["data"].items()}
    files = {path.name: path for path in (CHART / "dashboards").glob("*.json")}
    assert set(shipped) == set(files)
    for name, text in shipped.items():
        assert text == files[name].read_text()
        json.loads(text)

    rules = yaml.safe_load((CHART / "rules" / "cnop-alerts.yaml").read_text())
    assert of_kind(manifests, "PrometheusRule")[0]["spec"]["groups"] == rules["groups"]

    service_ports = {
        port["name"] for s in of_kind(manifests, "Service") for port in s["spec"]["ports"]
    }
    monitor = of_kind(manifests, "ServiceMonitor")[0]["spec"]
    assert {endpoint["port"] for endpoint in monitor["endpoints"]} <= service_ports


def test_default_install_ships_no_monitoring_objects(render: Render) -> None:
    kinds = {manifest["kind"] for manifest in render()}
    assert not kinds & {"ServiceMonitor", "PrometheusRule"}


def test_ci_values_files_exist() -> None:
    names = {path.name for path in (CHART / "ci").glob("*.yaml")}
    assert {"trial-values.yaml", "monitoring-values.yaml", "ingress-values.yaml"} <= names
    assert Path(CHART / "values.schema.json").is_file()


@pytest.mark.parametrize(
    ("sets", "reason"),
    [
        (["secrets.create=true"], "generates no Redis URL"),
        (["lifecycle.terminationGracePeriodSeconds=10"], "terminationGracePeriodSeconds"),
        (["config.unknown_setting=1"], "unknown_setting"),
        (["containerSecurityContext.runAsUser=0"], "runAsUser"),
    ],
)
def test_chart_refuses_values_that_would_not_run(helm: str, sets: list[str], reason: str) -> None:
    command = [helm, "template", "cnop", str(CHART)]
    for pair in sets:
        command += ["--set", pair]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert reason in result.stderr
