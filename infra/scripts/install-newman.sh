#!/usr/bin/env bash
# Installs newman (Postman's command-line runner), pinned, into .tools/newman for
# tests/docs/test_postman.py, which runs docs/api/postman_collection.json against a live
# daphne. Project-local: no global npm prefix, no root needed; .tools/ is git-ignored.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail

NEWMAN_VERSION=6.2.2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PREFIX="$ROOT/.tools/newman"
BIN="$PREFIX/node_modules/.bin/newman"

if [ -x "$BIN" ] && [ "$("$BIN" --version 2>/dev/null)" = "$NEWMAN_VERSION" ]; then
  echo "install-newman: newman $NEWMAN_VERSION already installed"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-newman: npm (Node.js >= 16) is required: apt-get install nodejs npm" >&2
  exit 1
fi

mkdir -p "$PREFIX"
# --no-save with a private prefix keeps the repo free of package.json churn.
npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error \
  "newman@$NEWMAN_VERSION"
echo "install-newman: installed newman $("$BIN" --version) in $PREFIX"
