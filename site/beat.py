"""Celery beat inside the serving process, for the embedded default (no broker).

On the real services `celery -A nexus beat` puts every CELERY_BEAT_SCHEDULE entry on
the queue. The embedded default has no broker and no beat, so the periodic tasks
(scheduled publishing, the email relay, clean-ups) would never run. There, the ASGI
entry point (daphne, as `make run` serves) starts `InProcessBeat`: one daemon thread
per process that runs each entry inline on its own schedule, with the same schedule
objects Celery beat uses, so an entry added to the settings runs here too with
nothing else to wire.

`IN_PROCESS_BEAT` turns it on (by default: wherever tasks run inline); test
settings keep it off unless a test starts one.
"""

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from celery import Celery
from celery.schedules import BaseSchedule, maybe_schedule
from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

# The longest the thread sleeps between looks at the schedule, so a stop is prompt.
MAX_SLEEP_SECONDS = 5.0


@dataclass
class BeatEntry:
    name: str
    task: str
    schedule: BaseSchedule
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    last_run_at: datetime | None = None
    runs: int = 0


class InProcessBeat:
    """Runs every entry of a beat schedule inline, each when its schedule says."""

    def __init__(
        self,
        schedule: dict,
        *,
        app: Celery,
        on_run: Callable[[BeatEntry], None] | None = None,
    ):
        self.app = app
        self.on_run = on_run
        self.entries = [
            BeatEntry(
                name=name,
                task=spec["task"],
                schedule=maybe_schedule(spec["schedule"], app=app),
                args=tuple(spec.get("args", ())),
                kwargs=dict(spec.get("kwargs", {})),
            )
            for name, spec in schedule.items()
        ]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "InProcessBeat":
        now = self.app.now()
        for entry in self.entries:
            entry.last_run_at = now  # as Celery beat: the first run is one interval on
        self._thread = threading.Thread(
            target=self._loop, name="in-process-beat", daemon=True
        )
        self._thread.start()
        logger.info(
            "in-process beat started: %s", ", ".join(e.name for e in self.entries)
        )
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(self.tick())

    def tick(self) -> float:
        """Run what is due; answer how long to sleep before the next look."""
        sleep = MAX_SLEEP_SECONDS
        for entry in self.entries:
            if self._stop.is_set():
                break
            due, next_check = entry.schedule.is_due(entry.last_run_at)
            if due:
                entry.last_run_at = self.app.now()
                self.run(entry)
                due, next_check = entry.schedule.is_due(entry.last_run_at)
            sleep = min(sleep, max(float(next_check), 0.05))
        return sleep

    def run(self, entry: BeatEntry) -> None:
        """One inline run; a failure is logged and the entry runs again next time."""
        close_old_connections()
        try:
            task = self.app.tasks[entry.task]
            # apply() runs here, in this thread, without a producer or a broker;
            # throw=False: a failure comes back in the result, settings aside.
            result = task.apply(args=entry.args, kwargs=entry.kwargs, throw=False)
            if result.failed():
                logger.error(
                    "in-process beat: %s (%s) failed: %r\n%s",
                    entry.name,
                    entry.task,
                    result.result,
                    result.traceback,
                )
        except Exception:  # an unknown task name, or the app itself failing
            logger.exception("in-process beat: %s (%s) failed", entry.name, entry.task)
        finally:
            entry.runs += 1
            # The thread's connection goes back (to the pool, or closed for SQLite)
            # rather than idling between runs.
            connections.close_all()
        if self.on_run is not None:
            self.on_run(entry)


_started: InProcessBeat | None = None
_started_pid: int | None = None
_start_lock = threading.Lock()


def start_in_process_beat(*, force: bool = False) -> InProcessBeat | None:
    """Start this process's beat once (when the settings ask for it, or `force`).

    Keyed by process id: a forked process starts a beat of its own, as its parent's
    thread did not survive the fork.
    """
    global _started, _started_pid
    if not (force or settings.IN_PROCESS_BEAT):
        return None
    with _start_lock:
        if _started is not None and _started_pid == os.getpid() and _started.alive:
            return _started
        from nexus.celery import app

        # Registers every app's tasks module, as a worker does at start.
        app.loader.import_default_modules()
        _started = InProcessBeat(settings.CELERY_BEAT_SCHEDULE, app=app).start()
        _started_pid = os.getpid()
        return _started


def stop_in_process_beat() -> None:
    global _started, _started_pid
    with _start_lock:
        if _started is not None:
            _started.stop()
        _started, _started_pid = None, None
