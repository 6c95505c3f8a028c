"""What the benchmarks share: their environment, a scratch database, the servers."""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def bench_env(*, db_name: str, queue: str, channel_prefix: str) -> dict[str, str]:
    """Settings for a benchmark's processes: dev settings without DEBUG, its own
    database, Celery queue and channel-layer prefix, local services, no throttling."""
    return {
        "DJANGO_SETTINGS_MODULE": "nexus.settings.dev",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-long-enough-for-hmac-0123456789abcdef",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{db_name}",
        "REDIS_URL": f"redis://{HOST}:6379/0",
        "CELERY_BROKER_URL": f"amqp://guest:guest@{HOST}:5672//",
        "CELERY_QUEUE": queue,
        "CHANNEL_LAYER_PREFIX": channel_prefix,
        "EMAIL_URL": "consolemail://",
        "THROTTLE_RATES": "off",
        # One address opens every socket of the websocket benchmark.
        "WEBSOCKETS_PER_ADDRESS": "0",
    }


def use_env(env: dict[str, str]) -> None:
    """Make this process a client of the bench: the same settings as its servers, and
    the repository importable (the bench's data code uses tests' factories)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))


def create_and_migrate(*, db_name: str, env: dict[str, str]) -> None:
    """Create `db_name` if it is missing, bring it to the latest migration and
    refresh the planner's statistics (a migration that rewrote a table leaves
    them stale, and a kept bench database would then be measured on bad plans)."""
    subprocess.run(
        ["createdb", "-h", HOST, "-U", "postgres", db_name],
        capture_output=True,
        check=False,  # "already exists" is fine
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    subprocess.run(
        ["vacuumdb", "-h", HOST, "-U", "postgres", "--analyze", "--quiet", db_name],
        check=True,
    )


def start_servers(
    ports: list[int], *, env: dict[str, str], log_dir: Path | None = None
) -> list[subprocess.Popen]:
    """One `daphne nexus.asgi:application` per port on HOST (the websocket server),
    returned once each answers GET /healthz. With `log_dir`, each writes
    daphne-<port>.log there (the tracebacks of any 500); without, output is dropped."""
    daphne = str(Path(sys.executable).parent / "daphne")
    return _start(
        [
            (f"daphne-{port}", port, [daphne, "-b", HOST, "-p", str(port)])
            for port in ports
        ],
        target="nexus.asgi:application",
        env=env,
        log_dir=log_dir,
    )


def start_web(
    port: int, *, env: dict[str, str], workers: int, log_dir: Path | None = None
) -> list[subprocess.Popen]:
    """The HTTP server as production runs it: gunicorn with the repository's config
    (infra/gunicorn/gunicorn.conf.py) and `workers` worker processes on one port."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [
        gunicorn,
        "--config",
        str(ROOT / "infra" / "gunicorn" / "gunicorn.conf.py"),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "/dev/null",
    ]
    return _start(
        [(f"gunicorn-{port}", port, command)],
        target="nexus.wsgi:application",
        env=env,
        log_dir=log_dir,
    )


def _start(
    servers: list[tuple[str, int, list[str]]],
    *,
    target: str,
    env: dict[str, str],
    log_dir: Path | None,
) -> list[subprocess.Popen]:
    if log_dir is not None:
        log_dir.mkdir(exist_ok=True)
    started = []
    for name, _, command in servers:
        output = (
            subprocess.DEVNULL
            if log_dir is None
            else open(log_dir / f"{name}.log", "wb")  # noqa: SIM115
        )
        started.append(
            subprocess.Popen(
                [*command, target],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        for _, port, _ in servers:
            _wait_for_health(port, timeout=60)
    except BaseException:
        stop_servers(started)
        raise
    return started


def _wait_for_health(port: int, *, timeout: float) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            if requests.get(f"http://{HOST}:{port}/healthz", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if time.time() > deadline:
            raise SystemExit(f"the server on port {port} did not start")
        time.sleep(0.3)


def stop_servers(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
