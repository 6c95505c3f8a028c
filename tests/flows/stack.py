"""Real processes for flow tests: daphne and a Celery worker in their own sessions."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from tests.realtime.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLOSED_PORT_URL = {
    "broker": "amqp://guest:guest@127.0.0.1:{port}//",
    "redis": "redis://127.0.0.1:{port}/0",
}


def closed_port() -> int:
    # Bound, then released: nothing listens there for the life of the test.
    return free_port()


class Process:
    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log = log_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        self.handle = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.output():
                return
            if self.popen.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"{self.name} never printed {needle!r}:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker's pool children die with it."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()


class Stack:
    """Environment shared by the processes of one flow test, and the processes."""

    def __init__(self, database_name: str, smtp_port: int, log_dir: Path):
        run = uuid.uuid4().hex[:10]
        self.queue = f"flow-{run}"
        self.log_dir = log_dir
        self.processes: list[Process] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nexus.settings.test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database_name}",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_QUEUE": self.queue,
            "CHANNEL_LAYER_PREFIX": f"flow-{run}",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "THROTTLE_RATES": "off",
            "PYTHONUNBUFFERED": "1",
        }

    def start_daphne(self, **overrides: str) -> str:
        port = free_port()
        process = Process(
            "daphne",
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port)]
            + ["nexus.asgi:application"],
            {**self.env, **overrides},
            self.log_dir,
        )
        self.processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    return base
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError(f"daphne did not start:\n{process.output()}")

    def start_worker(self, **overrides: str) -> Process:
        process = Process(
            "worker",
            [str(BIN / "celery"), "-A", "nexus", "worker", "-Q", self.queue]
            + ["--concurrency", "1", "--loglevel", "INFO", "--without-gossip"]
            + [
                "--without-mingle",
                "--hostname",
                f"{self.queue}-{uuid.uuid4().hex[:4]}@%h",
            ],
            {**self.env, **overrides},
            self.log_dir,
        )
        self.processes.append(process)
        process.wait_for_output("ready.")
        return process

    def send_task(self, name: str, **kwargs) -> None:
        """Publish to this stack's queue on the working broker, as beat would."""
        from celery import Celery

        # Not set as current: the suite's own app (eager, test config) must stay it.
        with Celery(broker=self.env["CELERY_BROKER_URL"], set_as_current=False) as app:
            app.send_task(name, kwargs=kwargs, queue=self.queue)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
