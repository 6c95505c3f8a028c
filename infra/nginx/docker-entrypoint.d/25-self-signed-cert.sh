#!/bin/sh
# Makes a self-signed certificate for the local compose stack when none is mounted.
# Runs from the nginx image's /docker-entrypoint.d before nginx starts; production
# mounts a real certificate at the same paths and this script leaves it alone.
set -eu

cert="${NEXUS_TLS_CERT:-/etc/nginx/certs/tls.crt}"
key="${NEXUS_TLS_KEY:-/etc/nginx/certs/tls.key}"

if [ -s "$cert" ] && [ -s "$key" ]; then
    exit 0
fi

mkdir -p "$(dirname "$cert")" "$(dirname "$key")"
openssl req -x509 -nodes -newkey rsa:2048 -days 365 \
    -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$key" -out "$cert" 2>/dev/null
chmod 600 "$key"
echo "$0: made a self-signed certificate for localhost at $cert"
