"""Smoke test: with no service variables the app migrates, starts and answers."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory):
    """daphne on the embedded default; only the SQLite file is moved off the repo."""
    workdir = tmp_path_factory.mktemp("embedded")
    env = {
        key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ
    }
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "nexus.settings.dev"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    log = open(workdir / "daphne.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "nexus.asgi:application",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail(
            "daphne did not answer /healthz: " + (workdir / "daphne.log").read_text()
        )
    yield base
    server.terminate()
    server.wait(timeout=10)
    log.close()


def test_embedded_default_serves_health_and_readiness(embedded_server):
    assert requests.get(f"{embedded_server}/healthz", timeout=5).json() == {
        "status": "ok"
    }
    ready = requests.get(f"{embedded_server}/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


def test_embedded_default_serves_the_auth_journey(embedded_server):
    credentials = {"email": "newcomer@example.com", "password": "a-long-passphrase-7"}
    registered = requests.post(
        f"{embedded_server}/api/v1/auth/register/", json=credentials, timeout=10
    )
    assert registered.status_code == 201, registered.text
    tokens = requests.post(
        f"{embedded_server}/api/v1/auth/token/", json=credentials, timeout=10
    ).json()
    me = requests.get(
        f"{embedded_server}/api/v1/auth/me/",
        headers={"Authorization": f"Bearer {tokens['access']}"},
        timeout=10,
    )
    assert me.json()["email"] == "newcomer@example.com"


def test_embedded_default_serves_docs_with_local_assets(embedded_server):
    page = requests.get(f"{embedded_server}/docs/", timeout=10)
    assert page.status_code == 200
    asset = requests.get(
        f"{embedded_server}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        timeout=10,
    )
    assert asset.status_code == 200
    assert (
        requests.get(f"{embedded_server}/admin/login/", timeout=10).status_code == 200
    )
