"""The embedded index keeps a search's facets per version of the index (search.embedded._Index: issue 20,
counting every match is work per match). Kept facets are the facets counted now: each search as a viewer
counts what that viewer may see (a unit's staff counting first never lends its counts to the public or to
another unit's staff), and every write is counted at once, whether this process committed it or another
(a host's indexer process, the other workers reading its index).

The expected figures are written out from the powers made here, never asked of domain.access."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from domain.access import Viewer
from domain.enums import DisclosureScope, PowerCategory, Role
from domain.services.powers import update_power
from qingquan.settings import Settings
from resolvers.ids import encode_id
from search import SearchBackend, backend_for
from search.embedded import EmbeddedBackend
from search.filters import visible_powers
from search.indexer import drain
from search.model import IndexName, SearchRequest
from tests.factories import ADMIN, make_unit, power_name, unique
from tests.helpers import gql_data, token_for
from tests.test_search_contract import power
from tests.test_search_graphql import POWERS as SEARCH_POWERS
from tests.workflow_factories import published_power, revise

POWERS = IndexName.POWERS
PUBLIC = Viewer()
STAFF_1 = Viewer(role=Role.UNIT_STAFF, unit_id=1, unit_ids=frozenset({1}))
STAFF_2 = Viewer(role=Role.UNIT_STAFF, unit_id=2, unit_ids=frozenset({2}))
FACETS = ("unit_id", "category", "confidential")


async def counts(
    backend: SearchBackend, viewer: Viewer, **page: int
) -> tuple[int, dict[str, dict[str, int]]]:
    request = SearchRequest(query="行政检查", filters=visible_powers(viewer), facets=FACETS, **page)
    result = await backend.search(POWERS, request)
    return result.total, {name: dict(values) for name, values in result.facets.items()}


def seen(*units: int, secret: int = 0) -> dict[str, dict[str, int]]:
    """The facets of INSPECTION powers of `units` (one unit id per power), `secret` of them confidential."""
    by_unit: dict[str, int] = {}
    for unit in units:
        by_unit[str(unit)] = by_unit.get(str(unit), 0) + 1
    confidential = {"true": secret, "false": len(units) - secret} if secret else {"false": len(units)}
    return {"unit_id": by_unit, "category": {"INSPECTION": len(units)}, "confidential": confidential}


@pytest.fixture(params=["folder", "memory", "counted each time"])
def embedded(request: pytest.FixtureRequest, tmp_path: Path) -> EmbeddedBackend:
    """An index in a folder, in memory, or one that keeps no facets (QINGQUAN_SEARCH_FACET_CACHE=0)."""
    if request.param == "counted each time":
        return backend_for(Settings(search_index_dir=str(tmp_path / "index"), search_facet_cache=False))
    return EmbeddedBackend(tmp_path / "index" if request.param == "folder" else None)


async def test_a_units_staff_counting_first_lends_nothing_to_the_public(embedded: EmbeddedBackend) -> None:
    """Unit 1's one public power and its INTERNAL one (hidden from the public and from unit 2's staff
    alone by its scope): unit 1's staff search first, then the others, twice (the second time kept)."""
    await embedded.upsert(POWERS, [power(1, 1), power(2, 1, "INTERNAL")])
    for _ in range(2):
        assert await counts(embedded, STAFF_1) == (2, seen(1, 1))
        assert await counts(embedded, PUBLIC) == (1, seen(1))
        assert await counts(embedded, STAFF_2) == (1, seen(1))


async def test_every_write_is_counted_at_once(embedded: EmbeddedBackend) -> None:
    """A power made confidential, then unpublished, then deleted: the next search counts each change
    (its facets were kept after the search before it)."""
    await embedded.upsert(POWERS, [power(1, 1), power(2, 1), power(3, 2)])
    assert await counts(embedded, PUBLIC) == (3, seen(1, 1, 2))
    assert await counts(embedded, PUBLIC, offset=1, limit=1) == (
        3,
        seen(1, 1, 2),
    )  # another page, the same counts
    await embedded.upsert(POWERS, [power(2, 1, confidential=True)])
    assert await counts(embedded, PUBLIC) == (2, seen(1, 2))
    assert await counts(embedded, STAFF_1) == (3, seen(1, 1, 2, secret=1))
    await embedded.upsert(POWERS, [power(3, 2, status="DRAFT")])
    assert await counts(embedded, PUBLIC) == (1, seen(1))
    assert await counts(embedded, STAFF_2) == (2, seen(1, 2))
    await embedded.delete(POWERS, [1])
    assert await counts(embedded, PUBLIC) == (0, {name: {} for name in FACETS})


async def test_a_commit_of_another_process_is_counted_at_once(tmp_path: Path) -> None:
    """Two backends on one folder, as a host's indexer process and another worker reading its index: the
    reader counts the writer's commit on its next search, not the facets it kept, nor after a delay."""
    writer, reader = EmbeddedBackend(tmp_path / "index"), EmbeddedBackend(tmp_path / "index")
    await writer.upsert(POWERS, [power(1, 1), power(2, 1)])
    assert await counts(reader, PUBLIC) == (2, seen(1, 1))
    await writer.upsert(POWERS, [power(2, 1, "INTERNAL")])
    assert await counts(reader, PUBLIC) == (1, seen(1))
    await writer.upsert(POWERS, [power(3, 2)])
    assert await counts(reader, PUBLIC) == (2, seen(1, 2))


async def test_the_facets_kept_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At most FACETS_KEPT searches' facets per index, the oldest going first; the rest are counted again."""
    import search.embedded

    monkeypatch.setattr(search.embedded, "FACETS_KEPT", 2)
    embedded = EmbeddedBackend(tmp_path / "index")
    await embedded.upsert(POWERS, [power(1, 1), power(2, 2, "INTERNAL")])
    index = embedded._index(POWERS)
    for viewer, expected in ((PUBLIC, (1, seen(1))), (STAFF_1, (1, seen(1))), (STAFF_2, (2, seen(1, 2)))):
        assert await counts(embedded, viewer) == expected
    assert len(index._facets) == 2
    assert await counts(embedded, PUBLIC) == (1, seen(1))  # counted again, then kept in place of the oldest


async def test_with_the_setting_off_no_facets_are_kept(tmp_path: Path) -> None:
    """QINGQUAN_SEARCH_FACET_CACHE=0 (the province bench's cold rows): every search counts its facets,
    none is kept; on (the default), the same searches keep one set per viewer."""
    for setting, kept in ((False, 0), (True, 2)):
        backend = backend_for(
            Settings(search_index_dir=str(tmp_path / str(setting)), search_facet_cache=setting)
        )
        await backend.upsert(POWERS, [power(1, 1), power(2, 2, "INTERNAL")])
        for _ in range(2):
            assert await counts(backend, PUBLIC) == (1, seen(1))
            assert await counts(backend, STAFF_2) == (2, seen(1, 2))
        assert len(backend._index(POWERS)._facets) == kept


SECRECY = {
    "confidentiality_reason": "涉及国家秘密",
    "confidentiality_basis": "《中华人民共和国保守国家秘密法》第十三条",
}


@pytest.mark.usefixtures("demo")
async def test_searchpowers_counts_as_the_viewer_through_the_app(
    search_client: httpx.AsyncClient, search_backend: SearchBackend
) -> None:
    """Through the app and the real indexer: a unit's public power and its 涉密 one (disclosed to the
    public: hidden by its confidential flag alone). The unit's staff search first; the public and another
    unit's staff count the public power alone, twice; once the public power is reclassified 涉密 through
    a revision and the indexer has applied it, nobody outside counts anything, and the staff still two."""
    marker = unique("")
    unit, other = await make_unit(name=f"测试计数局{marker}"), await make_unit()
    plain = await published_power(
        unit, name=power_name(f"向社会公开的行政处罚{marker}"), category=PowerCategory.PENALTY
    )
    await published_power(
        unit, name=power_name(f"向社会公开而涉密的行政检查{marker}"), category=PowerCategory.INSPECTION,
        disclosure_scope=DisclosureScope.PUBLIC, confidential=True, **SECRECY,
    )  # fmt: skip
    await drain(search_backend)
    tokens = {"staff": await token_for(Role.UNIT_STAFF, unit), "public": None,
              "other staff": await token_for(Role.UNIT_STAFF, other)}  # fmt: skip

    async def facets(token: str | None) -> tuple[int, dict[str, int], list[dict]]:
        data = (await gql_data(search_client, SEARCH_POWERS, {"q": marker, "first": 1}, token))[
            "searchPowers"
        ]
        categories = {f["category"]: f["count"] for f in data["facets"]["categories"]}
        return data["totalCount"], categories, data["facets"]["units"]

    def units(n: int) -> list[dict]:
        return [{"unit": {"id": encode_id("Unit", unit.id)}, "count": n}] if n else []

    for _ in range(2):
        assert await facets(tokens["staff"]) == (2, {"PENALTY": 1, "INSPECTION": 1}, units(2))
        for who in ("public", "other staff"):
            assert await facets(tokens[who]) == (1, {"PENALTY": 1}, units(1)), who
    await revise(
        plain, lambda draft: update_power(ADMIN, draft.id, {"confidential": True, **SECRECY}), "经定密。"
    )
    await drain(search_backend)
    for who in ("public", "other staff"):
        assert await facets(tokens[who]) == (0, {}, units(0)), who
    assert await facets(tokens["staff"]) == (2, {"PENALTY": 1, "INSPECTION": 1}, units(2))
