"""Importing a new version of a law opens change notices for the published powers whose basis
articles changed or vanished, and for no other power."""

from __future__ import annotations

from pathlib import Path

from domain.enums import PowerStatus
from domain.library.markdown import import_markdown_folder
from domain.models import LegalArticle, LegalDocument, PowerBasis
from domain.workflow_models import ChangeNotice
from tests.factories import make_power, make_unit, unique

VERSION = """# {title}

2020年1月1日 某某人民代表大会常务委员会通过
{history}
<!-- INFO END -->

## 第一章 总则

第一条 为了规范测试事项，制定本条例。

第二条 {second}

第三条 {third}
"""


def write_version(folder: Path, title: str, day: str, second: str, third: str, history: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = VERSION.format(title=title, history=history, second=second, third=third)
    (folder / f"{title}({day}).md").write_text(text, encoding="utf-8")


async def test_a_new_version_opens_notices_for_powers_on_changed_or_vanished_articles(database: str, tmp_path: Path) -> None:
    title = f"测试事项管理条例{unique('')}"
    write_version(tmp_path / "v1", title, "2020-01-01", "县级主管部门负责许可。", "违反本条例的，处一千元罚款。")
    assert (await import_markdown_folder(tmp_path / "v1")).failures == []
    old = await LegalDocument.get(title=title)
    articles = {a.label: a for a in await LegalArticle.filter(document_id=old.id)}

    unit = await make_unit()
    on_changed = await make_power(unit)   # cites 第二条, whose text changes
    on_same = await make_power(unit)      # cites 第一条, unchanged
    draft = await make_power(unit)        # cites 第二条 but is not published
    for power, label in ((on_changed, "第二条"), (on_same, "第一条"), (draft, "第二条")):
        await PowerBasis.create(power=power, article=articles[label], ordinal=1)
    for power in (on_changed, on_same):
        power.status = PowerStatus.PUBLISHED
        await power.save()

    write_version(
        tmp_path / "v2", title, "2024-01-01", "县级以上主管部门负责许可和监督。", "违反本条例的，处一千元罚款。",
        history="2024年1月1日 某某人民代表大会常务委员会修正",
    )
    assert (await import_markdown_folder(tmp_path / "v2")).failures == []

    notices = await ChangeNotice.filter(power_id__in=[on_changed.id, on_same.id, draft.id])
    assert [n.power_id for n in notices] == [on_changed.id]
    change = notices[0].changes[0]
    assert change["action"] == "law.new_version" and change["detail"]["article"] == "第二条"
    assert change["detail"]["change"] == "CHANGED"

    # importing the same files again opens nothing more
    await import_markdown_folder(tmp_path / "v2")
    assert await ChangeNotice.filter(power_id=on_changed.id).count() == 1
