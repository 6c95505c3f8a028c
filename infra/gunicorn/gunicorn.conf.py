"""gunicorn settings for the web process: every HTTP request; daphne serves /ws/ only.

Used by the image's default command (infra/docker/Dockerfile), compose's `web` service
and the `nexus-web` Deployment:
    gunicorn --config infra/gunicorn/gunicorn.conf.py nexus.wsgi:application
Environment: WEB_CONCURRENCY (worker processes), GUNICORN_THREADS (threads per worker),
GUNICORN_MAX_REQUESTS (0 turns the recycling off), GUNICORN_BIND.
"""

import math
import os
from pathlib import Path

# Beyond this many workers a pod gains little but memory (about 125 MB each) and idle
# database connections (each worker's pool keeps one open); scale out with pods.
MAX_DEFAULT_WORKERS = 8
CGROUP = Path("/sys/fs/cgroup")


def cpu_limit(cgroup: Path = CGROUP) -> float | None:
    """The container's CPU limit in CPUs (cgroup v2, else v1); None when it has none.

    A container sees every core of its node; its limit (Kubernetes' limits.cpu, `docker
    run --cpus`) is a quota per period: cpu.max holds "<quota> <period>" or "max ...".
    """
    try:
        quota, period = (cgroup / "cpu.max").read_text().split()
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota <= 0 else quota / period


def usable_cpus(cgroup: Path = CGROUP) -> int:
    """CPUs this process may use: its affinity mask, lowered by the CPU limit."""
    cpus = len(os.sched_getaffinity(0))
    limit = cpu_limit(cgroup)
    if limit is not None:
        cpus = min(cpus, max(1, math.ceil(limit)))
    return cpus


def default_workers(cgroup: Path = CGROUP) -> int:
    return min(2 * usable_cpus(cgroup) + 1, MAX_DEFAULT_WORKERS)


wsgi_app = "nexus.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]

# Processes for the CPUs, and two threads in each: a thread waiting on PostgreSQL,
# Redis or RabbitMQ lets the other run, and, unlike sync workers, threaded workers keep
# the proxy's connections open between requests instead of one connect per request.
# Behind nginx this served the /healthz floor and a database-backed list faster than
# sync workers did (docs/deployment.md, "Sizing the web server").
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
threads = int(os.environ.get("GUNICORN_THREADS", "2"))

# Longer than the proxies keep an idle upstream connection open (60 s in nginx and in
# ingress-nginx), so the proxy always closes it first: no request is ever sent on a
# connection gunicorn is just closing, which would fail.
keepalive = 75

# A worker whose main loop is stuck this long is killed and replaced. A merely slow
# request is not: the proxies in front (infra/nginx, the Ingress) give up on it at 60 s.
timeout = 60
# On SIGTERM, requests in flight get this long to finish. It fits in the pod's
# terminationGracePeriodSeconds (60) after the preStop sleep (10).
graceful_timeout = 30

# Recycle each worker after a few thousand requests, at staggered moments, so a slow
# leak never grows without bound and the workers never restart all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10

# The app is imported once in the master and forked: workers start in milliseconds,
# also when max_requests replaces one. Safe because importing nexus.wsgi opens no
# database connection (tests/infra/test_gunicorn.py checks); pre_fork below makes sure.
preload_app = True

# Workers show they are alive by touching a file: on tmpfs that never waits for a disk,
# as a disk-backed /tmp (an emptyDir on Kubernetes) might.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - only the heartbeat file, made by mkstemp
if os.access(SHARED_MEMORY, os.W_OK):
    worker_tmp_dir = SHARED_MEMORY

# No runtime control socket: it would go under $HOME, which is read-only in the image.
control_socket_disable = True

# One access line per request on stdout, the errors on stderr. nginx (or the Ingress)
# is the peer, so the client is the X-Forwarded-For it sent.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
    "%(M)sms"
)


def pre_fork(server, worker):
    """Close any database connection or pool the master holds before a worker forks.

    A forked worker would share the master's sockets (two processes on one PostgreSQL
    session) and a psycopg pool whose maintenance threads did not survive the fork.
    """
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        if connection.alias in getattr(connection, "_connection_pools", {}):
            connection.close_pool()
