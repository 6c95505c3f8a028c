"""The in-process beat: the embedded default's periodic tasks, without a broker."""

import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from nexus import beat
from nexus.celery import app
from tests.factories.catalog import create_product, make_due, schedule_revision

REPO = Path(__file__).resolve().parents[2]
RUNS: list[str] = []


@app.task(name="tests.beat.record")
def record(label: str) -> str:
    RUNS.append(label)
    return label


@app.task(name="tests.beat.explode")
def explode() -> None:
    raise RuntimeError("boom")


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def runs():
    RUNS.clear()
    yield RUNS
    RUNS.clear()


def test_every_entry_runs_inline_on_its_own_interval(runs):
    schedule = {
        "fast": {"task": "tests.beat.record", "schedule": 0.2, "args": ["fast"]},
        "slow": {
            "task": "tests.beat.record",
            "schedule": timedelta(seconds=0.7),
            "kwargs": {"label": "slow"},
        },
    }
    running = beat.InProcessBeat(schedule, app=app).start()
    try:
        assert wait_for(lambda: runs.count("slow") >= 2)
    finally:
        running.stop()
    assert not running.alive
    # Not at start, as Celery beat: the first run is one interval on.
    assert runs.count("fast") >= 3 * runs.count("slow") - 1
    stopped_at = len(runs)
    time.sleep(0.5)
    assert len(runs) == stopped_at


def test_a_failing_entry_is_logged_and_the_others_keep_running(runs, caplog):
    schedule = {
        "broken": {"task": "tests.beat.explode", "schedule": 0.1},
        "unknown": {"task": "tests.beat.no_such_task", "schedule": 0.1},
        "fine": {"task": "tests.beat.record", "schedule": 0.1, "args": ["fine"]},
    }
    running = beat.InProcessBeat(schedule, app=app).start()
    try:
        assert wait_for(lambda: runs.count("fine") >= 3)
    finally:
        running.stop()
    broken, unknown, _ = running.entries
    assert broken.runs >= 2 and unknown.runs >= 2
    messages = [r.getMessage() for r in caplog.records if r.name == "nexus.beat"]
    assert any("broken" in m and "boom" in m for m in messages)
    assert any("unknown" in m for m in messages)


def test_tests_do_not_start_it_unless_a_test_does():
    assert settings.IN_PROCESS_BEAT is False
    assert beat.start_in_process_beat() is None
    names = [thread.name for thread in threading.enumerate()]
    assert "in-process-beat" not in names


def test_the_serving_process_of_the_embedded_default_starts_one(tmp_path):
    snippet = (
        "import threading\n"
        "import nexus.asgi, nexus.wsgi\n"
        "from nexus import beat\n"
        "again = beat.start_in_process_beat()\n"
        "threads = [t for t in threading.enumerate() if t.name == 'in-process-beat']\n"
        "print('threads', len(threads), again is beat._started, bool(again))\n"
        "print('entries', sorted(e.task for e in again.entries))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "nexus.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY_FILE": str(tmp_path / "key"),
    }
    result = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "threads 1 True True" in result.stdout  # one, however often started
    expected = sorted(e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values())
    assert f"entries {expected}" in result.stdout
    off = subprocess.run(
        [sys.executable, "-c", snippet.split("print('entries'")[0]],
        cwd=REPO,
        env={**env, "IN_PROCESS_BEAT": "false"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert off.returncode == 0, off.stderr
    assert "threads 0" in off.stdout


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_beat_schedule_publishes_a_due_change_and_the_api_shows_it(client):
    """The real schedule, every entry, on a short interval: no broker, no worker."""
    product = create_product(price="10.00")
    revision = schedule_revision(
        product, go_live_at=timezone.now() + timedelta(hours=1), price="14.00"
    )
    url = f"/api/v1/products/{product.pk}/"
    assert client.get(url).json()["price"] == "10.00"
    make_due(revision)
    schedule = {
        name: {**entry, "schedule": 0.3}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }
    app.loader.import_default_modules()
    running = beat.InProcessBeat(schedule, app=app).start()
    try:
        assert wait_for(lambda: client.get(url).json()["price"] == "14.00")
        # Every other entry (payments, wishlist, the email relay...) runs too.
        assert wait_for(lambda: all(entry.runs >= 1 for entry in running.entries))
    finally:
        running.stop()
