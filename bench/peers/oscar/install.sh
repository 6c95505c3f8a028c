#!/usr/bin/env bash
# Create bench/peers/.venv-oscar (the django-oscar peer's own virtualenv) from the
# pins in requirements.txt. Idempotent: a venv whose recorded pins match is left as it
# is; a half-made or outdated one is rebuilt. Needs python3.11 and PyPI (through pip).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$(dirname "$HERE")/.venv-oscar"
REQUIREMENTS="$HERE/requirements.txt"
STAMP="$VENV/.installed-requirements"
PYTHON="${PEER_PYTHON:-python3.11}"

if [ -f "$STAMP" ] && cmp -s "$REQUIREMENTS" "$STAMP"; then
    echo "peer venv up to date: $VENV"
    exit 0
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "install.sh: $PYTHON not found (set PEER_PYTHON to a Python 3.11)" >&2
    exit 2
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-virtualenv -r "$REQUIREMENTS"
"$VENV/bin/python" -m pip check
cp "$REQUIREMENTS" "$STAMP"
echo "peer venv ready: $VENV"
