"""Word filings as a mutation: `generateFiling` checks the caller may have the filing and returns a signed,
short-lived download link (GET it; the document is rendered then, for the same caller), and one for the same
filing as PDF where the server has LibreOffice. The types are in schema.filings.filing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from docgen.filing import scope_for
from docgen.forms import filename
from docgen.pdf import UNAVAILABLE, soffice
from domain.errors import DomainError
from qingquan import filings
from schema.context import Info
from schema.enums import Network
from schema.filings.filing import FilingForm, FilingLink
from schema.mutation_base import failure, optional_pk, pk, result

GenerateFilingResult = result("GenerateFilingResult", FilingLink)


@strawberry.type
class FilingMutations:
    @strawberry.mutation(
        description="Generate a unit's filing (or one power's) as a Word document, as the caller may see it: "
        "a public caller gets only public content; 附6 (CONFIDENTIAL) only to those who may see the unit's "
        "confidential powers (PermissionDeniedError otherwise)."
    )
    async def generate_filing(
        self,
        info: Info,
        unit_id: strawberry.ID,
        form: FilingForm,  # type: ignore[valid-type]
        power_id: strawberry.ID | None = None,
        network: Annotated[
            Network | None,  # type: ignore[valid-type]
            strawberry.argument(description="七大网络: 附7 (OPERATION_RECORDS) of this network's records in the unit and its offices"),
        ] = None,
    ) -> GenerateFilingResult:
        viewer = info.context.viewer
        try:
            scope = await scope_for(viewer, pk(unit_id, "Unit", "unitId"), form, optional_pk(power_id, "Power", "powerId"), network)  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        power_id_ = scope.power.id if scope.power else None
        token, expires = filings.sign(info.context.settings, viewer, scope.unit.id, form, power_id_, network)  # type: ignore[arg-type]
        power_code = scope.power.code if scope.power else None
        network_name = network.label if network is not None else None  # type: ignore[attr-defined]
        printable = soffice() is not None
        return FilingLink(
            url=f"/filings/{token}",
            filename=filename(form, scope.unit.name, power_code, network_name),
            form=form,
            expires_at=datetime.fromtimestamp(expires, UTC),
            pdf_url=f"/filings/{token}/pdf" if printable else None,
            pdf_filename=filename(form, scope.unit.name, power_code, network_name, ".pdf") if printable else None,
            pdf_unavailable_reason=None if printable else UNAVAILABLE,
        )
