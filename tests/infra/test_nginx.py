"""nginx before the app: the template renders, passes `nginx -t` and proxies for real.

A throwaway nginx listens on free loopback ports in front of two tiny backends written
here, one standing in for gunicorn (upstream nexus_web) and one for daphne (nexus_ws).
Each is the `websockets` library, which answers both plain HTTP and the websocket
handshake and says which backend it is, so the route nginx picked, the headers it
forwards and the websocket upgrade are seen from the app's side.
"""

import gzip
import http.client
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.sync.client import connect as ws_connect
from websockets.sync.server import ServerConnection, serve

from .conftest import INFRA, find_tool
from .nginx_proxy import (
    PLACEHOLDER,
    TEMPLATE,
    Proxy,
    free_port,
    running_proxy,
    write_config,
)

BIG_JSON = {"items": ["a fairly repetitive line of catalog text"] * 200}


def answer_http(
    name: str, connection: ServerConnection, request: Request
) -> Response | None:
    """Plain requests get their own headers back as JSON; handshakes go on."""
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return None
    if request.path.startswith("/big"):
        payload = BIG_JSON
    else:
        payload = {
            "server": name,
            "path": request.path,
            "headers": dict(request.headers.raw_items()),
        }
    headers = Headers(
        [("Content-Type", "application/json"), ("Connection", "keep-alive")]
    )
    if request.path.startswith("/own-headers"):
        headers["X-Frame-Options"] = "SAMEORIGIN"
    body = json.dumps(payload).encode()
    headers["Content-Length"] = str(len(body))
    return Response(200, "OK", headers, body)


def echo_handshake(name: str, websocket: ServerConnection) -> None:
    """Each message comes back with the handshake headers the backend received."""
    for message in websocket:
        websocket.send(
            json.dumps(
                {
                    "server": name,
                    "echo": message,
                    "path": websocket.request.path,
                    "headers": dict(websocket.request.headers.raw_items()),
                }
            )
        )


@contextmanager
def stand_in(name: str) -> Iterator[int]:
    """A backend on a free loopback port that puts `name` in every answer."""
    port = free_port()
    server = serve(
        partial(echo_handshake, name),
        "127.0.0.1",
        port,
        process_request=partial(answer_http, name),
        compression=None,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def web_backend() -> Iterator[int]:
    with stand_in("web") as port:
        yield port


@pytest.fixture(scope="module")
def ws_backend() -> Iterator[int]:
    with stand_in("ws") as port:
        yield port


@pytest.fixture(scope="module")
def proxy(
    web_backend: int, ws_backend: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxy]:
    tmp = tmp_path_factory.mktemp("nginx")
    with running_proxy(tmp, web_backend, ws_backend) as proxy:
        yield proxy


def test_template_has_only_the_documented_placeholders():
    text = TEMPLATE.read_text(encoding="utf-8")
    assert set(PLACEHOLDER.findall(text)) == {
        "NEXUS_WEB_UPSTREAM",
        "NEXUS_WS_UPSTREAM",
        "NEXUS_HTTP_LISTEN",
        "NEXUS_HTTPS_LISTEN",
        "NEXUS_TLS_CERT",
        "NEXUS_TLS_KEY",
        "NEXUS_STATIC_ROOT",
        "NEXUS_MEDIA_ROOT",
    }
    # The README and compose name the same set, so nothing is left unsubstituted.
    compose = (INFRA / "docker" / "compose.yml").read_text(encoding="utf-8")
    for name in set(PLACEHOLDER.findall(text)):
        assert f"{name}:" in compose, f"compose.yml does not set {name}"


def test_rendered_config_passes_nginx_syntax_check(tmp_path: Path):
    nginx = find_tool("nginx")
    conf, _ = write_config(tmp_path, web_port=free_port(), ws_port=free_port())
    result = subprocess.run(
        # -e: a build whose default error log is a root-owned file would warn first.
        [nginx, "-t", "-e", str(tmp_path / "error.log"), "-p", str(tmp_path)]
        + ["-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_upload_limit_matches_the_app_image_limit_plus_multipart_headroom():
    text = TEMPLATE.read_text(encoding="utf-8")
    assert re.search(r"client_max_body_size 11m;", text)


def test_plain_http_redirects_to_https_keeping_the_method(proxy: Proxy):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    conn.request("POST", "/api/v1/orders/?x=1", body=b"{}")
    response = conn.getresponse()
    assert response.status == 308
    assert response.getheader("Location") == "https://127.0.0.1/api/v1/orders/?x=1"
    conn.close()


def test_http_request_reaches_the_web_upstream_with_forwarded_headers(proxy: Proxy):
    response, body = proxy.request(
        "GET", "/api/v1/products/?page=2", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert response.status == 200
    seen = json.loads(body)
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert seen["server"] == "web"
    assert seen["path"] == "/api/v1/products/?page=2"
    assert headers["host"] == f"localhost:{proxy.https_port}"
    assert headers["x-forwarded-proto"] == "https"
    assert headers["x-real-ip"] == "127.0.0.1"
    # nginx appends the peer it saw: the app trusts exactly one proxy hop (NUM_PROXIES).
    assert headers["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert "upgrade" not in {k for k, v in headers.items() if v}


def test_responses_carry_security_headers(proxy: Proxy):
    response, _ = proxy.request("GET", "/api/v1/categories/")
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert "max-age=31536000" in response.getheader("Strict-Transport-Security")
    assert response.getheader("Server") == "nginx"


def test_app_own_security_header_wins_and_is_not_sent_twice(proxy: Proxy):
    response, _ = proxy.request("GET", "/own-headers/")
    assert response.headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]


def test_json_is_gzipped_for_clients_that_accept_it(proxy: Proxy):
    response, body = proxy.request("GET", "/big/", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert json.loads(gzip.decompress(body)) == BIG_JSON


def test_static_files_are_served_by_nginx_with_cache_headers(proxy: Proxy):
    response, body = proxy.request("GET", "/static/css/site.css")
    assert response.status == 200
    assert body == (proxy.static_root / "css" / "site.css").read_bytes()
    assert response.getheader("Content-Type") == "text/css"
    assert "max-age=2592000" in response.getheader("Cache-Control")
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_media_files_are_served_sandboxed(proxy: Proxy):
    response, body = proxy.request("GET", "/media/photo.png")
    assert response.status == 200
    assert body == (proxy.media_root / "photo.png").read_bytes()
    assert "sandbox" in response.getheader("Content-Security-Policy")


def test_body_over_the_upload_limit_is_refused_before_reaching_the_app(proxy: Proxy):
    response, _ = proxy.request(
        "POST",
        "/api/v1/products/1/images/",
        headers={"Content-Length": str(11 * 1024 * 1024 + 1)},
        body=b"",
    )
    assert response.status == 413


@pytest.mark.parametrize(
    ("path", "server"),
    [
        ("/healthz", "web"),
        ("/readyz", "web"),
        ("/admin/login/", "web"),
        ("/api/v1/docs/", "web"),
        ("/wsx/", "web"),
        ("/ws/notifications/", "ws"),
    ],
)
def test_only_ws_paths_go_to_the_ws_upstream(proxy: Proxy, path: str, server: str):
    response, body = proxy.request("GET", path)
    assert response.status == 200
    assert json.loads(body)["server"] == server


def test_websocket_upgrade_passes_through_with_forwarded_headers(proxy: Proxy):
    uri = f"wss://localhost:{proxy.https_port}/ws/notifications/?token=abc"
    with ws_connect(uri, ssl=proxy.tls_context(), open_timeout=10) as websocket:
        websocket.send("hello")
        reply = json.loads(websocket.recv(timeout=10))
    headers = {k.lower(): v for k, v in reply["headers"].items()}
    assert reply["server"] == "ws"
    assert reply["echo"] == "hello"
    assert reply["path"] == "/ws/notifications/?token=abc"
    assert headers["upgrade"].lower() == "websocket"
    assert headers["connection"].lower() == "upgrade"
    assert headers["x-forwarded-proto"] == "https"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["host"] == f"localhost:{proxy.https_port}"


def test_websocket_location_allows_long_quiet_sockets():
    text = TEMPLATE.read_text(encoding="utf-8")
    ws_block = re.search(r"location /ws/ \{(.*?)\}", text, re.S).group(1)
    assert "proxy_read_timeout 1h;" in ws_block
    assert "proxy_set_header" not in ws_block, "would drop the server-level headers"
    assert "map $http_upgrade $nexus_connection" in text
