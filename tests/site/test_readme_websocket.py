"""The README's websocket client runs as written against the embedded default."""

import os
import re
import selectors
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.site.embedded import embedded_env, manage, serve_daphne

REPO = Path(__file__).resolve().parents[2]
MARKER = "<!-- websocket-example -->"


def readme_example() -> str:
    text = (REPO / "README.md").read_text()
    after = text.split(MARKER, 1)[1]
    match = re.match(r"\s*```python\n(.*?)```", after, re.DOTALL)
    assert match, "the README's websocket example is missing"
    return match.group(1)


@pytest.fixture
def demo_server(tmp_path):
    """What `make run` serves: the embedded default with its demo admin and catalog."""
    env = embedded_env(
        tmp_path, SECRET_KEY_FILE=str(tmp_path / "key"), IN_PROCESS_BEAT="false"
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env,
        "ensure_demo_admin",
        "--email",
        "admin@example.com",
        "--password",
        "admin-demo-password",
    )
    manage(env, "seed_demo", "--products", "3", "--if-empty")
    with serve_daphne(env, tmp_path) as base:
        yield base


def read_line(process: subprocess.Popen, timeout: float) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline()


def test_the_readme_websocket_example_hears_an_order(demo_server, tmp_path):
    script = tmp_path / "listen.py"
    script.write_text(readme_example())
    listener = subprocess.Popen(
        [sys.executable, str(script)],
        env={**os.environ, "NEXUS_URL": demo_server},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert read_line(listener, 30).strip() == "{'type': 'pong'}", (
            listener.stderr.read() if listener.poll() is not None else ""
        )
        # The demo admin places an order over the API; the script hears it.
        access = requests.post(
            f"{demo_server}/api/v1/auth/token/",
            json={"email": "admin@example.com", "password": "admin-demo-password"},
            timeout=10,
        ).json()["access"]
        auth = {"Authorization": f"Bearer {access}"}
        products = requests.get(f"{demo_server}/api/v1/products/", timeout=10).json()
        product = next(p for p in products["results"] if p["stock"] > 0)
        requests.post(
            f"{demo_server}/api/v1/cart/items/",
            json={"product_id": product["id"], "quantity": 1},
            headers=auth,
            timeout=10,
        ).raise_for_status()
        order = requests.post(
            f"{demo_server}/api/v1/orders/", json={}, headers=auth, timeout=10
        )
        assert order.status_code == 201, order.text
        heard = {read_line(listener, 15).strip() for _ in range(2)}
        number = order.json()["number"]
        assert any(
            line.startswith("order_placed ") and number in line for line in heard
        ), heard
    finally:
        listener.kill()
        listener.wait(timeout=10)
