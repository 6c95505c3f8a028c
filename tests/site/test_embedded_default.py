"""Smoke test: with no service variables the app migrates, starts and answers."""

import pytest
import requests

from tests.site.embedded import embedded_env, manage, serve_daphne


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory):
    """daphne on the embedded default; only the SQLite file is moved off the repo."""
    workdir = tmp_path_factory.mktemp("embedded")
    env = embedded_env(workdir)
    manage(env, "migrate", "--noinput", "-v0")
    with serve_daphne(env, workdir) as base:
        yield base


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
