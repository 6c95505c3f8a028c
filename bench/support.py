"""What both benchmarks share: a scratch PostgreSQL database, created and migrated."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def create_and_migrate(*, host: str, db_name: str, env: dict[str, str]) -> None:
    """Create `db_name` if it is missing and bring it to the latest migration."""
    subprocess.run(
        ["createdb", "-h", host, "-U", "postgres", db_name],
        capture_output=True,
        check=False,  # "already exists" is fine
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
