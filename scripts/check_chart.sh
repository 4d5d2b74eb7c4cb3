#!/usr/bin/env bash
# Checks the Helm chart offline: `helm lint --strict` and `helm template` with the default
# values and with each values file under charts/cnop/ci/, every rendering validated with
# kubernetes-validate --strict against each supported Kubernetes version. Custom resources
# (ServiceMonitor, PrometheusRule) have no schema there and are only reported.
#
#   scripts/check_chart.sh HELM KUBERNETES_VALIDATE
set -euo pipefail

helm=${1:?usage: $0 HELM KUBERNETES_VALIDATE}
validate=${2:?usage: $0 HELM KUBERNETES_VALIDATE}
chart=charts/cnop
kubernetes_versions=(1.29.0 1.30.0 1.31.0 1.32.0)

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

values_files=("")
for file in "$chart"/ci/*.yaml; do
  values_files+=("$file")
done

for values in "${values_files[@]}"; do
  name=$(basename "${values:-default}" .yaml)
  args=()
  if [ -n "$values" ]; then args=(--values "$values"); fi
  echo "== $name"
  "$helm" lint --strict "$chart" "${args[@]}" --quiet
  "$helm" template cnop "$chart" --namespace cnop "${args[@]}" >"$out/$name.yaml"
done

failed=0
for version in "${kubernetes_versions[@]}"; do
  if "$validate" --strict --quiet --kubernetes-version "$version" "$out"/*.yaml; then
    echo "kubernetes $version: valid"
  else
    echo "kubernetes $version: INVALID" >&2
    failed=1
  fi
done
exit "$failed"
