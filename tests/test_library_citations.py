"""Citations both ways: the powers resting on an article (`citedBy`), article-level comparison of two
versions of a law, and the powers a new version touches — on the real 行政复议法 of 2017 and 2023."""

from __future__ import annotations

import datetime

import httpx

from domain.access import Viewer
from domain.enums import LegalLevel, PowerStatus, Role
from domain.library import parse_markdown, recompute_statuses, store_document
from domain.library.compare import ArticleChangeKind, compare_versions
from domain.library.impact import affected_bases, affected_bases_of_work
from domain.models import LegalArticle, LegalDocument, Power
from domain.services.bases import BasisData, create_basis
from domain.services.legal_articles import ArticleData
from domain.services.legal_documents import LegalDocumentData, create_legal_document
from resolvers.ids import encode_id
from tests.conftest import LAWS
from tests.factories import ADMIN, PUBLIC, make_power, make_unit, own_code, staff_of, unique
from tests.helpers import count_queries, gql, gql_data, token_for

LAW_DIR = LAWS / "诉讼与非诉讼程序法"  # 行政复议法 of 2017 and 2023, copied from the corpus

CITED_BY = """
query CitedBy($id: ID!) {
  node(id: $id) { ... on LegalArticle { label citedBy { code } } }
}
"""

COMPARE = """
query Compare($id: ID!, $other: ID!) {
  node(id: $id) { ... on LegalDocument {
    compareTo(other: $other) {
      older { versionDate } newer { versionDate } unchangedCount
      added { label before { text } after { label text } }
      removed { label }
      changed { kind label before { label text } after { label text } }
    }
  } }
}
"""

AFFECTED = """
query Affected($id: ID!, $comparedTo: ID) {
  node(id: $id) { ... on LegalDocument {
    affectedPowers(comparedTo: $comparedTo) {
      change power { code } basis { note } article { label text } successor { label text document { versionDate } }
    }
  } }
}
"""

ARTICLES_CITED_BY = """
query Page($id: ID!, $first: Int!) {
  node(id: $id) { ... on LegalDocument { articles(first: $first) { nodes { label citedBy { code unit { name } } } } } }
}
"""


async def law_versions() -> tuple[LegalDocument, LegalDocument]:
    """行政复议法 of 2017 and 2023 from the corpus (the packaged library may own the 2023 version)."""
    work_ids = set()
    for name in ("行政复议法(2017-09-01).md", "行政复议法(2023-09-01).md"):
        _, work_id, _ = await store_document(parse_markdown(LAW_DIR / name, LAWS))
        work_ids.add(work_id)
    assert len(work_ids) == 1, "both versions are one work"
    await recompute_statuses(work_ids)
    work_id = work_ids.pop()
    old = await LegalDocument.get(work_id=work_id, version_date=datetime.date(2017, 9, 1))
    new = await LegalDocument.get(work_id=work_id, version_date=datetime.date(2023, 9, 1))
    return old, new


async def article(document: LegalDocument, number: int) -> LegalArticle:
    return await LegalArticle.get(document_id=document.id, number=number)


async def cite(power: Power, *articles: LegalArticle) -> None:
    for a in articles:
        await create_basis(ADMIN, BasisData(power_id=power.id, article_id=a.id, note=f"依据{a.label}"))


async def published(power: Power) -> Power:
    # The review lifecycle publishes powers; these tests only need one that the public may see.
    await Power.filter(id=power.id).update(status=PowerStatus.PUBLISHED)
    return await Power.get(id=power.id)


def gid(type_name: str, pk: int) -> str:
    return encode_id(type_name, pk)


async def test_cited_by_lists_only_the_powers_the_caller_may_see(client: httpx.AsyncClient) -> None:
    old, _ = await law_versions()
    ninth = await article(old, 9)
    unit = await make_unit()
    public = await make_power(unit, code=own_code(unit))
    draft = await make_power(unit, code=own_code(unit))
    await cite(public, ninth)
    await cite(draft, ninth)
    public = await published(public)  # cited first: a published power's bases change only through a revision
    variables = {"id": gid("LegalArticle", ninth.id)}

    anonymous = await gql_data(client, CITED_BY, variables)
    admin = await gql_data(client, CITED_BY, variables, await token_for(Role.ADMIN))
    staff = await gql_data(client, CITED_BY, variables, await token_for(Role.UNIT_STAFF, unit))
    other_staff = await gql_data(client, CITED_BY, variables, await token_for(Role.UNIT_STAFF, await make_unit()))

    codes = {public.code, draft.code}
    assert [p["code"] for p in anonymous["node"]["citedBy"] if p["code"] in codes] == [public.code]
    assert [p["code"] for p in admin["node"]["citedBy"] if p["code"] in codes] == sorted(codes)
    assert [p["code"] for p in staff["node"]["citedBy"] if p["code"] in codes] == sorted(codes)
    assert [p["code"] for p in other_staff["node"]["citedBy"] if p["code"] in codes] == [public.code]


async def test_cited_by_on_a_page_of_articles_costs_the_same_queries_for_5_as_for_40(
    client: httpx.AsyncClient,
) -> None:
    old, _ = await law_versions()
    unit = await make_unit()
    for number in (2, 20, 39):
        await cite(await make_power(unit), await article(old, number))
    token = await token_for(Role.ADMIN)
    await gql_data(client, "{ viewer { role } }", token=token)  # a token's first use is written down: not counted
    counts = []
    for first in (5, 40):
        with count_queries() as counter:
            data = await gql_data(client, ARTICLES_CITED_BY, {"id": gid("LegalDocument", old.id), "first": first}, token)
        counts.append(counter.count)
    cited = [n["label"] for n in data["node"]["articles"]["nodes"] if n["citedBy"]]
    assert {"第二条", "第二十条", "第三十九条"} <= set(cited)
    assert counts[0] == counts[1], f"{counts[0]} queries for 5 articles but {counts[1]} for 40"


async def test_compare_the_2017_and_2023_versions_article_by_article(client: httpx.AsyncClient) -> None:
    old, new = await law_versions()
    data = await gql_data(client, COMPARE, {"id": gid("LegalDocument", old.id), "other": gid("LegalDocument", new.id)})
    comparison = data["node"]["compareTo"]
    assert (comparison["older"]["versionDate"], comparison["newer"]["versionDate"]) == ("2017-09-01", "2023-09-01")
    # the 2023 revision rewrote every one of the 43 articles and added 47 more
    assert (len(comparison["changed"]), len(comparison["added"]), comparison["removed"]) == (43, 47, [])
    assert comparison["unchangedCount"] == 0
    first = comparison["changed"][0]
    assert (first["kind"], first["label"], first["before"]["label"], first["after"]["label"]) == (
        "CHANGED", "第一条", "第一条", "第一条",
    )  # fmt: skip
    assert "具体行政行为" in first["before"]["text"] and "具体行政行为" not in first["after"]["text"]
    assert "化解行政争议的主渠道" in first["after"]["text"]
    assert comparison["added"][0]["label"] == "第四十四条" and comparison["added"][0]["before"] is None
    assert comparison["added"][-1]["label"] == "第九十条"


async def test_compare_only_versions_of_one_work(client: httpx.AsyncClient) -> None:
    old, _ = await law_versions()
    other = await create_legal_document(ADMIN, LegalDocumentData(title=f"另一文件{unique('')}", level=old.level))
    body = await gql(client, COMPARE, {"id": gid("LegalDocument", old.id), "other": gid("LegalDocument", other.id)})
    assert body["data"]["node"]["compareTo"] is None
    assert body["errors"][0]["extensions"]["fields"][0]["code"] == "other_work"
    missing = await gql_data(client, COMPARE, {"id": gid("LegalDocument", old.id), "other": gid("LegalDocument", 10**9)})
    assert missing["node"]["compareTo"] is None


async def test_powers_resting_on_changed_articles_of_the_2017_law(client: httpx.AsyncClient) -> None:
    old, new = await law_versions()
    unit = await make_unit()
    public = await make_power(unit, code=own_code(unit))
    draft = await make_power(unit, code=own_code(unit))
    current = await make_power(unit, code=own_code(unit))
    await cite(public, await article(old, 9), await article(old, 28))
    await cite(draft, await article(old, 9))
    await cite(current, await article(new, 20))  # already on the 2023 text: not affected
    public, current = await published(public), await published(current)

    mine = {public.code, draft.code, current.code}
    seen = [(a.basis.power.code, a.basis.article.label, a.change.kind) for a in await affected_bases(PUBLIC, old.id)]
    assert [s for s in seen if s[0] in mine] == [
        (public.code, "第九条", ArticleChangeKind.CHANGED),
        (public.code, "第二十八条", ArticleChangeKind.CHANGED),
    ]
    by_admin = [(a.basis.power.code, a.basis.article.label) for a in await affected_bases(ADMIN, old.id, new.id)]
    assert [s for s in by_admin if s[0] in mine] == [
        (public.code, "第九条"), (public.code, "第二十八条"), (draft.code, "第九条"),
    ]  # fmt: skip
    staff = await staff_of(unit)
    assert {a.basis.power.code for a in await affected_bases_of_work(staff, old.work_id)} >= {public.code, draft.code}
    assert not await affected_bases(ADMIN, new.id), "the newest version compared with itself changes nothing"

    # through GraphQL, by default against the newest version, visibility applied
    data = await gql_data(client, AFFECTED, {"id": gid("LegalDocument", old.id)})
    rows = [r for r in data["node"]["affectedPowers"] if r["power"]["code"] in mine]
    assert [(r["power"]["code"], r["article"]["label"], r["change"]) for r in rows] == [
        (public.code, "第九条", "CHANGED"), (public.code, "第二十八条", "CHANGED"),
    ]  # fmt: skip
    ninth = rows[0]
    assert "六十日内提出行政复议申请" in ninth["article"]["text"]
    assert ninth["successor"]["label"] == "第九条" and ninth["successor"]["document"]["versionDate"] == "2023-09-01"
    assert ninth["basis"]["note"] == "依据第九条"


async def manual_versions() -> tuple[LegalDocument, LegalDocument]:
    """Two versions of one county rule: 第二条 amended, 第五条 dropped, 第一条 only re-typeset."""
    title = f"大余县行政权力公开运行办法{unique('')}"
    texts = ["为了规范行政权力运行，制定本办法。", "本办法适用于县直各单位。", "县公开办负责组织实施。", "各单位应当公开职权目录。", "本办法自发布之日起施行。"]
    v1 = await create_legal_document(ADMIN, LegalDocumentData(
        title=title, level=LegalLevel.NORMATIVE_DOCUMENT, version_date=datetime.date(2008, 1, 1),
        articles=[ArticleData(number=n, text=t) for n, t in enumerate(texts, 1)],
    ))  # fmt: skip
    amended = ["为了规范行政权力运行, 制定本办法。", "本办法适用于县直各单位和各乡镇。", texts[2], texts[3]]
    v2 = await create_legal_document(ADMIN, LegalDocumentData(
        title=title, level=LegalLevel.NORMATIVE_DOCUMENT, version_date=datetime.date(2012, 6, 1),
        articles=[ArticleData(number=n, text=t) for n, t in enumerate(amended, 1)],
    ))  # fmt: skip
    return v1, v2


async def test_removed_changed_and_unchanged_articles_of_two_versions(database: str) -> None:
    v1, v2 = await manual_versions()
    comparison = await compare_versions(v1.id, v2.id)
    assert [c.label for c in comparison.changed] == ["第二条"]
    assert [(c.label, c.after) for c in comparison.removed] == [("第五条", None)]
    assert comparison.added == [] and comparison.unchanged == 3  # 第一条 differs only in punctuation width

    unit = await make_unit()
    power = await make_power(unit)
    await cite(power, *[await article(v1, n) for n in (1, 2, 5)])
    affected = await affected_bases_of_work(Viewer(role=Role.INSPECTOR), v1.work_id)
    mine = [a for a in affected if a.basis.power_id == power.id]
    assert [(a.basis.article.label, a.change.kind) for a in mine] == [
        ("第二条", ArticleChangeKind.CHANGED), ("第五条", ArticleChangeKind.REMOVED),
    ]  # fmt: skip
    assert mine[0].change.after is not None and mine[0].change.after.text == "本办法适用于县直各单位和各乡镇。"
    assert mine[1].change.after is None
