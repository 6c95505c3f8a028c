"""`make run` serves where PORT= (and HOST=) say, 127.0.0.1:8000 by default."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def planned(*args: str) -> str:
    # -n: print the recipe without running it; -W: treat the venv as installed.
    result = subprocess.run(
        ["make", "-n", "-W", ".venv/bin/.installed", "run", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_serves_on_the_port_it_is_given():
    plan = planned("PORT=8123")
    assert ".venv/bin/daphne -b 127.0.0.1 -p 8123 nexus.asgi:application" in plan
    assert "http://127.0.0.1:8123" in plan


def test_make_run_defaults_to_8000_on_loopback():
    plan = planned()
    assert ".venv/bin/daphne -b 127.0.0.1 -p 8000 nexus.asgi:application" in plan
    assert "manage.py migrate" in plan and "seed_demo" in plan
