"""The shared search behaviour tests, again on SQLite (the embedded default).

The suite runs on PostgreSQL; this runs `test_search_behaviour.py` in a pytest of
its own with `DATABASE_URL=sqlite://…`, so the path laptops take (substring
matching, difflib for typos) keeps the promises the PostgreSQL path keeps.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BEHAVIOUR = "tests/commerce/catalog/test_search_behaviour.py"


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("sqlite"),
    reason="already on SQLite",
)
def test_search_behaves_the_same_on_sqlite(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"NEXUS_TEST_DB_SUFFIX", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'nexus.sqlite3'}",
        DJANGO_SETTINGS_MODULE="nexus.settings.test",
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", BEHAVIOUR, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
