#!/usr/bin/env bash
# Checks what the Dockerfile builds, without a Docker engine: the same build context (what
# .dockerignore lets in), the same non-editable, wheels-only install into a fresh venv,
# then, as user 10001 with the venv read-only and /tmp as the working directory, that
# `cnop` runs, every component imports from the installed package (not the repository),
# the package data is there (asset catalogue, descriptor set, Swagger UI), and that the
# auth service and the edge start, answer their probes and stop on SIGTERM.
#
#   scripts/check_image.sh [PYTHON]     # PYTHON: a python3.11 (the image's version)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# A system python3.11 first: user 10001 cannot run one under /root (pyenv).
python="${1:-}"
for candidate in /usr/local/bin/python3.11 /usr/bin/python3.11 python3.11; do
  if [ -z "$python" ] && command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; fi
done
if [ -z "$python" ]; then
  echo "error: no python3.11 (the image's Python): apt-get install python3.11-venv" >&2
  exit 1
fi
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
chmod 0755 "$work"

echo "== build context"
mkdir "$work/context"
(cd "$root" && cp -r pyproject.toml README.md shared auth user inventory order edge "$work/context/")
find "$work/context" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +

echo "== builder: pip install (wheels only), then the project, not editable"
"$python" -m venv "$work/venv"
"$python" -c 'import sys, tomllib; print("\n".join(tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]))' \
  "$work/context/pyproject.toml" >"$work/requirements.txt"
PIP_ONLY_BINARY=:all: "$work/venv/bin/pip" install --quiet --disable-pip-version-check \
  --requirement "$work/requirements.txt"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$work/context"
rm -rf "$work/context"
chmod -R a-w "$work/venv"

# As the image runs: user 10001 (when we are root), from /tmp, nothing written to the venv.
image_user=()
if [ "$(id -u)" = 0 ]; then
  image_user=(setpriv --reuid 10001 --regid 10001 --clear-groups --)
  if ! "${image_user[@]}" "$work/venv/bin/python" -c '' 2>/dev/null; then
    echo "warning: user 10001 cannot run $python; checking as root instead" >&2
    image_user=()
  fi
fi
as_image_user() { "${image_user[@]}" "$@"; }
export PATH="$work/venv/bin:$PATH" PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
cd /tmp

echo "== cnop and the package contents"
as_image_user cnop --help >/dev/null
as_image_user python - "$work/venv" <<'PY'
import importlib
import importlib.resources
import sys

venv = sys.argv[1]
for module in ("shared.cli", "auth.server", "user.server", "inventory.server", "order.server",
               "edge.server", "edge.app", "shared.dynamo"):
    path = importlib.import_module(module).__file__
    assert path.startswith(venv), f"{module} comes from {path}, not the installed package"

from edge.docs import ApiDocs, ui_static_dir
from edge.routes import build_route_table
from inventory.catalogue import read_snapshot
from shared.dynamo import all_models

assert read_snapshot(), "the asset catalogue snapshot is empty"
assert importlib.resources.files("cnop").joinpath("descriptors.binpb").read_bytes()
routes = build_route_table()
ApiDocs(routes)
assert (ui_static_dir() / "swagger-ui-bundle.js").is_file()
print(f"{len(read_snapshot())} assets, {len(routes.routes)} routes, {len(all_models())} tables")
PY

echo "== auth and the edge start, answer their probes, and stop on SIGTERM"
free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
auth_port=$(free_port)
edge_port=$(free_port)
redis_port=$(free_port) # nothing listens there: the services start without Redis
export CNOP_ENV=production CNOP_DATA_DIR=/tmp/cnop-image-check CNOP_METRICS_PORT=0 \
  CNOP_AUTH_ADDR="127.0.0.1:$auth_port" CNOP_EDGE_HOST=127.0.0.1 CNOP_EDGE_PORT="$edge_port" \
  CNOP_REDIS_URL="redis://127.0.0.1:$redis_port/0" CNOP_CURSOR_SECRET=image-check-cursor-secret \
  CNOP_INTERNAL_SECRET=image-check-internal-secret \
  CNOP_SHUTDOWN_GRACE_SECONDS=2
CNOP_AUTH_SIGNING_KEY="$("$work/venv/bin/python" -c '
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
print(Ed25519PrivateKey.generate().private_bytes(
    s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()).decode())')"
export CNOP_AUTH_SIGNING_KEY

# Not through the shell function: $! must be the server's own pid (setpriv execs it).
"${image_user[@]}" cnop serve auth >"$work/auth.log" 2>&1 &
pids+=($!)
"${image_user[@]}" cnop serve edge >"$work/edge.log" 2>&1 &
pids+=($!)
as_image_user python - "$auth_port" "$edge_port" <<'PY' || { cat "$work"/*.log; exit 1; }
import sys
import time
import urllib.request

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

auth, edge = sys.argv[1:]
deadline = time.monotonic() + 60
while True:
    try:
        with grpc.insecure_channel(f"127.0.0.1:{auth}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=2)
        with urllib.request.urlopen(f"http://127.0.0.1:{edge}/openapi.json", timeout=2) as page:
            assert page.status == 200
        break
    except (grpc.RpcError, OSError):
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
# No Redis here: auth answers, and reports the missing dependency.
print("auth health:", health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))
print("edge: GET /openapi.json 200")
PY
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do
  if ! timeout 15 tail --pid="$pid" -f /dev/null; then
    echo "error: a server did not stop within 15 s of SIGTERM" >&2
    cat "$work"/*.log
    exit 1
  fi
done
pids=()
grep -q '"auth stopped"' "$work/auth.log" || { cat "$work/auth.log"; exit 1; }
echo "image-check: passed"
