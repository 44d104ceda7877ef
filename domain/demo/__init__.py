"""The deterministic demo county (大余县): data as Python structures, and the seeder.

`seed_demo()` builds it in one transaction on top of the packaged legal library; a second run only
verifies. The data: units.py (organisation), powers_*.py (powers and their legal bases), flows.py
(flow-chart templates), records.py (disclosure and operation records).
"""

from __future__ import annotations

from domain.demo.seed import ALL_POWERS, COUNTY_CODE, DemoDataError, SeedReport, canonical_dump, seed_demo

__all__ = ["ALL_POWERS", "COUNTY_CODE", "DemoDataError", "SeedReport", "canonical_dump", "seed_demo"]
