"""What the benchmarks share: their environment, a migrated scratch database, daphne."""

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
    }


def use_env(env: dict[str, str]) -> None:
    """Make this process a client of the bench: the same settings as its servers, and
    the repository importable (the bench's data code uses tests' factories)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))


def create_and_migrate(*, db_name: str, env: dict[str, str]) -> None:
    """Create `db_name` if it is missing and bring it to the latest migration."""
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


def start_servers(
    ports: list[int], *, env: dict[str, str], log_dir: Path | None = None
) -> list[subprocess.Popen]:
    """One `daphne nexus.asgi:application` per port on HOST, returned once each
    answers GET /healthz. With `log_dir`, each writes daphne-<port>.log there (the
    tracebacks of any 500); without, its output is dropped."""
    daphne = str(Path(sys.executable).parent / "daphne")
    if log_dir is not None:
        log_dir.mkdir(exist_ok=True)
    servers = []
    for port in ports:
        if log_dir is None:
            output = subprocess.DEVNULL
        else:
            output = open(log_dir / f"daphne-{port}.log", "wb")  # noqa: SIM115
        servers.append(
            subprocess.Popen(
                [daphne, "-b", HOST, "-p", str(port), "nexus.asgi:application"],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        for port in ports:
            _wait_for_health(port, timeout=60)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def _wait_for_health(port: int, *, timeout: float) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            if requests.get(f"http://{HOST}:{port}/healthz", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if time.time() > deadline:
            raise SystemExit(f"daphne on port {port} did not start")
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
