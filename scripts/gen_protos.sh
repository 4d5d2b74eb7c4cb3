#!/usr/bin/env bash
# Regenerates the Python code for CNOP's own protos (protos/cnop/**) into shared/gen/cnop.
#
# google/api/*.proto under protos/ are only there so protoc and buf can resolve imports;
# their Python modules come from the googleapis-common-protos package at run time, so they
# are not generated here. Every generated folder gets an __init__.py, so `cnop` (mapped to
# shared/gen/cnop by pyproject.toml) is a regular package tree.
#
# It also writes shared/gen/cnop/descriptors.binpb: a FileDescriptorSet of every CNOP proto
# and its imports, with source info, so the edge can read the proto comments for its
# OpenAPI document (and grpcurl can use it with -protoset).
#
# Usage: scripts/gen_protos.sh [PYTHON]   (default: .venv/bin/python)
set -euo pipefail

cd "$(dirname "$0")/.."
python="${1:-.venv/bin/python}"
out=shared/gen

mapfile -t protos < <(find protos/cnop -name '*.proto' -type f | LC_ALL=C sort)
if [ "${#protos[@]}" -eq 0 ]; then
  echo "gen_protos: no .proto files under protos/cnop" >&2
  exit 1
fi

rm -rf "$out/cnop"
mkdir -p "$out/cnop"
"$python" -m grpc_tools.protoc -I protos \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
  --include_source_info --include_imports --descriptor_set_out="$out/cnop/descriptors.binpb" \
  "${protos[@]}"

find "$out/cnop" -type d -print0 | while IFS= read -r -d '' dir; do
  touch "$dir/__init__.py"
done

echo "gen_protos: generated ${#protos[@]} proto file(s) into $out/cnop"
