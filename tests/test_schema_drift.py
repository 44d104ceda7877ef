"""schema.graphql in the repo is what the code builds (regenerate: `qingquan export-schema`)."""

from __future__ import annotations

from schema import build_schema
from tests.conftest import REPO


def test_exported_schema_is_current() -> None:
    exported = (REPO / "schema.graphql").read_text(encoding="utf-8")
    assert exported == build_schema().as_str() + "\n", "schema.graphql drifted: run `qingquan export-schema`"


def test_stable_root_names() -> None:
    sdl = build_schema().as_str()
    for name in ("node(id: ID!)", "units(", "powers(", "legalDocuments(", "viewer:"):
        assert name in sdl


def test_readme_queries_are_valid_against_the_schema() -> None:
    import re

    from graphql import parse, validate

    schema = build_schema()._schema
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n(.*?)```", readme, re.S)
    assert blocks
    for block in blocks:
        # a block may hold several one-line operations
        lines = [line for line in block.splitlines() if line.strip()]
        one_liners = all(line.startswith("{") and line.rstrip().endswith("}") for line in lines)
        operations = lines if one_liners else [block]
        for operation in operations:
            assert validate(schema, parse(operation)) == [], operation
