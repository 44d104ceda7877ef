"""Legal search that understands how people ask (search.citations, search.understand): citations typed
every which way, laws named loosely, questions, everyday words through the thesaurus, and the
thesaurus's API for admins — the parsing on its own, then everything through the real app."""

from __future__ import annotations

import httpx
import pytest

from domain.enums import Role
from domain.models import AuditEvent, Unit
from domain.search_models import ThesaurusEntry
from search import nearby
from search.citations import LawNames, citations, law_aliases
from search.understand import Vocabulary, curated_thesaurus, stopwords, understand
from tests.helpers import gql, gql_data, token_for

TITLES = [
    "中华人民共和国治安管理处罚法", "中华人民共和国民法典", "中华人民共和国行政许可法", "中华人民共和国土地管理法",
    "中华人民共和国劳动合同法", "中华人民共和国刑法", "中华人民共和国公务员法", "中华人民共和国行政处罚法",
    "中华人民共和国招标投标法", "中华人民共和国食品安全法", "中华人民共和国土地管理法实施条例",
    "中华人民共和国村民委员会组织法", "中华人民共和国反家庭暴力法", "中华人民共和国个人所得税法",
    "国有土地上房屋征收与补偿条例", "中华人民共和国政府信息公开条例", "中华人民共和国国家赔偿法",
]  # fmt: skip
NAMES = LawNames.build(list(enumerate(TITLES, 1)), law_aliases())
VOCABULARY = Vocabulary(NAMES, curated_thesaurus(), stopwords())


@pytest.mark.parametrize(
    ("query", "law", "label", "paragraph", "item", "year"),
    [
        ("治安管理处罚法第50条", "治安管理处罚法", "第五十条", None, None, None),
        ("民法典第584条", "民法典", "第五百八十四条", None, None, None),
        ("《行政许可法》第十二条", "行政许可法", "第十二条", None, None, None),
        ("《中华人民共和国行政许可法》第十二条", "行政许可法", "第十二条", None, None, None),
        ("2019年土地管理法第四十七条", "土地管理法", "第四十七条", None, None, 2019),
        ("土地管理法（2019年修正）第四十七条", "土地管理法", "第四十七条", None, None, 2019),
        ("劳动合同法 第 39 条", "劳动合同法", "第三十九条", None, None, None),
        ("行政许可法12条", "行政许可法", "第十二条", None, None, None),
        ("刑法第一百三十三条之一", "刑法", "第一百三十三条之一", None, None, None),
        ("刑法第291条之二", "刑法", "第二百九十一条之二", None, None, None),
        ("行政处罚法第三十六条第一款", "行政处罚法", "第三十六条", 1, None, None),
        ("食品安全法第124条第1款第5项", "食品安全法", "第一百二十四条", 1, 5, None),
        ("民法典第一千一百六十五条", "民法典", "第一千一百六十五条", None, None, None),
        ("ＸＸ 行政许可法第１２条", "行政许可法", "第十二条", None, None, None),  # full-width digits
        ("土地管理法实施条例第五条", "土地管理法实施条例", "第五条", None, None, None),  # the longer name wins
        ("个税法第六条", "个人所得税法", "第六条", None, None, None),  # a common short name
        ("拆迁条例第十七条", "国有土地上房屋征收与补偿条例", "第十七条", None, None, None),
    ],
)
def test_citations_typed_every_which_way(
    query: str, law: str, label: str, paragraph: int | None, item: int | None, year: int | None
) -> None:
    found, laws, _ = citations(query, NAMES)
    assert len(found) == 1, (query, found)
    c = found[0]
    assert c.law.title.removeprefix("中华人民共和国") == law
    assert (c.label, c.paragraph, c.item, c.year) == (label, paragraph, item, year)


def test_a_number_without_a_law_or_after_other_words_is_not_a_citation() -> None:
    assert citations("第五十条 罚款", NAMES)[0] == []
    # 第 is optional only right after the name; elsewhere the number must carry it
    found, laws, rest = citations("劳动合同法 试用期 6个月", NAMES)
    assert found == [] and [law.title for law in laws] == ["中华人民共和国劳动合同法"]
    assert rest == "试用期 6个月"
    assert [str(c) for c in citations("劳动合同法 关于解除 第39条", NAMES)[0]] == ["《中华人民共和国劳动合同法》第三十九条"]


@pytest.mark.parametrize(
    ("query", "law"),
    [
        ("村组法 村委会 任期", "村民委员会组织法"),  # an abbreviation: its characters in order
        ("反家暴法 保护令", "反家庭暴力法"),
        ("土地管里法 征地", "土地管理法"),  # one character off
        ("行政许可发 撤销", "行政许可法"),  # one character off, at the end
        ("招投标法 评标", "招标投标法"),  # the curated short names
    ],
)
def test_laws_named_loosely(query: str, law: str) -> None:
    _, laws, _ = citations(query, NAMES)
    assert [x.title.removeprefix("中华人民共和国") for x in laws] == [law]


@pytest.mark.parametrize("query", ["行政处罚 种类", "行政许可 决定 期限", "城管执法 扣车", "违法行为 不合法"])
def test_words_that_only_resemble_a_law_name_are_words(query: str) -> None:
    assert citations(query, NAMES)[1] == []


def test_a_question_is_cut_into_words_its_question_words_dropped_and_everyday_words_expanded() -> None:
    meaning = understand("城管能不能扣我的三轮车", VOCABULARY)
    assert meaning.question and not meaning.citations
    assert {"能不能", "我", "的"} <= set(meaning.dropped)
    terms = {t.word: t for t in meaning.terms}
    assert "城市管理" in terms["城管"].alternatives and "非机动车" in terms["三轮车"].alternatives
    # a lone character is searched only through its legal terms
    assert not terms["扣"].literal and "扣押" in terms["扣"].alternatives
    keyword = understand("行政许可 决定 期限", VOCABULARY)
    assert not keyword.question and [t.word for t in keyword.terms] == ["行政许可", "决定", "期限"]
    assert [t.word for t in understand("低保", VOCABULARY).terms] == ["低保"]
    assert understand("低保", VOCABULARY).terms[0].alternatives == ("最低生活保障", "社会救助")
    named = understand("公务员法 辞职 多久批", VOCABULARY)
    assert named.question and named.work_ids and "多久" in [t.word for t in named.terms]


def test_an_everyday_word_no_entry_covers_is_widened_to_the_statutes_nearest_words() -> None:
    """search.nearby: 相片 (the statutes say 照片), with no thesaurus entry, reaches 照片 by the static model's
    table; a word the thesaurus covers, or one the statutes use often, is left as it is."""
    terms = {t.word: t for t in understand("相片被人乱用怎么办", VOCABULARY).terms}
    assert "照片" in terms["相片"].near and not terms["相片"].alternatives
    assert terms["相片"].words[:2] == ("相片", "照片")
    terms = {t.word: t for t in understand("开车的时候能不能看手机", VOCABULARY).terms}
    assert terms["开车"].alternatives and not terms["开车"].near  # the thesaurus's 驾驶 机动车
    assert not understand("相片 乱用", VOCABULARY).terms[0].near  # keywords as typed: not widened
    assert "儿童" in nearby.near(["小孩"])["小孩"] and nearby.near(["应当"]) == {"应当": ()}


def test_a_word_glued_from_known_pieces_is_read_as_its_pieces() -> None:
    """jieba cuts 交学费, 吵得 and 罚得 as one word each, which no law has; read as their pieces, the
    thesaurus's words among them are searched for their legal terms and the particles dropped."""
    fees = {t.word: t for t in understand("孩子上初中还要交学费吗", VOCABULARY).terms}
    assert "交学费" not in fees and "学费" in fees and "缴纳" in fees["交"].alternatives
    noise = understand("楼上装修吵得不行该找谁投诉", VOCABULARY)
    assert "噪声" in {t.word: t for t in noise.terms}["吵"].alternatives and "得" in noise.dropped
    fined = [t.word for t in understand("罚款罚得很多能不能要求开听证会", VOCABULARY).terms]
    assert "罚得" not in fined and "罚" in fined
    # a thesaurus word is never cut, nor a word with a piece nobody knows (小卖部: 小卖 + 部)
    assert [t.word for t in understand("交钱", VOCABULARY, as_sentence=True).terms] == ["交钱"]
    assert "小卖部" in [t.word for t in understand("小卖部能不能卖烟给初中生", VOCABULARY).terms]


def test_within_a_law_named_the_words_of_its_title_are_not_searched() -> None:
    """国赔法 关押一天赔多少: every article of 国家赔偿法 says 赔偿; searched within it, 赔 tells none apart."""
    compensation = understand("国家赔偿法 关押一天赔多少", VOCABULARY)
    assert compensation.work_ids and "赔" in compensation.dropped
    assert [t.word for t in compensation.terms] == ["关押", "一天"]
    taxes = understand("个人所得税法 退休金 交不交税", VOCABULARY)
    assert "税" in taxes.dropped and "退休金" in [t.word for t in taxes.terms]
    # without a law named, the same words are searched
    assert "赔" in [t.word for t in understand("关押一天赔多少", VOCABULARY).terms]


def test_a_number_counted_as_people_say_it_is_searched_in_the_statutes_unit_too() -> None:
    terms = {t.word: t for t in understand("离婚了两岁的孩子归谁养", VOCABULARY).terms}
    assert "两周岁" in terms["两岁"].alternatives and terms["两岁"].literal
    assert "三个" in {t.word: t for t in understand("招标投标法 投标人不足三家", VOCABULARY).terms}["三家"].alternatives
    assert "一日" in {t.word: t for t in understand("关押一天赔多少", VOCABULARY).terms}["一天"].alternatives


def test_understanding_is_linear_and_bounded() -> None:
    """However long the query, the scan is bounded (500 characters, a window at each place)."""
    import time

    start = time.perf_counter()
    meaning = understand("法" * 100_000 + "第一条" * 10_000, VOCABULARY)
    assert time.perf_counter() - start < 2.0
    assert len(meaning.terms) <= 12


# --- through the app (the session database holds the packaged national library) ------------------

SEARCH = """
query ($q: String!, $first: Int) {
  searchLegalBasis(query: $q, first: $first) {
    totalCount matchedAllWords
    understanding { citations { citation law label paragraph year found } laws terms { word alternatives literal } dropped question }
    edges { node { matchedWords snippet titleHighlight article { label } document { title } } }
  }
}
"""
FACETS = """
query ($q: String!) { searchLegalBasis(query: $q, first: 3) { totalCount facets { levels { level count } documents { document { title } count } } } }
"""


async def search(client: httpx.AsyncClient, q: str, first: int = 5, token: str | None = None) -> dict:
    return (await gql_data(client, SEARCH, {"q": q, "first": first}, token))["searchLegalBasis"]


def hit_names(data: dict) -> list[str]:
    return [e["node"]["document"]["title"].removeprefix("中华人民共和国") + e["node"]["article"]["label"] for e in data["edges"]]


pytestmark_app = pytest.mark.usefixtures("search_backend")


@pytestmark_app
async def test_a_citation_is_looked_up_and_ranked_first(search_client: httpx.AsyncClient) -> None:
    data = await search(search_client, "行政许可法12条")
    assert hit_names(data) == ["行政许可法第十二条"] and data["totalCount"] == 1
    cited = data["understanding"]["citations"]
    assert cited == [{"citation": "《中华人民共和国行政许可法》第十二条", "law": "中华人民共和国行政许可法",
                      "label": "第十二条", "paragraph": None, "year": None, "found": True}]  # fmt: skip
    assert data["edges"][0]["node"]["matchedWords"] == ["《中华人民共和国行政许可法》第十二条"]
    # with words besides: the cited article, then that law's articles with the words
    data = await search(search_client, "《中华人民共和国行政许可法》第十二条 听证", first=10)
    names = hit_names(data)
    assert names[0] == "行政许可法第十二条" and len(names) > 1
    assert all(n.startswith("行政许可法") for n in names) and len(set(names)) == len(names)
    # an article the library does not hold: said so, no error, nothing pretended
    data = await search(search_client, "行政许可法第九百九十九条")
    assert data["edges"] == [] and data["understanding"]["citations"][0]["found"] is False


@pytestmark_app
async def test_a_law_named_loosely_keeps_the_search_to_that_law(search_client: httpx.AsyncClient) -> None:
    data = await search(search_client, "许可法 撤销", first=10)
    assert data["understanding"]["laws"] == ["中华人民共和国行政许可法"]
    assert hit_names(data) and all(n.startswith("行政许可法") for n in hit_names(data))
    assert "行政许可法第六十九条" in hit_names(data)[:3]


@pytestmark_app
async def test_a_question_in_plain_language_finds_articles(search_client: httpx.AsyncClient) -> None:
    data = await search(search_client, "当场罚款以后多久要交钱", first=10)
    u = data["understanding"]
    assert u["question"] and {"以后", "要"} & set(u["dropped"])
    assert data["totalCount"] > 0 and all(e["node"]["matchedWords"] for e in data["edges"])
    assert any("<em>" in e["node"]["snippet"] for e in data["edges"])


@pytestmark_app
async def test_a_question_in_everyday_words_finds_the_statutes_words_near_them(
    search_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """相片 is in no article of the library, 照片 in several: the widening by meaning finds them (off, not)."""
    question = "相片被人乱用怎么办"
    matched = {w for e in (await search(search_client, question, first=20))["edges"] for w in e["node"]["matchedWords"]}
    assert "照片" in matched
    monkeypatch.setattr(nearby, "NEAREST", 0)
    matched = {w for e in (await search(search_client, question, first=20))["edges"] for w in e["node"]["matchedWords"]}
    assert "照片" not in matched


@pytestmark_app
async def test_facets_are_counted_only_when_asked_for(search_client: httpx.AsyncClient) -> None:
    data = (await gql_data(search_client, FACETS, {"q": "行政许可 听证"}))["searchLegalBasis"]
    assert data["totalCount"] > 0 and sum(x["count"] for x in data["facets"]["levels"]) == data["totalCount"]
    assert data["facets"]["documents"][0]["document"]["title"]
    # a bare citation counts its own article in the facets
    data = (await gql_data(search_client, FACETS, {"q": "民法典第五百八十四条"}))["searchLegalBasis"]
    assert data["totalCount"] == 1 and data["facets"]["documents"][0]["count"] == 1


SET = """
mutation ($word: String!, $terms: [String!]!, $enabled: Boolean! = true) {
  setThesaurusEntry(word: $word, terms: $terms, enabled: $enabled) {
    __typename
    ... on ThesaurusEntry { word terms enabled source }
    ... on ValidationErrors { errors { field code } }
    ... on PermissionDeniedError { message }
  }
}
"""
REMOVE = """
mutation ($word: String!) { removeThesaurusEntry(word: $word) {
  __typename ... on RemovedThesaurusEntry { word } ... on NotFoundError { message } ... on PermissionDeniedError { message } } }
"""
LIST = "query ($word: String) { searchThesaurus(word: $word) { word terms enabled source updatedBy } }"


@pytestmark_app
async def test_admins_extend_the_thesaurus_and_the_next_search_uses_it(search_client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    word = "证照审批"
    before = await search(search_client, word)
    assert before["understanding"]["terms"][0]["alternatives"] == []
    made = (await gql_data(search_client, SET, {"word": word, "terms": ["行政许可", "许可证"]}, admin))["setThesaurusEntry"]
    assert made == {"__typename": "ThesaurusEntry", "word": word, "terms": ["行政许可", "许可证"], "enabled": True,
                    "source": "ADMIN"}  # fmt: skip
    after = await search(search_client, word)  # no reindex: the next search knows the word
    assert after["understanding"]["terms"][0]["alternatives"] == ["行政许可", "许可证"]
    assert after["totalCount"] > 0
    events = await AuditEvent.filter(action="thesaurus.set").values_list("detail", flat=True)
    assert any(d.get("word") == word and d.get("terms") == ["行政许可", "许可证"] for d in events)
    listed = (await gql_data(search_client, LIST, {"word": word}, admin))["searchThesaurus"]
    assert listed == [{"word": word, "terms": ["行政许可", "许可证"], "enabled": True, "source": "ADMIN", "updatedBy": listed[0]["updatedBy"]}]

    # a curated word switched off, then back as shipped
    off = (await gql_data(search_client, SET, {"word": "低保", "terms": [], "enabled": False}, admin))["setThesaurusEntry"]
    assert off["source"] == "ADMIN" and off["enabled"] is False
    assert (await search(search_client, "低保"))["understanding"]["terms"][0]["alternatives"] == []
    listed = (await gql_data(search_client, LIST, {"word": "低保"}, admin))["searchThesaurus"]
    assert [x["source"] for x in listed if x["word"] == "低保"] == ["CHANGED"]
    for w in (word, "低保"):
        assert (await gql_data(search_client, REMOVE, {"word": w}, admin))["removeThesaurusEntry"]["__typename"] == "RemovedThesaurusEntry"
    assert (await search(search_client, "低保"))["understanding"]["terms"][0]["alternatives"] == ["最低生活保障", "社会救助"]
    assert (await gql_data(search_client, REMOVE, {"word": word}, admin))["removeThesaurusEntry"]["__typename"] == "NotFoundError"


@pytestmark_app
async def test_the_thesaurus_refuses_bad_entries_and_other_roles(search_client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    staff = await token_for(Role.UNIT_STAFF, await Unit.first())
    count = await AuditEvent.all().count()
    bad = (await gql_data(search_client, SET, {"word": "两 个词", "terms": ["行政 许可", "x" * 41]}, admin))["setThesaurusEntry"]
    assert bad["__typename"] == "ValidationErrors"
    assert {e["field"] for e in bad["errors"]} == {"word", "terms.0", "terms.1"}
    assert (await gql_data(search_client, SET, {"word": "空的", "terms": []}, admin))["setThesaurusEntry"]["__typename"] == "ValidationErrors"
    for token in (None, staff):
        denied = (await gql_data(search_client, SET, {"word": "好词", "terms": ["行政许可"]}, token))["setThesaurusEntry"]
        assert denied["__typename"] == "PermissionDeniedError"
    # the public does not read the administrators' list (who changed what)
    body = await gql(search_client, LIST, {"word": "低保"})
    assert body["errors"] and body["errors"][0]["extensions"]["code"] == "forbidden"
    assert not await ThesaurusEntry.filter(word__in=["两 个词", "空的", "好词"]).exists()
    assert await AuditEvent.all().count() == count


@pytestmark_app
def test_the_cli_reads_its_words_as_one_query(db_url: str, search_settings, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import json

    from tests.conftest import run_cli

    monkeypatch.setenv("QINGQUAN_SEARCH_INDEX_DIR", search_settings.search_index_dir)
    results = json.loads(run_cli("search", "行政许可法12条", "撤销", "--json", "--limit", "3", db_url=db_url).stdout)
    assert [r["query"] for r in results] == ["行政许可法12条 撤销"]
    assert results[0]["understood"]["citations"] == ["《中华人民共和国行政许可法》第十二条"]
    assert results[0]["hits"][0]["name"] == "中华人民共和国行政许可法 第十二条"
    proc = run_cli("search", "城管能不能扣我的三轮车", "--limit", "2", db_url=db_url)
    shown = proc.stdout + proc.stderr
    assert "left out: 能不能" in shown and "ranked as a question" in shown
