"""What a legal-search query asks for, before any backend sees it.

People type `治安管理处罚法第50条`, `公务员法 辞职 多久批`, `低保` or `食品过期了还在卖怎么罚`. `understand`
turns a query into:

- **citations** (search.citations): a law named by any alias and an article number, looked up directly
  in the library by the resolver and ranked first;
- **laws** named without an article: the search keeps to them (and widens again if that finds nothing);
- **terms**: the words left, each with the legal terms the thesaurus gives for it (黑车 → 非法营运 …).
  A query typed as keywords (spaces between words) keeps its words as typed; a question typed as a
  sentence is cut into words (jieba, its dictionary extended with the thesaurus, the law names and the
  question words), the question words and particles are dropped, and it is ranked by relevance
  (`question`: no word is required; the more terms a text has, the better it ranks).

The same understanding goes to the embedded index and to Meilisearch. The vocabulary (law names from the
library, the curated tables shipped in this package, the administrators' thesaurus entries) is read
again only when one of them changed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from search import analysis, nearby
from search.citations import Citation, LawMention, LawNames, citations, law_aliases
from search.model import QueryTerm

log = logging.getLogger("qingquan.search")

MAX_TERMS = analysis.MAX_QUERY_WORDS
MAX_ALTERNATIVES = 6
#: A query without spaces at least this long, or with a question word, is read as a sentence.
SENTENCE = 6
#: A question is cut into words up to this many characters (jieba's cost grows with the text).
MAX_SENTENCE = 120
QUESTION_MARKERS = re.compile(r"[?？吗呢]|怎么|怎样|如何|能不能|能否|可不可以|可以|是否|是不是|有没有|多久|多少|哪|什么|为什么|为啥|谁|咋")
SPLIT = re.compile(r"[^\W_]+")
#: A word of the segmenter up to this long is looked at for known pieces it may be glued from (`_parts`).
GLUED = 6
#: A number counted the way people say it, and the unit the statutes count it in (十五岁 → 十五周岁, 三天 → 三日,
#: 不足三家 → 三个): the word as typed is searched too.
COUNTED = re.compile(r"([0-9零〇一二两三四五六七八九十百千万]+)(岁|天|家)")
LEGAL_UNIT = {"岁": "周岁", "天": "日", "家": "个"}


def _table(name: str) -> str:
    return resources.files("search").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def curated_thesaurus() -> dict[str, tuple[str, ...]]:
    """search/thesaurus.tsv: word → legal terms (read once; callers copy before changing it)."""
    out: dict[str, tuple[str, ...]] = {}
    for line in _table("thesaurus.tsv").splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, terms = line.partition("\t")
            if word.strip() and terms.split():
                out[word.strip()] = tuple(dict.fromkeys(terms.split()))
    return out


@functools.cache
def stopwords() -> frozenset[str]:
    return frozenset(
        w for line in _table("stopwords.tsv").splitlines() if not line.startswith("#") for w in line.split()
    )


@dataclass
class Vocabulary:
    names: LawNames = field(default_factory=LawNames)
    thesaurus: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stop: frozenset[str] = frozenset()
    _segmenter_ready: bool = field(default=False, repr=False)

    @functools.cached_property
    def known(self) -> frozenset[str]:
        """The words `_parts` cuts a glued word into: the thesaurus's and the question words."""
        return frozenset(self.thesaurus) | self.stop


@dataclass
class Understanding:
    query: str
    citations: list[Citation] = field(default_factory=list)
    laws: list[LawMention] = field(default_factory=list)
    terms: list[QueryTerm] = field(default_factory=list)
    #: question words and particles left out
    dropped: list[str] = field(default_factory=list)
    #: asked as a sentence: ranked by relevance, no word required
    question: bool = False

    @property
    def work_ids(self) -> tuple[int, ...]:
        """The works the laws named (without an article) stand for."""
        cited = {id(c.law) for c in self.citations}
        return tuple(dict.fromkeys(w for law in self.laws if id(law) not in cited for w in law.work_ids))


# --- segmentation ------------------------------------------------------------------------------

_tokenizer: Any = None
_tokenizer_words: set[str] = set()
_tokenizer_lock = threading.Lock()


def _segmenter(words: Iterable[str]) -> Any:
    """jieba's tokenizer (loaded once per process, about a second), knowing `words` as words."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
        new = [w for w in words if w not in _tokenizer_words and len(w) > 1]
        for word in new:
            _tokenizer.add_word(word, freq=100_000)
            _tokenizer_words.add(word)
        return _tokenizer


def preload(vocabulary: Vocabulary | None = None) -> None:
    """Load the segmenter now (at start-up, in a thread) rather than on the first question."""
    vocab = vocabulary or Vocabulary(thesaurus=curated_thesaurus(), stop=stopwords())
    _segmenter(_user_words(vocab))
    nearby.warm()  # the statutes' words and their vectors (a fifth of a second)
    if vocabulary is not None:
        vocabulary._segmenter_ready = True


def _user_words(vocabulary: Vocabulary) -> list[str]:
    words = set(vocabulary.thesaurus) | set(vocabulary.stop)
    for terms in vocabulary.thesaurus.values():
        words.update(terms)
    words.update(a for a in vocabulary.names.aliases if len(a) <= 20)
    return sorted(words)


def segment(text: str, vocabulary: Vocabulary) -> list[str]:
    tokenizer = _segmenter(() if vocabulary._segmenter_ready else _user_words(vocabulary))
    vocabulary._segmenter_ready = True
    return [t for t in tokenizer.lcut(text, HMM=True) if SPLIT.fullmatch(t)]


# --- understanding ------------------------------------------------------------------------------


def is_sentence(text: str) -> bool:
    pieces = SPLIT.findall(text)
    if not pieces:
        return False
    return bool(QUESTION_MARKERS.search(text)) or (len(pieces) == 1 and len(pieces[0]) >= SENTENCE)


def _term(word: str, vocabulary: Vocabulary, *, literal: bool = True) -> QueryTerm:
    alternatives = tuple(t for t in vocabulary.thesaurus.get(word, ()) if t != word)
    if (counted := COUNTED.fullmatch(word)) and counted[2] in LEGAL_UNIT:  # 两岁 → 两周岁, 三家 → 三个
        alternatives += (counted[1] + LEGAL_UNIT[counted[2]],)
    alternatives = alternatives[:MAX_ALTERNATIVES]
    return QueryTerm(word, alternatives, literal=literal or not alternatives)


def _parts(token: str, vocabulary: Vocabulary) -> list[str]:
    """A word the segmenter glued from known pieces (交学费, 吵得, 罚得, 能退: a thesaurus word with another or
    with a question word or particle) as those pieces, so that the thesaurus word is read as such; any other
    word as it is. The fewest pieces win (学费 over 学 + 费)."""
    known = vocabulary.known
    if len(token) < 2 or len(token) > GLUED or token in known:
        return [token]
    best: list[list[str] | None] = [[]] + [None] * len(token)  # best[i]: the fewest pieces of token[:i]
    for end in range(1, len(token) + 1):
        for start in range(end):
            piece, before = token[start:end], best[start]
            if before is not None and piece in known and (best[end] is None or len(before) + 1 < len(best[end])):
                best[end] = [*before, piece]
    pieces = best[-1]
    if pieces is None or not any(p in vocabulary.thesaurus for p in pieces):
        return [token]
    return pieces


def understand(query: str, vocabulary: Vocabulary, *, as_sentence: bool = False) -> Understanding:
    """The query's citations, laws and terms (see the module's doc); `as_sentence`: cut every word
    as a question's would be (a keyword query whose words as typed occur in no text: 离婚冷静期)."""
    query = query[:500]
    found, laws, rest = citations(query, vocabulary.names)
    result = Understanding(query=query, citations=found, laws=laws)
    # a query naming a law looks among that law's articles only: its other words need not all occur
    named = bool(laws) and not found
    result.question = as_sentence or named or is_sentence(rest)
    terms: dict[str, QueryTerm] = {}
    everyday: list[str] = []  # a question's words no thesaurus entry covers: widened by meaning (search.nearby)
    if result.question:
        for token in (p for t in segment(rest[:MAX_SENTENCE], vocabulary) for p in _parts(t.lower(), vocabulary)):
            expands = token in vocabulary.thesaurus
            if not expands and (token in vocabulary.stop or all(ch in vocabulary.stop for ch in token)):
                result.dropped.append(token)  # a question word, or one made of them only (能要, 还能)
            elif len(token) == 1 and not expands:
                result.dropped.append(token)  # a lone character matches too much to mean anything
            elif token not in terms:
                terms[token] = _term(token, vocabulary, literal=token not in vocabulary.stop and len(token) > 1)
                if not expands and terms[token].literal:
                    everyday.append(token)
    else:
        for word in analysis.query_words(rest):
            if word in vocabulary.stop and word not in vocabulary.thesaurus and len(SPLIT.findall(rest)) > 1:
                result.dropped.append(word)
            elif word not in terms:
                terms[word] = _term(word, vocabulary)
    for word, near in nearby.near(everyday).items():
        if near:  # every everyday word is a term by now
            terms[word] = replace(terms[word], near=near)
    if named:
        # searched within the law named, a word its title holds (国赔法 关押一天赔多少: 赔, 赔偿; 个税法 交不交税:
        # 税) is in nearly every article of it: it tells none of them apart, and only outweighs the words that do
        titles = [law.title for law in laws]
        for word in [w for w in terms if any(w in title for title in titles)]:
            result.dropped.append(terms.pop(word).word)
    result.terms = list(terms.values())[:MAX_TERMS]
    return result


# --- the vocabulary, read again when it changed ---------------------------------------------------

_cached: tuple[tuple[Any, ...], Vocabulary] | None = None
_cache_lock = asyncio.Lock()
# what the vocabulary is made of has changed when these have; read with the database's identity, which a
# search checks the index against (search.manifest), in the same statement (issue 9: one round trip less)
FINGERPRINT = (
    "SELECT (SELECT COUNT(*) FROM legal_work) AS works, (SELECT MAX(id) FROM legal_work) AS last_work, "
    "(SELECT COUNT(*) FROM thesaurus_entry) AS entries, (SELECT MAX(updated_at) FROM thesaurus_entry) AS changed, "
    "(SELECT instance_id FROM database_identity WHERE id = 1) AS database"
)


async def vocabulary() -> Vocabulary:
    """The law names of the library and the thesaurus (curated, overlaid by the administrators')."""
    return (await vocabulary_and_database())[0]


async def vocabulary_and_database() -> tuple[Vocabulary, str | None]:
    """`vocabulary()`, and the database's identity (domain.identity) read with it (None if not made yet)."""
    global _cached
    from tortoise import connections

    from domain.identity import database_identity
    from domain.models import LegalWork
    from domain.search_models import ThesaurusEntry

    client = connections.get("default")
    try:
        row = (await client.execute_query_dict(FINGERPRINT))[0]
    except Exception:  # no identity table: a database older than the migration that makes it
        await database_identity()  # makes it
        row = (await client.execute_query_dict(FINGERPRINT))[0]
    database = str(row["database"]) if row["database"] is not None else None
    key = (id(client), *(str(v) for v in row.values()))
    if _cached is not None and _cached[0] == key:
        return _cached[1], database
    async with _cache_lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1], database
        thesaurus = dict(curated_thesaurus())
        for entry in await ThesaurusEntry.all().values("word", "terms", "enabled"):
            if entry["enabled"] and entry["terms"].split():
                thesaurus[entry["word"]] = tuple(dict.fromkeys(entry["terms"].split()))
            else:
                thesaurus.pop(entry["word"], None)
        works = await LegalWork.all().values_list("id", "title")
        vocab = Vocabulary(LawNames.build(works, law_aliases()), thesaurus, stopwords())
        _cached = (key, vocab)
        return vocab, database
