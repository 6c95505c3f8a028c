"""The app's processes for a drill: gunicorn, daphne, Celery worker and beat.

Also the SMTP sink that notes when each mail arrives. Each drill has its own
database, Celery queue and channel-layer prefix.
"""

import asyncio
import email
import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from aiosmtpd.controller import Controller

from bench.support import HOST, ROOT, bench_env, use_env
from tests.flows.stack import Process
from tests.realtime.smtp import SinkHandler, SmtpSink, free_port

BIN = Path(sys.executable).parent
LOGS = ROOT / "bench" / ".logs" / "drills"
SHARED_POSTGRES = f"postgres://postgres@{HOST}:5432"
SHARED_REDIS = f"redis://{HOST}:6379/0"
SHARED_BROKER = f"amqp://guest:guest@{HOST}:5672//"


class TimedHandler(SinkHandler):
    """Keeps (arrival time, Message-ID, recipient) of every accepted mail."""

    def __init__(self, delay: float = 0.0):
        super().__init__(delay=delay)
        self.arrivals: list[tuple[float, str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.arrivals.append(
                (time.monotonic(), message["Message-ID"] or "", message["To"] or "")
            )
        return "250 Message accepted for delivery"


class MailSink(SmtpSink):
    def __init__(self, delay: float = 0.0):
        super().__init__()
        self.handler = TimedHandler(delay=delay)
        self.controller = Controller(self.handler, hostname=HOST, port=self.port)

    @property
    def arrivals(self) -> list[tuple[float, str, str]]:
        with self.handler.lock:
            return list(self.handler.arrivals)


def notification_id(message_id: str) -> int | None:
    """The notification a mail is for, from its `<notification-<id>@domain>`."""
    if message_id.startswith("<notification-"):
        return int(message_id.split("-", 1)[1].split("@", 1)[0])
    return None


def wait_http(url: str, timeout: float = 60) -> float:
    started = time.monotonic()
    while True:
        try:
            if requests.get(url, timeout=2).ok:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"{url} did not answer in {timeout}s")
        time.sleep(0.2)


class Stack:
    """Environment and processes of one drill; `close()` stops what it started."""

    def __init__(
        self,
        name: str,
        *,
        database_url: str,
        redis_url: str = SHARED_REDIS,
        broker_url: str = SHARED_BROKER,
        smtp_delay: float = 0.0,
        extra_env: dict[str, str] | None = None,
    ):
        run = uuid.uuid4().hex[:8]
        self.name = name
        self.queue = f"drills-{name}-{run}"
        self.log_dir = LOGS / f"{time.strftime('%Y%m%dT%H%M%S')}-{name}"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url
        self.sink = MailSink(delay=smtp_delay)
        self.sink.__enter__()
        self.processes: list[Process] = []
        self.env = {
            **bench_env(db_name="unused", queue=self.queue, channel_prefix=self.queue),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"smtp://{HOST}:{self.sink.port}",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }

    def migrate(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**os.environ, **self.env},
            check=True,
        )

    def setup_django(self) -> None:
        """Make this process a client of the drill's database, quietly: its own log
        lines (each page the catalog factory creates, each SMTP command the sink
        reads) would bury the drill's figures."""
        use_env(self.env)
        import django

        django.setup()
        logging.getLogger().setLevel(logging.WARNING)

    def _spawn(self, name: str, args: list[str]) -> Process:
        process = Process(name, args, {**os.environ, **self.env}, self.log_dir)
        self.processes.append(process)
        return process

    def start_web(self, *, workers: int = 2) -> str:
        """gunicorn with the repository's config, as production serves HTTP."""
        port = free_port()
        process = self._spawn(
            "gunicorn",
            [str(BIN / "gunicorn"), "--config", "infra/gunicorn/gunicorn.conf.py"]
            + ["--bind", f"{HOST}:{port}", "--workers", str(workers)]
            + ["--access-logfile", "/dev/null", "nexus.wsgi:application"],
        )
        base = f"http://{HOST}:{port}"
        try:
            wait_http(f"{base}/healthz")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}:\n{process.output()[-3000:]}") from exc
        return base

    def start_daphne(self) -> str:
        """daphne for /ws/, as production serves websockets."""
        port = free_port()
        process = self._spawn(
            "daphne",
            [
                str(BIN / "daphne"),
                "-b",
                HOST,
                "-p",
                str(port),
                "nexus.asgi:application",
            ],
        )
        base = f"http://{HOST}:{port}"
        try:
            wait_http(f"{base}/healthz")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}:\n{process.output()[-3000:]}") from exc
        return base

    def start_worker(self, *, concurrency: int = 2) -> Process:
        """`celery -A nexus worker` on this drill's queue, prefork as in compose."""
        process = self._spawn(
            "worker",
            [str(BIN / "celery"), "-A", "nexus", "worker", "-Q", self.queue]
            + ["--concurrency", str(concurrency), "--loglevel", "INFO"]
            + ["--without-gossip", "--without-mingle"]
            + ["--hostname", f"{self.queue}-{uuid.uuid4().hex[:4]}@%h"],
        )
        process.wait_for_output("ready.", timeout=60)
        return process

    def start_beat(self) -> Process:
        """`celery -A nexus beat`: the relay every 30 s, as production schedules it."""
        return self._spawn(
            "beat",
            [str(BIN / "celery"), "-A", "nexus", "beat", "--loglevel", "INFO"]
            + ["--schedule", str(self.log_dir / "celerybeat-schedule")],
        )

    def restarted(self) -> list[str]:
        """Processes that died on their own (none should: recovery needs no restart)."""
        return [p.name for p in self.processes if p.popen.poll() is not None]

    def log_count(self, name: str, needle: str) -> int:
        return sum(p.output().count(needle) for p in self.processes if p.name == name)

    def close(self) -> None:
        for process in reversed(self.processes):
            try:
                process.stop()
            except Exception as exc:  # noqa: BLE001 - stop the others regardless
                print(f"(stopping {process.name}: {exc!r})")
        self.sink.__exit__(None, None, None)
        self._delete_queue()

    def _delete_queue(self) -> None:
        from kombu import Connection

        try:
            with Connection(self.env["CELERY_BROKER_URL"], connect_timeout=3) as conn:
                conn.default_channel.queue_delete(self.queue)
        except Exception as exc:  # noqa: BLE001 - a private broker may be gone
            print(f"(queue {self.queue} not deleted: {exc!r})")


def recreate_database(name: str, *, host: str = HOST, port: int = 5432) -> str:
    """Drop and create `name` on a PostgreSQL server; returns its URL."""
    common = ["-h", host, "-p", str(port), "-U", "postgres"]
    subprocess.run(
        ["dropdb", *common, "--if-exists", "--force", name],
        check=True,
        capture_output=True,
    )
    subprocess.run(["createdb", *common, name], check=True, capture_output=True)
    return f"postgres://postgres@{host}:{port}/{name}"
