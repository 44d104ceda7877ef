"""Open data: the public catalogue at stable URLs as JSON and CSV, with ETag and Last-Modified, the
same for every caller (a token changes nothing), and never a hidden power."""

from __future__ import annotations

import csv
import io
from email.utils import parsedate_to_datetime

import httpx
import pytest

from domain.enums import PowerCategory, Role
from domain.models import Power, Unit
from domain.services.powers import PowerData, create_power
from resolvers.ids import encode_id
from tests.factories import ADMIN, make_power, make_unit, power_name
from tests.helpers import token_for
from tests.workflow_factories import published_power

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids


async def unit_with_hidden_powers() -> tuple[Unit, str, list[str]]:
    unit = await make_unit(name="测试开放数据单位")
    shown = await published_power(unit, name=power_name("公共场所卫生许可"), category=PowerCategory.LICENSING)
    secret = await make_power(unit, name=power_name("涉密事项核查"), confidential=True, confidentiality_reason="涉密",
                              confidentiality_basis="《保守国家秘密法》")  # fmt: skip
    draft = await make_power(unit, name=power_name("草稿中的处罚"))
    return unit, shown.code, [secret.code, secret.name, draft.code, draft.name]


async def test_the_county_catalogue_as_json_with_validators(client: httpx.AsyncClient) -> None:
    unit, shown, hidden = await unit_with_hidden_powers()
    response = await client.get("/open-data/catalog.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["public"] is True and document["role"] == "PUBLIC"
    codes = {p["code"] for p in document["powers"]}
    assert shown in codes and not any(h in response.text for h in hidden)
    assert all(p["status"] == "PUBLISHED" and p["statusLabel"] == "公开运行" and not p["confidential"] for p in document["powers"])
    # format 2 (issue 25): the API's global ids and camelCase names, each value with its label beside it
    assert document["version"] == 2
    row = next(p for p in document["powers"] if p["code"] == shown)
    power = await Power.get(code=shown)
    assert row["id"] == encode_id("Power", power.id) and row["unit"] == {"id": encode_id("Unit", unit.id), "code": unit.code, "name": unit.name}
    assert (row["category"], row["categoryLabel"]) == ("LICENSING", "行政许可")
    assert (row["exerciseMode"], row["exerciseModeLabel"]) == (power.exercise_mode.value, power.exercise_mode.label)
    assert (row["disclosureScope"], row["disclosureScopeLabel"]) == (power.disclosure_scope.value, power.disclosure_scope.label)
    assert all("_" not in key for p in document["powers"] for key in p)
    # format 1 stays reachable, with validators of its own; an unknown version is refused
    old = await client.get("/open-data/catalog.json", params={"version": "1"})
    assert old.status_code == 200 and "version" not in old.json() and old.headers["etag"] != response.headers["etag"]
    old_row = next(p for p in old.json()["powers"] if p["code"] == shown)
    assert old_row["status"] == "公开运行" and old_row["exercise_mode"] == power.exercise_mode.label
    assert not any(h in old.text for h in hidden)
    for bad in ("3", "x"):
        assert (await client.get("/open-data/catalog.json", params={"version": bad})).status_code == 400
    assert (await client.get("/open-data/catalog.csv", params={"version": "1"})).status_code == 400
    etag, modified = response.headers["etag"], response.headers["last-modified"]
    assert parsedate_to_datetime(modified).year >= 2026
    # a mirror polling: nothing changed, nothing sent
    again = await client.get("/open-data/catalog.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert (await client.get("/open-data/catalog.json", headers={"If-Modified-Since": modified})).status_code == 304
    # a token changes nothing: open data is the public version for everyone
    staff = await client.get("/open-data/catalog.json", headers={"Authorization": f"Bearer {await token_for(Role.UNIT_STAFF, unit)}"})
    assert staff.headers["etag"] == etag and not any(h in staff.text for h in hidden)


async def test_a_change_of_the_public_catalogue_changes_the_etag(client: httpx.AsyncClient) -> None:
    unit, shown, _ = await unit_with_hidden_powers()
    url = f"/open-data/units/{unit.code}/catalog.json"
    first = await client.get(url)
    assert [p["code"] for p in first.json()["powers"]] == [shown]
    # a draft is not public: the body, and so the validator, stays the same
    await create_power(ADMIN, PowerData(unit_id=unit.id, name=power_name("另一草稿"), category=PowerCategory.OTHER))
    assert (await client.get(url, headers={"If-None-Match": first.headers["etag"]})).status_code == 304
    newly = await published_power(unit, name=power_name("新公开的许可"), category=PowerCategory.LICENSING)
    second = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    assert {p["code"] for p in second.json()["powers"]} == {shown, newly.code}


async def test_the_unit_catalogue_as_csv(client: httpx.AsyncClient) -> None:
    unit, shown, hidden = await unit_with_hidden_powers()
    response = await client.get(f"/open-data/units/{unit.code}/catalog.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "职权编码", "职权名称"]  # a plain table: no title row for machines
    assert [r[1] for r in rows[1:]] == [shown]
    assert not any(h in response.text for h in hidden)
    assert response.headers["etag"] and response.headers["last-modified"]


async def test_unknown_units_and_formats_are_not_found(client: httpx.AsyncClient) -> None:
    assert (await client.get("/open-data/units/NOPE/catalog.json")).status_code == 404
    assert (await client.get("/open-data/catalog.xlsx")).status_code == 404
