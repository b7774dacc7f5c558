"""What every figure shares: the period and scope it is computed for, the tables it returns
(label msgids and typed numbers, so a snapshot is shown in the reader's language), the bands,
and the one rule that hides small groups of people.

A section's selector returns a `SectionData`: blocks of rows. The first cell of a row is its
label (an English msgid marked with gettext_noop, or a name from the data such as a sector);
the other cells are int, Decimal, None (not available) or SUPPRESSED (a group under
MIN_GROUP people). Titles, column headings and definitions are not stored: they come from
the block's `BlockSpec` (translatable) when the page, the export or the PDF is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

Cell = int | Decimal | str | None

# Groups of fewer people than this are not shown where a figure could identify someone.
MIN_GROUP = 10
SUPPRESSED = "< 10"
ZERO = Decimal("0.00")


# --- the period ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar year up to `end` (31 December, or today for the current year)."""

    year: int
    end: date

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def range(self) -> tuple[date, date]:
        return (self.start, self.end)

    @property
    def previous(self) -> Period:
        """The same stretch of the year before (29 February becomes the 28th)."""
        day = min(self.end.day, 28) if self.end.month == 2 else self.end.day
        return Period(self.year - 1, date(self.year - 1, self.end.month, day))


def period_of(year: int, today: date) -> Period:
    """The year to date for the current year, the whole year for a past one."""
    end = date(year, 12, 31)
    return Period(year, min(end, today) if today.year == year else end)


# --- the scope: which office, which sector -------------------------------------------------


@dataclass(frozen=True)
class Scope:
    office_id: int | None = None
    sector_id: int | None = None

    def q(self, office_path: str | None, sector_path: str | None = None) -> Q:
        """The condition on rows reaching the office by `office_path` and the sector by
        `sector_path` (None: this table has no such link, no filter)."""
        condition = Q()
        if self.office_id is not None and office_path:
            condition &= Q(**{f"{office_path}_id": self.office_id})
        if self.sector_id is not None and sector_path:
            condition &= Q(**{f"{sector_path}_id": self.sector_id})
        return condition

    def keys(self) -> dict[str, Any]:
        """The scope as the lookups of a snapshot or a run."""
        return {"office_id": self.office_id, "sector_id": self.sector_id}

    def apply(
        self, queryset: QuerySet[Any], office_path: str | None, sector_path: str | None = None
    ) -> QuerySet[Any]:
        return queryset.filter(self.q(office_path, sector_path))


# --- the tables ----------------------------------------------------------------------------


COUNT, MONEY, SHARE, NUMBER = "count", "money", "share", "number"


@dataclass(frozen=True)
class Column:
    label: str | Promise
    kind: str = COUNT


@dataclass(frozen=True)
class BlockSpec:
    """What a block means: its title, its columns, the definition shown under it, the chart
    drawn from it ("bars": the first value column per row; "series": every value column by
    month), and whether its counts are of people (then small groups are hidden)."""

    title: str | Promise
    definition: str | Promise
    columns: Sequence[Column]
    chart: str = ""
    people: bool = False


@dataclass
class Block:
    key: str
    rows: list[list[Cell]]


@dataclass
class SectionData:
    key: str
    period: Period
    blocks: list[Block] = field(default_factory=list)

    def add(self, key: str, rows: Iterable[Sequence[Cell]]) -> None:
        spec = BLOCKS[key]
        table = [list(row) for row in rows]
        self.blocks.append(Block(key, protect(spec, table) if spec.people else table))


BLOCKS: dict[str, BlockSpec] = {}


def block(
    key: str,
    title: str | Promise,
    definition: str | Promise,
    columns: Sequence[Column],
    *,
    chart: str = "",
    people: bool = False,
) -> str:
    """Register a block's meaning (see BlockSpec) under `key` (unique) and return the key."""
    if key in BLOCKS:
        raise ValueError(f"block {key} registered twice")
    BLOCKS[key] = BlockSpec(title, definition, columns, chart, people)
    return key


def protect(spec: BlockSpec, rows: list[list[Cell]]) -> list[list[Cell]]:
    """The one small-group rule: in a block counting people, a count between 1 and
    MIN_GROUP − 1 is replaced by SUPPRESSED, and so are the shares of its row (a share would
    give the count back)."""
    kinds = [column.kind for column in spec.columns]
    protected = []
    for row in rows:
        hidden = any(
            kind == COUNT and isinstance(value, int) and 0 < value < MIN_GROUP
            for kind, value in zip(kinds[1:], row[1:], strict=False)
        )
        cells: list[Cell] = [row[0]]
        for kind, value in zip(kinds[1:], row[1:], strict=False):
            small = kind == COUNT and isinstance(value, int) and 0 < value < MIN_GROUP
            cells.append(SUPPRESSED if small or (hidden and kind == SHARE) else value)
        protected.append(cells)
    return protected


# --- numbers -------------------------------------------------------------------------------


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal (None when whole is 0)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def average(total: int | Decimal, count: int, exponent: str = "0.1") -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal(exponent), ROUND_HALF_UP)


def money(value: Decimal | int | None) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"), ROUND_HALF_UP)


def whole_years(start: date, end: date) -> int:
    """Completed years from `start` to `end`."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


@dataclass(frozen=True)
class Band:
    """[low, high) in the figure's unit; high None: no upper bound."""

    label: str
    low: Decimal | int
    high: Decimal | int | None


def bands(
    steps: Sequence[tuple[str, Decimal | int | None]], low: Decimal | int = 0
) -> tuple[Band, ...]:
    """Consecutive bands from (label, upper bound) steps: the first starts at `low`, each
    next one where the previous ends; the last step's bound is None (no upper bound)."""
    made: list[Band] = []
    for label, high in steps:
        made.append(Band(label, low, high))
        if high is not None:
            low = high
    return tuple(made)


def band_of(value: Decimal | int, bands: Sequence[Band]) -> str:
    for band in bands:
        if value >= band.low and (band.high is None or value < band.high):
            return band.label
    return bands[0].label


def counted(labels: Iterable[str], order: Sequence[str]) -> dict[str, int]:
    """How many times each label of `order` appears in `labels` (every label present)."""
    counts = dict.fromkeys(order, 0)
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return counts


def distribution(labels: Iterable[str], order: Sequence[str]) -> list[list[Cell]]:
    """Rows of label, count, share of the total: how many times each label of `order` (then
    any other) appears in `labels`."""
    counts = counted(labels, order)
    total = sum(counts.values())
    return [[label, count, share(count, total)] for label, count in counts.items()]


def banded(values: Iterable[Decimal | int], bands: Sequence[Band]) -> list[list[Cell]]:
    """The distribution of `values` over `bands` (every band present, in order)."""
    return distribution((band_of(value, bands) for value in values), labels(bands))


def crossing(
    pairs: Iterable[tuple[str, str]], rows: Sequence[str], columns: Sequence[str]
) -> list[list[Cell]]:
    """A cross table of (row label, column label) pairs: counts, then a total column."""
    table = {row: dict.fromkeys(columns, 0) for row in rows}
    for row, column in pairs:
        table[row][column] += 1
    return [[row, *table[row].values(), sum(table[row].values())] for row in rows]


def compared(label: str, current: Cell, previous: Cell) -> list[Cell]:
    """A headline row: this period, the same period a year before, the change."""
    change: Cell = None
    if isinstance(current, int | Decimal) and isinstance(previous, int | Decimal):
        change = current - previous
    return [label, current, previous, change]


def headline_rows(now: Mapping[str, Cell], before: Mapping[str, Cell]) -> list[list[Cell]]:
    """The headline table of a section: one compared row per figure of `now` (keyed by its
    label msgid, in order), against the same figure a year before."""
    return [compared(label, value, before[label]) for label, value in now.items()]


HEADLINE_COLUMNS = (
    Column(_("Figure"), NUMBER),
    Column(_("This year"), NUMBER),
    Column(_("Same period a year before"), NUMBER),
    Column(_("Change"), NUMBER),
)
SHARE_COLUMN = Column(_("Share (%)"), SHARE)


def headline_block(key: str, title: str | Promise, definition: str | Promise) -> str:
    """Register a section's headline block (figure, this year, a year before, change)."""
    return block(key, title, definition, HEADLINE_COLUMNS)


def distribution_block(
    key: str,
    title: str | Promise,
    definition: str | Promise,
    first: str | Promise,
    counting: str | Promise,
    *,
    people: bool = False,
) -> str:
    """Register a distribution block (label, count, share of the total) drawn as bars."""
    columns = (Column(first), Column(counting, COUNT), SHARE_COLUMN)
    return block(key, title, definition, columns, chart="bars", people=people)


def monthly_block(
    key: str, title: str | Promise, definition: str | Promise, series: Sequence[Column]
) -> str:
    """Register a monthly series block (month, then one column per series) drawn as columns."""
    columns = (Column(_("Month")), *series)
    return block(key, title, definition, columns, chart="series")


def year_on_year_block(
    key: str, title: str | Promise, definition: str | Promise, kind: str = NUMBER
) -> str:
    """Register a monthly series of this year against the year before (amounts in € when
    `kind` is MONEY)."""
    euros = kind == MONEY
    columns = (
        Column(_("This year (€)") if euros else _("This year"), kind),
        Column(_("Year before (€)") if euros else _("Year before"), kind),
    )
    return monthly_block(key, title, definition, columns)


# Bands of people shared by several figures (the activity report's).
AGE_BANDS = bands(
    [
        (N_("25 or younger"), 26),
        (N_("26 to 35"), 36),
        (N_("36 to 45"), 46),
        (N_("46 to 59"), 60),
        (N_("60 and older"), None),
    ]
)
SENIORITY_BANDS = bands(
    [
        (N_("less than 1 year"), 1),
        (N_("1 to 4 years"), 5),
        (N_("5 to 9 years"), 10),
        (N_("10 to 14 years"), 15),
        (N_("15 years and more"), None),
    ]
)  # the report's bands (p. 15: "1 an et moins", "entre 1 et 5 ans"…) in completed years
UNKNOWN = N_("unknown")


def age_band(birth_date: date | None, day: date) -> str:
    return band_of(whole_years(birth_date, day), AGE_BANDS) if birth_date else UNKNOWN


def seniority_band(since: date | None, day: date) -> str:
    return band_of(whole_years(since, day), SENIORITY_BANDS) if since else UNKNOWN


def labels(bands: Sequence[Band]) -> list[str]:
    return [band.label for band in bands]


Selector = Callable[..., SectionData]


# The months as labels (Django's own catalog translates them).
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
