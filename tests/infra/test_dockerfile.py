"""The image: hadolint-clean, multi-stage, non-root, static files collected at build."""

import fnmatch
import re
import subprocess

import pytest

from .conftest import GUNICORN_CONFIG, INFRA, REPO_ROOT, find_tool

DOCKERFILE = INFRA / "docker" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            result.append((keyword.upper(), " ".join(rest.split())))
    return result


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, args in instructions():
        if keyword == "FROM":
            result.append([])
        result[-1].append((keyword, args))
    return result


def test_hadolint_finds_nothing():
    result = subprocess.run(
        [find_tool("hadolint"), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_builder_and_slim_runtime_stages_on_pinned_python_311():
    froms = [args for keyword, args in instructions() if keyword == "FROM"]
    assert len(froms) == 2
    builder, runtime = froms
    assert builder.endswith(" AS builder")
    assert runtime.startswith("python:3.11.") and "-slim" in runtime.split()[0]
    for image in (builder.split()[0], runtime.split()[0]):
        assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", image), image


def test_runtime_gets_the_venv_from_the_builder_not_a_compiler():
    runtime = stages()[-1]
    copies = [args for keyword, args in runtime if keyword == "COPY"]
    assert "--from=builder /opt/venv /opt/venv" in copies
    runs = " ".join(args for keyword, args in runtime if keyword == "RUN")
    assert "build-essential" not in runs and "apt-get" not in runs


def test_runtime_runs_as_a_fixed_non_root_user():
    users = [args for keyword, args in stages()[-1] if keyword == "USER"]
    assert users, "the runtime stage never leaves root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "numeric, so runAsNonRoot can check it"


def test_static_files_are_collected_at_build_with_production_settings():
    runtime = stages()[-1]
    env = " ".join(args for keyword, args in runtime if keyword == "ENV")
    assert "DJANGO_SETTINGS_MODULE=nexus.settings.production" in env
    (collect,) = [
        args
        for keyword, args in runtime
        if keyword == "RUN" and "collectstatic" in args
    ]
    # A throwaway key long enough for the production check, never baked into a layer.
    assert "SECRET_KEY=" in collect and "secrets.token_urlsafe(64)" in collect
    assert not re.search(r"\bSECRET_KEY\b", env)


def test_healthcheck_hits_healthz_without_curl():
    (healthcheck,) = [
        args for keyword, args in instructions() if keyword == "HEALTHCHECK"
    ]
    assert "urllib.request" in healthcheck
    assert "http://127.0.0.1:8000/healthz" in healthcheck
    assert "curl" not in healthcheck


def test_default_command_is_gunicorn_with_the_repo_config_on_port_8000():
    (cmd,) = [args for keyword, args in instructions() if keyword == "CMD"]
    config = GUNICORN_CONFIG.relative_to(REPO_ROOT)
    assert cmd == (f'["gunicorn", "--config", "{config}", "nexus.wsgi:application"]')
    # The config binds 0.0.0.0:8000 (tests/infra/test_gunicorn.py).
    assert ("EXPOSE", "8000") in instructions()


def test_build_context_leaves_out_local_state_and_secrets():
    ignored = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "db.sqlite3", "media", "staticfiles", ".env"):
        assert entry in ignored, entry


def ignored_by_docker(path: str) -> bool:
    """Whether .dockerignore keeps `path` out of the build context.

    Docker's rule: the last pattern that matches the path or one of its parent
    directories decides, and a pattern starting with "!" lets the path back in.
    """
    lines = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for line in lines:
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        keep = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            ignored = not keep
    return ignored


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        (str(GUNICORN_CONFIG.relative_to(REPO_ROOT)), False),
        ("site/wsgi.py", False),
        ("infra/docker/Dockerfile", True),
        ("infra/k8s/base/web-deployment.yaml", True),
        ("tests/infra/test_gunicorn.py", True),
    ],
)
def test_build_context_keeps_the_gunicorn_config_and_no_other_infra(path, ignored):
    assert (REPO_ROOT / path).is_file(), path
    assert ignored_by_docker(path) is ignored


def test_build_context_leaves_out_the_configs_bytecode():
    """Tests import the config, which leaves a __pycache__ beside it."""
    config = GUNICORN_CONFIG.relative_to(REPO_ROOT)
    assert ignored_by_docker(
        f"{config.parent}/__pycache__/gunicorn.conf.cpython-311.pyc"
    )
