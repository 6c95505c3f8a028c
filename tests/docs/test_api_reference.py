"""docs/api/reference.md says what the OpenAPI schema says; no doc points outside."""

import re
from pathlib import Path

from django.core.management import call_command

from nexus.management.commands.apireference import document

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "docs" / "api" / "reference.md"


def test_the_reference_is_generated_from_the_current_schema():
    # Raises CommandError naming the command to run when the file is stale.
    call_command("apireference", "--check")


def test_the_reference_has_a_section_for_every_operation():
    text = REFERENCE.read_text()
    for path, items in document()["paths"].items():
        for method in items:
            assert f"### {method.upper()} `{path}`" in text


def test_every_link_in_the_reference_has_its_target():
    text = REFERENCE.read_text()
    headings = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("# ").lower()).replace(" ", "-")
        for line in text.splitlines()
        if line.startswith("#")
    }
    for target in re.findall(r"\]\(#([^)]+)\)", text):
        assert target in headings, target


# Where the contract lived before the repository had its own words for it; spelt
# in pieces so that this test is not itself a pointer out of the repository.
OUTSIDE = ("../" + "shared", "shared/" + "API.md")


def test_no_document_points_outside_the_repository():
    readmes = [REPO / "README.md", REPO / "CONTRIBUTING.md", *REPO.glob("docs/**/*")]
    for path in readmes:
        if path.is_file() and path.suffix in {".md", ".json"}:
            text = path.read_text()
            for pointer in OUTSIDE:
                assert pointer not in text, (path, pointer)
