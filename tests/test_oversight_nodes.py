"""node(id) reaches reviews and change notices through the same rule as their lists: never public,
a unit its own, oversight roles all."""

from __future__ import annotations

import httpx

from domain.access import CLI
from domain.change_notices import power_changed
from domain.enums import Role
from domain.workflow_models import ChangeNotice, Review
from schema.relay import encode_id
from tests.factories import make_unit
from tests.helpers import gql_data, token_for
from tests.workflow_factories import published_power

NODE = """query ($id: ID!) { node(id: $id) { __typename id ... on Review { round } ... on ChangeNotice { status } } }"""


async def test_reviews_and_change_notices_by_id_follow_their_visibility(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await published_power(unit)
    await power_changed(CLI, power, "law.new_version")
    review = await Review.get(power_id=power.id)
    notice = await ChangeNotice.get(power_id=power.id)
    tokens = {
        "public": None, "unit": await token_for(Role.UNIT_STAFF, unit),
        "other unit": await token_for(Role.UNIT_STAFF, await make_unit()), "reviewer": await token_for(Role.REVIEWER),
    }  # fmt: skip
    for type_name, pk in (("Review", review.id), ("ChangeNotice", notice.id)):
        global_id = encode_id(type_name, pk)
        seen = {who: (await gql_data(client, NODE, {"id": global_id}, t))["node"] for who, t in tokens.items()}
        assert {who: node and node["__typename"] for who, node in seen.items()} == {
            "public": None, "unit": type_name, "other unit": None, "reviewer": type_name,
        }, type_name  # fmt: skip
        assert seen["unit"]["id"] == global_id
