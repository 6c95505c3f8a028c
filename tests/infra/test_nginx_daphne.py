"""The repo's nginx site in front of the real app on daphne: HTTP and the websocket.

test_nginx.py proves the proxy's behaviour against a stand-in backend; this one proves
the two really fit: daphne's ASGI app behind the same TLS site, the notifications socket
authenticating through it with a token obtained through it.
"""

import http.client
import json
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from .conftest import LiveApp, live_app
from .test_nginx import Proxy, running_proxy

CLOSE_UNAUTHORIZED = 4401


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_app(tmp_path_factory.mktemp("daphne"), tmp_path_factory) as served:
        yield served


@pytest.fixture(scope="module")
def proxy(app: LiveApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    with running_proxy(tmp_path_factory.mktemp("nginx-daphne"), app.port) as proxy:
        yield proxy


def call(proxy: Proxy, method: str, path: str, payload: dict | None = None):
    body = json.dumps(payload).encode() if payload is not None else None
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    response, raw = proxy.request(method, path, headers=headers, body=body)
    return response, raw


@pytest.fixture(scope="module")
def access_token(proxy: Proxy) -> str:
    """A customer registered and logged in through nginx, as a client would."""
    credentials = {"email": "socket@example.com", "password": "staple-Battery-42-horse"}
    response, raw = call(proxy, "POST", "/api/v1/auth/register/", credentials)
    assert response.status == 201, raw
    response, raw = call(proxy, "POST", "/api/v1/auth/token/", credentials)
    assert response.status == 200, raw
    return json.loads(raw)["access"]


def open_socket(proxy: Proxy, query: str) -> ClientConnection:
    # Channels' AllowedHostsOriginValidator refuses a handshake without an Origin.
    return ws_connect(
        f"wss://localhost:{proxy.https_port}/ws/notifications/{query}",
        ssl=proxy.tls_context(),
        origin=f"https://localhost:{proxy.https_port}",
        open_timeout=10,
    )


def test_health_check_passes_through_nginx(proxy: Proxy):
    response, raw = call(proxy, "GET", "/healthz")
    assert response.status == 200
    assert json.loads(raw) == {"status": "ok"}


def test_api_answers_through_nginx_with_json(proxy: Proxy):
    response, raw = call(proxy, "GET", "/api/v1/auth/me/")
    assert response.status == 401
    assert response.getheader("Content-Type").startswith("application/json")
    assert "detail" in json.loads(raw)
    response, raw = call(proxy, "GET", "/api/v1/categories/")
    assert response.status == 200
    assert set(json.loads(raw)) >= {"count", "next", "previous", "results"}
    # nginx's own headers on the app's answers.
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert "max-age=31536000" in response.getheader("Strict-Transport-Security")


def test_plain_http_port_redirects_the_api_to_https(proxy: Proxy):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    try:
        conn.request("GET", "/api/v1/categories/")
        response = conn.getresponse()
        assert response.status == 308
        assert response.getheader("Location").startswith("https://")
    finally:
        conn.close()


def test_websocket_with_a_valid_token_stays_open(proxy: Proxy, access_token: str):
    with open_socket(proxy, f"?token={access_token}") as socket:
        # A ping answered proves frames pass both ways through the proxy.
        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}
        # Quiet for a while and still open: recv times out rather than seeing a close.
        with pytest.raises(TimeoutError):
            socket.recv(timeout=2)
        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}


@pytest.mark.parametrize("query", ["", "?token=not-a-jwt"])
def test_websocket_without_a_valid_token_is_closed_with_4401(proxy: Proxy, query: str):
    with open_socket(proxy, query) as socket, pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=10)
    assert closed.value.rcvd is not None, "closed without a close frame"
    assert closed.value.rcvd.code == CLOSE_UNAUTHORIZED
