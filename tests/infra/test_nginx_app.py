"""The repo's nginx site in front of the real app: gunicorn for HTTP, daphne for /ws/.

test_nginx.py proves the proxy's behaviour against stand-in backends; this one proves
the pieces really fit, as compose and Kubernetes run them: gunicorn with the repo's
config (infra/gunicorn/gunicorn.conf.py) and daphne on one database behind the same TLS
site, the notifications socket authenticating through it with a token obtained through
it, and each server seeing only its own share of the traffic.
"""

import http.client
import json
import time
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from .conftest import LiveApp, live_app, live_server
from .nginx_proxy import Proxy, running_proxy

CLOSE_UNAUTHORIZED = 4401
WEB_WORKERS = 2


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """gunicorn on a fresh database; two workers are enough to be more than one."""
    workdir = tmp_path_factory.mktemp("app")
    with live_app(
        workdir, tmp_path_factory, "gunicorn", WEB_CONCURRENCY=str(WEB_WORKERS)
    ) as served:
        yield served


@pytest.fixture(scope="module")
def ws(web: LiveApp) -> Iterator[LiveApp]:
    """daphne on the same database and settings as gunicorn."""
    with live_server(web.workdir, web.env, "daphne") as served:
        yield served


@pytest.fixture(scope="module")
def proxy(
    web: LiveApp, ws: LiveApp, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxy]:
    tmp = tmp_path_factory.mktemp("nginx-app")
    with running_proxy(tmp, web.port, ws.port) as proxy:
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
    # As a browser connects: with the site's own Origin, which the app checks.
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


def test_gunicorn_runs_the_repo_config(web: LiveApp, proxy: Proxy):
    log = web.output()
    assert "Using worker: gthread" in log
    assert log.count("Booting worker") >= WEB_WORKERS
    # The access log names the client as nginx forwarded it, not nginx's address.
    proxy.request(
        "GET",
        "/api/v1/categories/?probe=access-log",
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    deadline = time.monotonic() + 5
    while "probe=access-log" not in web.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    (line,) = [x for x in web.output().splitlines() if "probe=access-log" in x]
    assert line.startswith("203.0.113.9, 127.0.0.1 ")
    assert '"GET /api/v1/categories/?probe=access-log HTTP/1.' in line
    assert " 200 " in line


def test_each_server_sees_only_its_own_traffic(
    web: LiveApp, ws: LiveApp, proxy: Proxy, access_token: str
):
    call(proxy, "GET", "/api/v1/categories/?probe=routing")
    with open_socket(proxy, f"?token={access_token}&probe=routing") as socket:
        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}
    deadline = time.monotonic() + 5
    while "probe=routing" not in web.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    web_log, ws_log = web.output(), ws.output()
    assert "/api/v1/categories/?probe=routing" in web_log
    assert "/ws/" not in web_log
    # daphne logs HTTP requests too (live_server's own /healthz poll, sent to it
    # directly), but no API request reached it through nginx.
    assert "/ws/notifications/" in ws_log
    assert "/healthz" in ws_log
    assert "/api/v1/" not in ws_log
