"""docs/api/postman_collection.json passes, run by newman against a live daphne."""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infra.conftest import REPO_ROOT, LiveApp, live_app

COLLECTION = REPO_ROOT / "docs" / "api" / "postman_collection.json"
NEWMAN = REPO_ROOT / ".tools" / "newman" / "node_modules" / ".bin" / "newman"
SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def newman_binary() -> Path:
    if not NEWMAN.exists():
        pytest.fail(
            f"newman is not installed at {NEWMAN}: run infra/scripts/install-newman.sh "
            "(make test runs it)",
            pytrace=False,
        )
    return NEWMAN


def requests_of(items: list[dict]) -> Iterator[dict]:
    for item in items:
        if "item" in item:
            yield from requests_of(item["item"])
        else:
            yield item


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_app(tmp_path_factory.mktemp("postman"), tmp_path_factory) as app:
        app.manage("seed_demo", "--products", "12")
        yield app


def test_collection_is_postman_v21_with_a_base_url_variable():
    collection = json.loads(COLLECTION.read_text(encoding="utf-8"))
    assert collection["info"]["schema"] == SCHEMA_V21
    variables = {v["key"] for v in collection["variable"]}
    assert "baseUrl" in variables
    for item in requests_of(collection["item"]):
        assert item["request"]["url"]["raw"].startswith("{{baseUrl}}/api/v1/"), item
        tests = [e for e in item.get("event", []) if e["listen"] == "test"]
        assert tests and "pm.test(" in "\n".join(tests[0]["script"]["exec"]), (
            f"{item['name']!r} asserts nothing"
        )


def test_journey_passes_against_a_live_server(seeded_app: LiveApp, tmp_path: Path):
    report = tmp_path / "newman.json"
    result = subprocess.run(
        [
            str(newman_binary()),
            "run",
            str(COLLECTION),
            "--env-var",
            f"baseUrl={seeded_app.base_url}",
            "--bail",
            "--reporters",
            "cli,json",
            "--reporter-json-export",
            str(report),
            "--color",
            "off",
            "--timeout-request",
            "30000",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.exists(), f"newman wrote no report:\n{result.stdout}\n{result.stderr}"
    run = json.loads(report.read_text(encoding="utf-8"))["run"]
    failures = [
        f"{f['source']['name']}: {f['error'].get('test') or ''} {f['error']['message']}"
        for f in run["failures"]
    ]
    assert not failures, (
        "newman failures:\n"
        + "\n".join(failures)
        + (f"\n\nnewman output:\n{result.stdout[-6000:]}")
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr
    collection = json.loads(COLLECTION.read_text(encoding="utf-8"))
    assert run["stats"]["requests"]["total"] == len(
        list(requests_of(collection["item"]))
    ), "--bail stopped the run early"
    assert run["stats"]["assertions"]["failed"] == 0
    assert run["stats"]["assertions"]["total"] > 0
