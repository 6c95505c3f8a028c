"""gunicorn's config: worker count from the container's CPUs, and safe to preload.

The config file is loaded as gunicorn loads it (a plain module run from its path). The
preload checks run in subprocesses, so no connection of the test process is touched.
tests/infra/test_nginx_app.py runs gunicorn with this config behind nginx.
"""

import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings

from .conftest import GUNICORN_CONFIG, REPO_ROOT

# Nothing listens on port 1: a connection attempt fails at once, and loudly.
UNREACHABLE_DATABASE = "postgres://nobody@127.0.0.1:1/nothing"


def load_config(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    for name in (
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_MAX_REQUESTS",
        "GUNICORN_BIND",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", GUNICORN_CONFIG)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_cgroup(tmp_path: Path, *, v2: str | None = None, v1=None) -> Path:
    if v2 is not None:
        (tmp_path / "cpu.max").write_text(v2 + "\n")
    if v1 is not None:
        (tmp_path / "cpu").mkdir()
        (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
        (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
    return tmp_path


@pytest.mark.parametrize(
    ("v2", "v1", "limit"),
    [
        ("200000 100000", None, 2.0),
        ("150000 100000", None, 1.5),
        ("max 100000", None, None),
        (None, (50000, 100000), 0.5),
        (None, (-1, 100000), None),
        (None, None, None),
    ],
)
def test_cpu_limit_reads_the_container_quota(monkeypatch, tmp_path, v2, v1, limit):
    config = load_config(monkeypatch)
    assert config.cpu_limit(fake_cgroup(tmp_path, v2=v2, v1=v1)) == limit


def test_workers_follow_the_cpu_limit_rounded_up(monkeypatch, tmp_path):
    config = load_config(monkeypatch)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)))
    assert config.default_workers(fake_cgroup(tmp_path, v2="150000 100000")) == 5
    assert config.default_workers(fake_cgroup(tmp_path, v2="10000 100000")) == 3


def test_workers_are_capped_without_a_limit(monkeypatch, tmp_path):
    config = load_config(monkeypatch)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)))
    assert config.default_workers(tmp_path) == config.MAX_DEFAULT_WORKERS
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert config.default_workers(tmp_path) == 5


def test_environment_overrides_the_worker_and_thread_counts(monkeypatch):
    assert load_config(monkeypatch, WEB_CONCURRENCY="7").workers == 7
    default = load_config(monkeypatch)
    assert default.workers == default.default_workers()
    assert load_config(monkeypatch, GUNICORN_THREADS="4").threads == 4
    assert load_config(monkeypatch, GUNICORN_MAX_REQUESTS="0").max_requests == 0


def test_settings_fit_the_proxies_and_the_pod(monkeypatch):
    config = load_config(monkeypatch)
    assert config.wsgi_app == "nexus.wsgi:application"
    assert config.bind == ["0.0.0.0:8000"]
    assert config.worker_class == "gthread"
    assert config.threads == 2
    # nginx and the Ingress wait 60 s for an answer; a pod gets 60 s to stop, of which
    # preStop sleeps 10.
    assert config.timeout == 60
    assert config.graceful_timeout <= 60 - 10
    assert config.max_requests > 0 and config.max_requests_jitter > 0
    assert config.accesslog == "-"
    assert config.preload_app is True
    assert config.control_socket_disable is True


def test_gunicorn_accepts_the_config():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)]
        + ["--check-config", "nexus.wsgi:application"],
        cwd=REPO_ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "nexus.settings.dev"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def run_python(code: str, database_url: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexus.settings.dev",
        "DATABASE_URL": database_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def test_importing_the_wsgi_app_opens_no_database_connection():
    """What preload_app relies on: the master imports the app and then forks."""
    out = run_python(
        """
        import nexus.wsgi
        from django.db import connections

        connection = connections["default"]
        print(connection.connection is None, type(connection)._connection_pools)
        """,
        UNREACHABLE_DATABASE,
    )
    assert out == "True {}"


def test_pre_fork_closes_what_the_master_opened():
    db = settings.DATABASES["default"]
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}"
        "/postgres"
    )
    out = run_python(
        f"""
        import importlib.util

        import nexus.wsgi
        from django.db import connections

        connection = connections["default"]
        connection.ensure_connection()
        pools = type(connection)._connection_pools
        print(connection.connection is not None, "default" in pools)
        spec = importlib.util.spec_from_file_location("conf", {str(GUNICORN_CONFIG)!r})
        config = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(config)
        config.pre_fork(server=None, worker=None)
        print(connection.connection is not None, "default" in pools)
        """,
        url,
    )
    assert out.splitlines() == ["True True", "False False"]


def test_gunicorn_outwaits_nginx_on_idle_connections(monkeypatch):
    """nginx must close an idle upstream connection first, or it may send a request
    down one that gunicorn is closing."""
    template = (REPO_ROOT / "infra/nginx/templates/default.conf.template").read_text()
    upstream = re.search(r"upstream nexus_web \{(.*?)\n\}", template, re.S).group(1)
    nginx_idle = int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))
    # ingress-nginx's upstream-keepalive-timeout defaults to 60 s as well.
    assert load_config(monkeypatch).keepalive > max(nginx_idle, 60)
