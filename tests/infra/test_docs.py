"""The operations docs: diagrams present, and every repo path they name exists."""

import re

import pytest

from .conftest import REPO_ROOT

DOCS = [REPO_ROOT / "docs" / "architecture.md", REPO_ROOT / "docs" / "deployment.md"]
REPO_PATH = re.compile(r"(?<![\w/.-])((?:infra|docs|\.github)/[\w./*-]*[\w])")
# Files the docs tell the reader to create, never committed.
MADE_BY_THE_READER = {"infra/docker/.env"}


def test_architecture_draws_processes_order_and_notification_flows():
    text = DOCS[0].read_text(encoding="utf-8")
    assert text.count("```mermaid") >= 3
    for heading in ("## Processes", "## How a request", "## How an order"):
        assert heading in text
    assert "## How a notification" in text and "## How it scales out" in text


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_paths_named_in_docs_exist(doc):
    text = doc.read_text(encoding="utf-8")
    named = set(REPO_PATH.findall(text)) - MADE_BY_THE_READER
    assert named, "the doc names no file at all"
    missing = sorted(path for path in named if not list(REPO_ROOT.glob(path)))
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"
