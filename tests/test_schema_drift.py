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


def test_every_id_that_changed_meaning_is_documented_with_where_its_old_value_went() -> None:
    """Mutation results and trail entries whose `id` is their own (not `node`'s: tests/test_global_ids.py) once
    carried another object's id there: the README's table says, for each, which field holds the old value, and
    that field exists; a field kept only for old clients is `@deprecated` and named in the README."""
    import re

    from tests.test_global_ids import RESULTS

    schema = build_schema()._schema
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^  \| `(\w+)\.id` \| [^|]+ \| [^|]+ \| `(\w+)`", readme, re.M)
    assert {type_name for type_name, _ in rows} == RESULTS, rows
    for type_name, moved_to in rows:
        fields = schema.type_map[type_name].fields  # type: ignore[union-attr]
        assert "id" in fields and moved_to in fields, (type_name, moved_to)
    for type_ in schema.type_map.values():
        for name, field in getattr(type_, "fields", {}).items():
            if getattr(field, "deprecation_reason", None):
                assert f"`{type_.name}.{name}`" in readme, f"{type_.name}.{name} is deprecated but not in the README"
