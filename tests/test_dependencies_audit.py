"""pip-audit against requirements.txt: a pinned dependency with a known advisory fails.

The advisories come from the network: PyPI's JSON API first, then OSV. Where neither
answers (no internet, or a PyPI mirror without the JSON API, which pip-audit reports
as every package "not found on PyPI" and then, misleadingly, "No known
vulnerabilities found") the test is skipped and says why; it never passes on an
audit that checked nothing.
"""

import json
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
SERVICES = ("pypi", "osv")
# Per service; both together stay under a minute when the network hangs.
RUN_TIMEOUT_SECONDS = 25


class Unreachable(Exception):
    """This advisory service did not answer for our requirements."""


def findings(report: dict) -> tuple[list[str], list[str]]:
    """(vulnerabilities, dependencies left unaudited) of a pip-audit JSON report.

    Raises Unreachable when no dependency at all could be audited.
    """
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if not dependencies or len(skipped) == len(dependencies):
        reason = skipped[0]["skip_reason"] if skipped else "an empty report"
        raise Unreachable(f"nothing audited ({len(skipped)} skipped), e.g. {reason}")
    vulnerabilities = [
        f"{d['name']} {d['version']}: {v['id']}"
        + (f" (aliases {', '.join(v['aliases'])})" if v.get("aliases") else "")
        + (
            f", fixed in {', '.join(v['fix_versions'])}"
            if v.get("fix_versions")
            else ", no fix released"
        )
        for d in dependencies
        for v in d.get("vulns", [])
    ]
    return vulnerabilities, [f"{d['name']}: {d['skip_reason']}" for d in skipped]


def run_audit(service: str, output: Path, *, osv_url: str | None = None) -> dict:
    command = [str(PIP_AUDIT), "--requirement", str(REQUIREMENTS)]
    # Every requirement is pinned: audit exactly those versions, without pip
    # resolving (and downloading) the tree into a temporary environment.
    command += ["--no-deps", "--disable-pip", "--progress-spinner", "off"]
    command += ["--vulnerability-service", service, "--timeout", "10"]
    command += ["--format", "json", "--output", str(output)]
    if osv_url:
        command += ["--osv-url", osv_url]
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired as exc:
        raise Unreachable(f"no answer in {RUN_TIMEOUT_SECONDS} s") from exc
    # Exit 1 with a report means vulnerabilities; without one, pip-audit failed
    # before auditing (a connection error, most often) and its last line says so.
    if not output.exists():
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unreachable(last[:300])
    return json.loads(output.read_text(encoding="utf-8"))


def test_requirements_have_no_known_vulnerabilities(tmp_path):
    assert PIP_AUDIT.exists(), (
        "pip-audit is missing: pip install -r requirements-dev.txt"
    )
    reasons = []
    for service in SERVICES:
        try:
            vulnerabilities, unaudited = findings(
                run_audit(service, tmp_path / f"{service}.json")
            )
        except Unreachable as exc:
            reasons.append(f"{service}: {exc}")
            continue
        assert not vulnerabilities, (
            f"known vulnerabilities in requirements.txt ({service}):\n"
            + "\n".join(vulnerabilities)
        )
        assert not unaudited, (
            f"{service} audited some requirements but not these:\n"
            + "\n".join(unaudited)
        )
        return
    pytest.skip(
        "pip-audit: no advisory database reachable, requirements.txt not audited ("
        + "; ".join(reasons)
        + ")"
    )


PINNED = {"name": "django", "version": "5.2.19"}


def test_a_report_with_an_advisory_is_a_finding():
    report = {
        "dependencies": [
            {
                **PINNED,
                "vulns": [
                    {
                        "id": "PYSEC-0000-1",
                        "aliases": ["CVE-0000-1"],
                        "fix_versions": ["5.2.20"],
                    }
                ],
            },
            {"name": "celery", "version": "5.7.0", "vulns": []},
        ]
    }
    assert findings(report) == (
        ["django 5.2.19: PYSEC-0000-1 (aliases CVE-0000-1), fixed in 5.2.20"],
        [],
    )


def test_a_report_that_audited_nothing_means_unreachable_not_clean():
    # What a PyPI mirror without the JSON API gives, with exit status 0.
    report = {
        "dependencies": [
            {
                **PINNED,
                "skip_reason": "Dependency not found on PyPI and could not be audited",
            }
        ],
        "fixes": [],
    }
    with pytest.raises(Unreachable, match="nothing audited"):
        findings(report)


def test_a_partly_audited_report_names_what_was_left_out():
    report = {
        "dependencies": [
            {**PINNED, "vulns": []},
            {"name": "celery", "version": "5.7.0", "skip_reason": "not found"},
        ]
    }
    assert findings(report) == ([], ["celery: not found"])


class StubOsv(BaseHTTPRequestHandler):
    """OSV's query API on loopback: one advisory against the pinned Django."""

    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        vulns = []
        if query["package"]["name"] == "django":
            vulns = [
                {
                    "id": "PYSEC-0000-1",
                    "aliases": ["CVE-0000-1"],
                    "summary": "stub advisory",
                    "affected": [
                        {
                            "package": {"name": "django", "ecosystem": "PyPI"},
                            "ranges": [
                                {
                                    "type": "ECOSYSTEM",
                                    "events": [{"introduced": "0"}, {"fixed": "99.0"}],
                                }
                            ],
                        }
                    ],
                }
            ]
        body = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_audit_command_reports_an_advisory_it_is_given(tmp_path):
    """The real pip-audit, our flags and our reading of its report, end to end,
    against a stub advisory service instead of the network."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubOsv)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        report = run_audit(
            "osv",
            tmp_path / "stub.json",
            osv_url=f"http://127.0.0.1:{server.server_port}/v1/query",
        )
    finally:
        server.shutdown()
    pinned = re.search(r"^Django==(\S+)$", REQUIREMENTS.read_text(), re.M).group(1)
    vulnerabilities, unaudited = findings(report)
    assert vulnerabilities == [
        f"django {pinned}: PYSEC-0000-1 (aliases CVE-0000-1), fixed in 99.0"
    ]
    assert unaudited == []
