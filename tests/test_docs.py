"""Docs that are generated from code must match it."""
from pathlib import Path

from perfreport.datadoc import markdown

ROOT = Path(__file__).resolve().parent.parent


def test_data_reference_matches_the_schema():
    assert (ROOT / "docs" / "data.md").read_text(encoding="utf-8") == markdown(), \
        "docs/data.md is out of date: run python -m perfreport.datadoc > docs/data.md"


def test_readme_and_ci_run_the_same_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "python -m pip install -e '.[test]' && python -m pytest"
    assert command in readme and command in ci
