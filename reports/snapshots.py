"""A section's figures as JSON for the snapshot table and back: Decimals keep their exact
value and their decimals ({"d": "12.50"}), every other cell is plain JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .figures.base import Block, Cell, Period, SectionData


def _cell_to_json(value: Cell) -> Any:
    return {"d": str(value)} if isinstance(value, Decimal) else value


def _cell_from_json(value: Any) -> Cell:
    return Decimal(value["d"]) if isinstance(value, dict) else value


def section_to_json(section: SectionData) -> dict[str, Any]:
    return {
        "key": section.key,
        "year": section.period.year,
        "end": section.period.end.isoformat(),
        "blocks": [
            {"key": b.key, "rows": [[_cell_to_json(c) for c in row] for row in b.rows]}
            for b in section.blocks
        ],
    }


def section_from_json(data: dict[str, Any]) -> SectionData:
    return SectionData(
        data["key"],
        Period(data["year"], date.fromisoformat(data["end"])),
        [
            Block(b["key"], [[_cell_from_json(c) for c in row] for row in b["rows"]])
            for b in data["blocks"]
        ],
    )
