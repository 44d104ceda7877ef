"""File names built from codes and names (filings, 一盘 members, downloads): one safe form, used everywhere.

A code or a name is data, not a path: whatever it holds (`/`, `\\`, `..`, `%2e`, controls, a
right-to-left override), the name made from it is one harmless path component on every system and
in every zip, header and temporary folder.
"""

from __future__ import annotations

import re
import unicodedata

#: Letters and digits of any script, and these (、 for the plan's 附3、4); every other run of characters becomes one `_`.
_UNSAFE = re.compile(r"(?:[^\w.()+、-]|_)+")
#: dots, and the `_` around them: one dot (`_._._` from `/../..` is not left to look like a path either)
_DOTS = re.compile(r"_?(?:\._?)+")
#: Names Windows keeps for devices, whatever the suffix.
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))})
#: Bytes of UTF-8 a name may take: under the 255 of common file systems, with room for a folder's suffix.
MAX_BYTES = 200


def safe_filename(name: str) -> str:
    """`name` as one safe path component: NFKC (so a fullwidth `／` or `．` is the ASCII one), every
    run of characters other than letters, digits, `.`, `(`, `)`, `+`, `、`, `-` and `_` as one `_`, no two dots
    in a row (nor `_` beside a dot), nothing that starts or ends with a dot, dash or underscore, no device name, and at most
    MAX_BYTES bytes (the suffix kept). Linear in the name; an empty result is `unnamed`."""
    text = _DOTS.sub(".", _UNSAFE.sub("_", unicodedata.normalize("NFKC", name))).strip("._-")
    stem, dot, suffix = text.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = text, ""
    room = MAX_BYTES - len(suffix.encode()) - 1
    stem = stem.encode()[:room].decode(errors="ignore").rstrip("._-")  # a cut character is dropped whole
    if stem.upper() in _RESERVED:
        stem = f"{stem}_"
    stem = stem or "unnamed"
    return f"{stem}.{suffix}" if suffix else stem
