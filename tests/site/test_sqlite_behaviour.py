"""Behaviour tests again on SQLite (the embedded default), where the code takes a
path of its own.

The suite runs on PostgreSQL; this runs each module below in a pytest of its own
with `DATABASE_URL=sqlite://…`, so the paths laptops take keep the promises the
PostgreSQL paths keep: search (substring matching, difflib for typos) and checkout
(an order's rows, and a one-product order's stock taken and recorded, in
several statements rather than one).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "tests/commerce/catalog/test_search_behaviour.py",
    "tests/commerce/orders/test_checkout_api.py",
    "tests/commerce/orders/test_rows.py",
]


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("sqlite"),
    reason="already on SQLite",
)
@pytest.mark.parametrize("module", MODULES)
def test_behaves_the_same_on_sqlite(module, tmp_path):
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
        [sys.executable, "-m", "pytest", module, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
