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
