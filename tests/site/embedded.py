"""daphne serving the embedded default from this checkout, for tests of what a new
user runs (`make run`): the environment, the commands before it, the server."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.realtime.smtp import free_port

REPO = Path(__file__).resolve().parents[2]


def embedded_env(workdir: Path, **extra: str) -> dict[str, str]:
    """No service variables: only the SQLite file (and what `extra` sets) moved off
    the repository."""
    env = {
        key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ
    }
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "nexus.settings.dev"
    env.update(extra)
    return env


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=REPO,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )


@contextmanager
def serve_daphne(env: dict[str, str], workdir: Path) -> Iterator[str]:
    """`daphne nexus.asgi:application` on a free port; yields its base URL once it
    answers /healthz, fails the test with its log if it never does."""
    port = free_port()
    log_path = workdir / "daphne.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
            + ["nexus.asgi:application"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(
                        "daphne did not answer /healthz: " + log_path.read_text()
                    )
                time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)
