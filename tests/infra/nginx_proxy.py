"""The repository's nginx site running for tests: rendered as the image renders it,
in a throwaway prefix on free loopback ports, with a self-signed certificate.

Used by test_nginx.py (stand-in backends) and test_nginx_app.py (the app itself).
"""

import http.client
import os
import re
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import INFRA, find_tool

TEMPLATE = INFRA / "nginx" / "templates" / "default.conf.template"
PLACEHOLDER = re.compile(r"\$\{(NEXUS_[A-Z_]+)\}")


def render_template(values: dict[str, str]) -> str:
    """What the nginx image's envsubst does with NGINX_ENVSUBST_FILTER=NEXUS_."""
    text = TEMPLATE.read_text(encoding="utf-8")
    missing = sorted(set(PLACEHOLDER.findall(text)) - set(values))
    assert not missing, f"no value given for placeholders {missing}"
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main_config(tmp: Path, site: Path) -> str:
    """A minimal nginx.conf around the site: all paths in tmp, any user can run it."""
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / name).mkdir(exist_ok=True)
    # As root nginx would drop its workers to "nobody", who cannot read the temp dir.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 128; }}
http {{
    types {{
        text/css css;
        application/javascript js;
        application/json json;
        text/plain txt;
        image/png png;
    }}
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""


def make_certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "tls.crt", tmp / "tls.key"
    subprocess.run(
        [
            find_tool("openssl"),
            "req",
            "-x509",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Proxy:
    http_port: int
    https_port: int
    cert: Path
    static_root: Path
    media_root: Path

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body=None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        conn = http.client.HTTPSConnection(
            "localhost", self.https_port, context=self.tls_context(), timeout=10
        )
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nginx did not listen on {port}: {log.read_text(errors='replace')}")


def write_config(tmp: Path, web_port: int, ws_port: int) -> tuple[Path, Proxy]:
    cert, key = make_certificate(tmp)
    static_root, media_root = tmp / "static", tmp / "media"
    (static_root / "css").mkdir(parents=True)
    media_root.mkdir()
    (static_root / "css" / "site.css").write_text("body { color: black; }\n" * 100)
    (media_root / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    proxy = Proxy(free_port(), free_port(), cert, static_root, media_root)
    site = tmp / "site.conf"
    site.write_text(
        render_template(
            {
                "NEXUS_WEB_UPSTREAM": f"127.0.0.1:{web_port}",
                "NEXUS_WS_UPSTREAM": f"127.0.0.1:{ws_port}",
                "NEXUS_HTTP_LISTEN": f"127.0.0.1:{proxy.http_port}",
                "NEXUS_HTTPS_LISTEN": f"127.0.0.1:{proxy.https_port}",
                "NEXUS_TLS_CERT": str(cert),
                "NEXUS_TLS_KEY": str(key),
                "NEXUS_STATIC_ROOT": str(static_root),
                "NEXUS_MEDIA_ROOT": str(media_root),
            }
        )
    )
    conf = tmp / "nginx.conf"
    conf.write_text(main_config(tmp, site))
    return conf, proxy


@contextmanager
def running_proxy(tmp: Path, web_port: int, ws_port: int) -> Iterator[Proxy]:
    """The repo's nginx site in `tmp`: /ws/ to ws_port, everything else to web_port."""
    nginx = find_tool("nginx")
    conf, proxy = write_config(tmp, web_port, ws_port)
    log = tmp / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [nginx, "-e", str(tmp / "error.log"), "-p", str(tmp), "-c", str(conf)],
            stderr=stderr,
        )
    try:
        wait_for_port(proxy.https_port, process, log)
        yield proxy
    finally:
        process.terminate()
        process.wait(timeout=10)
