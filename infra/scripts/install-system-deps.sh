#!/usr/bin/env bash
# Installs the Debian packages the infra tests need: nginx (syntax check and a live proxy
# test) and openssl (the test's TLS certificate).
# Idempotent: does nothing when every binary is already on PATH; as root on Debian 12.
set -euo pipefail

# binary -> Debian package that provides it
declare -A WANTED=(
  [nginx]=nginx
  [openssl]=openssl
)

missing=()
for bin in "${!WANTED[@]}"; do
  # nginx lives in /usr/sbin, which a non-login PATH may lack
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ]; then
    missing+=("$bin")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: nothing to install"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: need root to install: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# Refresh the package lists only when apt has none (a fresh image) or an install fails
# on stale ones: an update on every run would make the test target slow and flaky.
if ! compgen -G "/var/lib/apt/lists/*_Packages" >/dev/null; then
  apt-get update
fi

packages=()
for bin in "${missing[@]}"; do
  packages+=("${WANTED[$bin]}")
done

# The nginx package would start a system nginx on port 80; the tests run their own.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [ "$created_policy" -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

install() { apt-get install -y --no-install-recommends "${packages[@]}"; }
if ! install; then
  apt-get update
  install
fi

echo "install-system-deps: installed ${packages[*]}"
