"""The compose stack: valid per the Compose Specification, started in a safe order."""

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import (
    API_ENVIRONMENT,
    GUNICORN_CONFIG,
    INFRA,
    REPO_ROOT,
    compose_binary,
    find_tool,
)

COMPOSE = INFRA / "docker" / "compose.yml"
ENV_EXAMPLE = INFRA / "docker" / ".env.example"
APP_SERVICES = ("web", "ws", "worker", "beat")
ONE_SHOTS = ("migrate", "collectstatic")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def check_compose_schema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            find_tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
    )


def test_compose_file_matches_the_compose_specification():
    result = check_compose_schema(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_an_invalid_condition(tmp_path: Path):
    """Guards the test above: the vendored schema must see into depends_on."""
    broken = tmp_path / "compose.yml"
    broken.write_text(
        COMPOSE.read_text().replace(
            "condition: service_completed_successfully",
            "condition: service_finished",
            1,
        )
    )
    assert check_compose_schema(broken).returncode != 0


def compose_config(tmp_path: Path, env_text: str) -> subprocess.CompletedProcess:
    """`docker compose config` on a copy of the stack with the given .env beside it."""
    docker_dir = tmp_path / "infra" / "docker"
    docker_dir.mkdir(parents=True)
    (docker_dir / "compose.yml").write_text(COMPOSE.read_text())
    (docker_dir / ".env").write_text(env_text)
    (tmp_path / "infra" / "nginx").symlink_to(INFRA / "nginx")
    return subprocess.run(
        [compose_binary(), "-f", str(docker_dir / "compose.yml"), "config"]
        + ["--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        # Shell variables win over .env in compose; the test settings export
        # DATABASE_URL and friends, so the stack sees only a bare environment.
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    )


def filled_env_example() -> str:
    return (
        ENV_EXAMPLE.read_text()
        .replace("\nSECRET_KEY=\n", "\nSECRET_KEY=" + "k" * 64 + "\n")
        .replace("\nPOSTGRES_PASSWORD=\n", "\nPOSTGRES_PASSWORD=pg-secret\n")
        .replace("\nRABBITMQ_PASSWORD=\n", "\nRABBITMQ_PASSWORD=mq-secret\n")
    )


def test_compose_resolves_the_example_env_into_service_urls(tmp_path: Path):
    result = compose_config(tmp_path, filled_env_example())
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for name in (*APP_SERVICES, *ONE_SHOTS):
        env = services[name]["environment"]
        assert env["DATABASE_URL"] == "postgres://nexus:pg-secret@postgres:5432/nexus"
        assert env["CELERY_BROKER_URL"] == (
            "amqp://nexus:mq-secret@rabbitmq:5672/nexus"
        )
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["SECRET_KEY"] == "k" * 64
        assert env["DJANGO_SETTINGS_MODULE"] == "nexus.settings.production"
    assert services["rabbitmq"]["environment"]["RABBITMQ_DEFAULT_PASS"] == "mq-secret"
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "pg-secret"
    assert [p["target"] for p in services["nginx"]["ports"]] == [80, 443]


def test_compose_refuses_to_start_without_the_secrets(tmp_path: Path):
    result = compose_config(tmp_path, ENV_EXAMPLE.read_text())
    assert result.returncode != 0
    assert "infra/docker/.env" in result.stderr


def test_all_services_are_there(compose: dict):
    assert set(compose["services"]) == {
        *APP_SERVICES,
        *ONE_SHOTS,
        "postgres",
        "redis",
        "rabbitmq",
        "nginx",
    }


def test_images_are_pinned_to_the_requested_majors(compose: dict):
    images = {name: s.get("image", "") for name, s in compose["services"].items()}
    assert images["postgres"].startswith("postgres:15.")
    assert images["redis"].startswith("redis:7.")
    assert images["rabbitmq"].startswith("rabbitmq:3.")
    assert images["nginx"].startswith("nginx:1.")
    for name, image in images.items():
        assert not image.endswith(":latest"), name


def test_app_processes_share_one_image_and_run_the_documented_commands(compose: dict):
    services = compose["services"]
    assert len({services[n]["image"] for n in (*APP_SERVICES, *ONE_SHOTS)}) == 1
    web = services["web"]["command"]
    assert web == [
        "gunicorn",
        "--config",
        str(GUNICORN_CONFIG.relative_to(REPO_ROOT)),
        "nexus.wsgi:application",
    ]
    ws = services["ws"]["command"]
    assert ws[0] == "daphne" and ws[-1] == "nexus.asgi:application"
    assert ws[ws.index("-p") + 1] == "8000"
    assert services["worker"]["command"][:4] == ["celery", "-A", "nexus", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "nexus", "beat"]
    assert services["migrate"]["command"] == [
        "python",
        "manage.py",
        "migrate",
        "--noinput",
    ]
    for name in (*APP_SERVICES, *ONE_SHOTS):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "nexus.settings.production", name


def test_app_waits_for_healthy_services_and_finished_migrations(compose: dict):
    for name in APP_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        for backing in ("postgres", "redis", "rabbitmq"):
            assert depends[backing]["condition"] == "service_healthy", (name, backing)
    migrate = compose["services"]["migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    nginx = compose["services"]["nginx"]["depends_on"]
    assert nginx["web"]["condition"] == "service_healthy"
    assert nginx["ws"]["condition"] == "service_healthy"
    assert nginx["collectstatic"]["condition"] == "service_completed_successfully"


def test_services_that_are_waited_on_have_healthchecks(compose: dict):
    services = compose["services"]
    waited_on = {
        dependency
        for service in services.values()
        for dependency, rule in service.get("depends_on", {}).items()
        if rule["condition"] == "service_healthy"
    }
    for name in waited_on | {"worker", "nginx"}:
        check = services[name]["healthcheck"]
        assert not check.get("disable") and check["test"], name
    for name in ("web", "ws"):
        check = " ".join(services[name]["healthcheck"]["test"])
        assert "http://127.0.0.1:8000/healthz" in check, name


def test_only_nginx_publishes_ports(compose: dict):
    published = {n for n, s in compose["services"].items() if s.get("ports")}
    assert published == {"nginx"}
    # The RabbitMQ management UI is neither installed nor reachable.
    rabbitmq = compose["services"]["rabbitmq"]
    assert "management" not in rabbitmq["image"]
    assert "expose" not in rabbitmq


def test_volumes_are_named_and_declared(compose: dict):
    declared = set(compose["volumes"])
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                used.add(source)
    assert used == declared
    assert {"postgres-data", "rabbitmq-data", "media", "static"} <= declared


def test_env_example_names_every_variable_the_app_reads():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    names = {
        line.lstrip("# ").split("=")[0]
        for line in text.splitlines()
        if "=" in line and line.lstrip("# ").split("=")[0].isupper()
    }
    missing = API_ENVIRONMENT - names
    assert not missing, f".env.example does not mention {sorted(missing)}"
    assert {"POSTGRES_PASSWORD", "RABBITMQ_PASSWORD"} <= names
    # Secrets are left blank: a copied example must not start with a known key.
    assert "\nSECRET_KEY=\n" in text


def test_nginx_sends_http_to_gunicorn_and_websockets_to_daphne(compose: dict):
    services = compose["services"]
    env = services["nginx"]["environment"]
    assert env["NEXUS_WEB_UPSTREAM"] == "web:8000"
    assert env["NEXUS_WS_UPSTREAM"] == "ws:8000"
    assert services["web"]["command"][0] == "gunicorn"
    assert services["ws"]["command"][0] == "daphne"
    # gunicorn's graceful stop (30 s) must fit before compose kills the container.
    assert services["web"]["stop_grace_period"] == "40s"
