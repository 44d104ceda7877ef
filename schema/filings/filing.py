"""Word filings: the forms and `FilingLink`. `generateFiling` (in filing_mutations) checks the caller may have
the filing and returns a signed, short-lived download link (GET it; the document is rendered then, for the
same caller), and one for the same filing as PDF where the server has LibreOffice."""

from __future__ import annotations

from datetime import datetime

import strawberry

from docgen.forms import FilingForm as _FilingForm
from schema.enums import _enum

FilingForm = _enum(_FilingForm, description="填报表格: 附3–附7, 一图, 一件, 文字材料")


@strawberry.type(description="A generated filing (.docx, and PDF where the server can print it), to download with GET before it expires.")
class FilingLink:
    url: str = strawberry.field(description="path on this server: GET it (no token needed) before `expiresAt`")
    filename: str
    form: FilingForm  # type: ignore[valid-type]
    expires_at: datetime
    pdf_url: str | None = strawberry.field(
        description="the same filing as PDF (printed by LibreOffice on the server); null when PDF is unavailable, see `pdfUnavailableReason`"
    )
    pdf_filename: str | None
    pdf_unavailable_reason: str | None = strawberry.field(description="why there is no `pdfUrl`; null when there is one")
