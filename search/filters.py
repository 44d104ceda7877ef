"""Index filters built from the domain's rules: who sees which power, which version is in force."""

from __future__ import annotations

from datetime import date

from domain.access import Viewer, power_visibility
from search.documents import PUBLIC, day, keyword
from search.model import AnyOf, Between, Either, Filter


def visible_powers(viewer: Viewer) -> tuple[Filter, ...]:
    """domain.access's rule as an index filter: the public rule (one keyword), or the viewer's units within
    the disclosure scopes it sees there (a unit's staff not its LEADERSHIP powers)."""
    rule = power_visibility(viewer)
    if rule.sees_all:
        return ()
    # one precomputed keyword (search.documents.is_public_power) instead of the rule's three values: each of
    # those holds for nearly every power, so three filters cost work per match of the query's words
    public: tuple[Filter, ...] = (AnyOf(PUBLIC, (keyword(True),)),)
    if not rule.unit_ids:
        return public
    own: tuple[Filter, ...] = (AnyOf("unit_id", tuple(keyword(i) for i in sorted(rule.unit_ids))),)
    if rule.unit_scopes_limited:
        own += (AnyOf("disclosure_scope", tuple(keyword(s) for s in sorted(rule.unit_scopes))),)
    return (Either((public, own)),)


def in_force_on(when: date) -> tuple[Filter, ...]:
    """Versions in force on `when`: valid_from ≤ when < valid_to."""
    d = day(when)
    assert d is not None
    return (Between("valid_from", None, d), Between("valid_to", d + 1, None))


def any_of(field: str, values: list[object] | None) -> tuple[Filter, ...]:
    """A keyword filter when values are given (none given: no filter)."""
    return (AnyOf(field, tuple(dict.fromkeys(keyword(v) for v in values))),) if values else ()
