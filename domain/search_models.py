"""The search's own data: the thesaurus of everyday words and the legal terms they stand for."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ThesaurusEntry(Model):
    """An everyday word → legal terms, added or changed by an administrator.

    It overlays the curated table shipped with the software (search/thesaurus.tsv): an entry for a word
    that table lists replaces it, and a disabled entry takes the word out of both."""

    id = fields.IntField(primary_key=True)
    word = fields.CharField(max_length=40, unique=True, description="as people type it, e.g. 低保")
    terms = fields.CharField(max_length=400, description="the legal terms, separated by spaces")
    enabled = fields.BooleanField(default=True, description="false: the word expands to nothing")
    note = fields.CharField(max_length=200, default="")
    updated_by = fields.CharField(max_length=100, default="", description="who changed it last")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "thesaurus_entry"
        app = "qingquan"
        table_description = "Everyday words and the legal terms they stand for (over search/thesaurus.tsv)."


class Embedding(Model):
    """The vector of one text by meaning (search/semantic.py): an article version's or a power's text, as
    the model `model` reads it, stored so that every host searches with the same vectors (rebuilt into
    memory from here). `text_hash` says which text it is the vector of: a text that changed is embedded
    again, and an unchanged text (a new version repeating an article) reuses the vector it already has."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=10, description="article | power")
    entity_id = fields.IntField()
    model = fields.CharField(max_length=60)
    text_hash = fields.CharField(max_length=32)
    vector = fields.BinaryField(description="int8 × the model's dimensions (scaled to ±127, read back as a unit vector)")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "search_embedding"
        app = "qingquan"
        unique_together = (("kind", "entity_id", "model"),)
        indexes = (("model", "text_hash"),)
        table_description = "Vectors of articles and powers for the search by meaning (search/semantic.py)."
