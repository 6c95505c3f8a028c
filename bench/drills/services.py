"""Private Redis, PostgreSQL and RabbitMQ instances that a drill may stop at will.

The machine's own services (5432, 6379, 5672) serve other people's tests: a drill
never touches them. Each class here starts a throwaway instance of its server on
another port, with its data in a temporary directory, and removes it on `close()`.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
RABBITMQ_SBIN = Path("/usr/lib/rabbitmq/lib/rabbitmq_server-3.10.8/sbin")


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) != 0


def wait_for_port(port: int, *, up: bool, timeout: float) -> float:
    """Seconds until `port` accepts (up) or refuses (not up) connections."""
    started = time.monotonic()
    while (not port_is_free(port)) != up:
        if time.monotonic() - started > timeout:
            state = "accept" if up else "refuse"
            raise RuntimeError(f"port {port} did not {state} connections in {timeout}s")
        time.sleep(0.1)
    return time.monotonic() - started


def _claim(port: int, what: str) -> None:
    if not port_is_free(port):
        raise SystemExit(
            f"port {port} for the drill's private {what} is taken: another drill "
            "running, or one left behind (find it with `ss -ltnp`)"
        )


class PrivateRedis:
    """`redis-server` as our child: no persistence, so a restart starts empty."""

    def __init__(self, port: int = 16390):
        _claim(port, "Redis")
        self.port = port
        self.url = f"redis://{HOST}:{port}/0"
        self.dir = Path(tempfile.mkdtemp(prefix="drills-redis-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        started = time.monotonic()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no", "--dir", str(self.dir)],
            stdout=(self.dir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, up=True, timeout=20)
        return time.monotonic() - started

    def stop(self) -> float:
        """SIGTERM, as a service manager stops it; returns seconds until it is gone."""
        started = time.monotonic()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        self.process = None
        return time.monotonic() - started

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivatePostgres:
    """A PostgreSQL 15 cluster of our own, run as the `postgres` OS user (we are
    root, and the server refuses to run as root); trust authentication on loopback.
    """

    def __init__(self, port: int = 15433):
        _claim(port, "PostgreSQL")
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="drills-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"

    def url(self, database: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def _pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            cwd=self.dir,
            capture_output=True,
            text=True,
            check=check,
        )

    def _ctl(self, action: str, *extra: str) -> float:
        started = time.monotonic()
        self._pg(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            *extra,
            action,
        )
        return time.monotonic() - started

    def start(self) -> float:
        if not self.data.exists():
            self._pg(
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-instructions",
            )
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={HOST}"
        return self._ctl("start", "-o", options)

    def restart(self) -> float:
        """`pg_ctl restart` (fast shutdown: open sessions are cut, their transactions
        rolled back); returns the seconds it took until the server accepts again."""
        return self._ctl("restart", "-m", "fast")

    def stop(self) -> float:
        if not (self.data / "postmaster.pid").exists():
            return 0.0
        return self._ctl("stop", "-m", "fast")

    def createdb(self, name: str) -> None:
        subprocess.run(
            ["createdb", "-h", HOST, "-p", str(self.port), "-U", "postgres", name],
            check=True,
        )

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRabbit:
    """A second RabbitMQ node (`drill@localhost`), without plugins, on its own AMQP,
    distribution and epmd ports, with its own Erlang cookie and config: the
    machine's /etc/rabbitmq names port 5672, so it is not read.
    """

    def __init__(
        self, port: int = 15673, dist_port: int = 25673, epmd_port: int = 14369
    ):
        for p, what in (
            (port, "RabbitMQ"),
            (dist_port, "RabbitMQ"),
            (epmd_port, "epmd"),
        ):
            _claim(p, what)
        self.port = port
        self.node = "drill@localhost"
        self.url = f"amqp://guest:guest@{HOST}:{port}//"
        self.dir = Path(tempfile.mkdtemp(prefix="drills-rabbitmq-"))
        home = self.dir / "home"
        home.mkdir()
        cookie = home / ".erlang.cookie"
        cookie.write_text(os.urandom(16).hex())
        cookie.chmod(0o400)  # Erlang refuses a cookie others can read
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = {HOST}:{port}\n"
        )
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq-env.conf").write_text("")
        self.epmd_port = epmd_port
        self.env = {
            **os.environ,
            "HOME": str(home),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(port),
            "RABBITMQ_DIST_PORT": str(dist_port),
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "RABBITMQ_PID_FILE": str(self.dir / "rabbitmq.pid"),
            "ERL_EPMD_PORT": str(epmd_port),
            "ERL_EPMD_ADDRESS": HOST,
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": (
                "-kernel inet_dist_use_interface {127,0,0,1}"
            ),
        }
        self.process: subprocess.Popen | None = None

    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(RABBITMQ_SBIN / "rabbitmqctl"), "-n", self.node, *args],
            env=self.env,
            cwd=self.dir,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def start(self) -> float:
        """Boot the node (its durable queues and persistent messages survive a stop)
        and return the seconds until it accepts AMQP connections."""
        started = time.monotonic()
        self.process = subprocess.Popen(
            [str(RABBITMQ_SBIN / "rabbitmq-server")],
            env=self.env,
            cwd=self.dir,
            stdout=(self.dir / "server.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            # The AMQP listener opens last in the boot; then the node says so too.
            wait_for_port(self.port, up=True, timeout=90)
            self.ctl("await_startup", "--timeout", "30")
        except BaseException:
            self.stop()
            raise
        return time.monotonic() - started

    def stop(self) -> float:
        """`rabbitmqctl stop`: a clean shutdown, as a service manager does it."""
        started = time.monotonic()
        if self.process is not None and self.process.poll() is None:
            self.ctl("stop", check=False)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        return time.monotonic() - started

    def close(self) -> None:
        try:
            self.stop()
        finally:
            # Our node started an epmd on our port; ask that one (only) to exit.
            subprocess.run(
                ["epmd", "-port", str(self.epmd_port), "-kill"],
                capture_output=True,
                check=False,
            )
            shutil.rmtree(self.dir, ignore_errors=True)
