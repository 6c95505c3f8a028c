"""CI and CD: the GitHub workflow is schema-valid; the Jenkins deploy migrates first.

Jenkins itself cannot run here, so the Jenkinsfile is read for its stages, and the
deploy script it calls is run against a recording stand-in for kubectl (rendering still
goes through the real kustomize) to prove the order: config, migration Job, wait, then
the rollout, and nothing rolled out when the migration fails.
"""

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import INFRA, REPO_ROOT, find_tool

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"
JENKINSFILE = INFRA / "jenkins" / "Jenkinsfile"
DEPLOY = INFRA / "jenkins" / "deploy.sh"
OVERLAY = INFRA / "k8s" / "overlays" / "production"

# Stands in for kubectl: logs each call, renders for real, keeps what it was asked to
# apply, and answers the migration Job's state.
FAKE_KUBECTL = """#!/usr/bin/env bash
printf '%s\\n' "$*" >>"$KUBECTL_LOG"
case "$1" in
  kustomize) exec "$REAL_KUBECTL" "$@" ;;
  apply) cp "$3" "$KUBECTL_LOG.applied.yaml" ;;
esac
case "$*" in
  *"get job nexus-migrate"*) printf '%s ' "$JOB_STATE" ;;
esac
"""


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"]
)
def test_workflow_matches_the_github_schema(schema: str):
    result = subprocess.run(
        [find_tool("check-jsonschema"), "--builtin-schema", schema, str(WORKFLOW)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_on_pull_requests_against_real_services(workflow: dict):
    # PyYAML reads the bare key `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers
    (job,) = workflow["jobs"].values()
    images = {name: service["image"] for name, service in job["services"].items()}
    assert images == {
        "postgres": "postgres:15",
        "redis": "redis:7",
        "rabbitmq": "rabbitmq:3",
    }
    for service in job["services"].values():
        assert "--health-cmd" in service["options"]
    assert job["env"]["DATABASE_URL"].startswith("postgres://")
    assert job["env"]["REDIS_URL"].startswith("redis://")
    assert job["env"]["CELERY_BROKER_URL"].startswith("amqp://")


def test_workflow_lints_then_runs_make_test(workflow: dict):
    (job,) = workflow["jobs"].values()
    runs = [step.get("run", "") for step in job["steps"]]
    ruff = next(i for i, run in enumerate(runs) if "ruff check" in run)
    system = next(i for i, run in enumerate(runs) if "install-system-deps.sh" in run)
    test = runs.index("make test")
    assert system < test and ruff < test
    assert runs[system].startswith("sudo ")


def jenkins_stages() -> dict[str, str]:
    text = JENKINSFILE.read_text(encoding="utf-8")
    starts = [(m.group(1), m.start()) for m in re.finditer(r"stage\('([^']+)'\)", text)]
    ends = [start for _, start in starts[1:]] + [len(text)]
    return {
        name: text[start:end] for (name, start), end in zip(starts, ends, strict=True)
    }


def test_jenkins_tests_every_branch_and_ships_only_main():
    stages = jenkins_stages()
    assert list(stages) == ["Test", "Build image", "Push image", "Deploy"]
    assert "sh 'make test'" in stages["Test"]
    assert "when" not in stages["Test"]
    for name in ("Build image", "Push image", "Deploy"):
        assert "when { branch 'main' }" in stages[name], name
    assert "-f infra/docker/Dockerfile" in stages["Build image"]
    assert "infra/jenkins/deploy.sh" in stages["Deploy"]


def run_deploy(tmp_path: Path, job_state: str) -> tuple[int, list[str], str]:
    fake = tmp_path / "kubectl"
    fake.write_text(FAKE_KUBECTL)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.log"
    log.touch()
    env = {
        **os.environ,
        "KUBECTL": str(fake),
        "REAL_KUBECTL": find_tool("kubectl"),
        "KUBECTL_LOG": str(log),
        "JOB_STATE": job_state,
        "MIGRATE_TIMEOUT": "5",
    }
    result = subprocess.run(
        ["bash", str(DEPLOY), str(OVERLAY), "registry.test/shop/nexus", "abc123"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, log.read_text().splitlines(), result.stderr


def index_of(calls: list[str], fragment: str) -> int:
    matches = [i for i, call in enumerate(calls) if fragment in call]
    assert matches, f"no kubectl call with {fragment!r} in {calls}"
    return matches[0]


def test_deploy_migrates_before_the_rolling_update(tmp_path: Path):
    code, calls, stderr = run_deploy(tmp_path, job_state="Complete")
    assert code == 0, stderr
    order = [
        index_of(calls, "-l app.kubernetes.io/component=config"),
        index_of(calls, "delete job nexus-migrate"),
        index_of(calls, "-l app.kubernetes.io/component=migrate"),
        index_of(calls, "get job nexus-migrate"),
        index_of(calls, "-l app.kubernetes.io/component!=migrate"),
        index_of(calls, "rollout status deployment/nexus-web"),
    ]
    assert order == sorted(order), calls
    assert all("-n nexus " in c for c in calls if "rollout" in c or "job" in c)
    rollouts = [c.split("deployment/")[1].split()[0] for c in calls if "rollout" in c]
    assert rollouts == ["nexus-web", "nexus-ws", "nexus-worker", "nexus-beat"]


def test_deploy_waits_for_every_deployment_it_renders(tmp_path: Path):
    code, calls, stderr = run_deploy(tmp_path, job_state="Complete")
    assert code == 0, stderr
    applied = (tmp_path / "calls.log.applied.yaml").read_text()
    deployments = {
        doc["metadata"]["name"]
        for doc in yaml.safe_load_all(applied)
        if doc and doc["kind"] == "Deployment"
    }
    waited = {c.split("deployment/")[1].split()[0] for c in calls if "rollout" in c}
    assert (
        waited
        == deployments
        == {
            "nexus-web",
            "nexus-ws",
            "nexus-worker",
            "nexus-beat",
        }
    )


def test_deploy_applies_the_image_it_was_given(tmp_path: Path):
    code, _, stderr = run_deploy(tmp_path, job_state="Complete")
    assert code == 0, stderr
    applied = (tmp_path / "calls.log.applied.yaml").read_text()
    resources = [doc for doc in yaml.safe_load_all(applied) if doc]
    images = {
        container["image"]
        for resource in resources
        if resource["kind"] in {"Deployment", "Job"}
        for container in resource["spec"]["template"]["spec"]["containers"]
    }
    assert images == {"registry.test/shop/nexus:abc123"}


def test_failed_migration_rolls_out_nothing(tmp_path: Path):
    code, calls, stderr = run_deploy(tmp_path, job_state="Failed")
    assert code == 1
    assert "migration Job failed" in stderr
    assert not [c for c in calls if "component!=migrate" in c or "rollout" in c]
