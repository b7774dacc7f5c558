"""The board's dashboard against the 2025 activity report's key figures.

Run on the generated dataset (`generate_dataset --scale smart --year 2025`), the dashboard's
selectors (reports.figures, the same as the pages, exports and PDFs) must give the report's
figures within the tolerances below: it checks the dashboard and the generator together.
Each check names the report's page, the dashboard's block and row, the report's value and
how far the dashboard may be from it; the tolerances and why they are what they are are
documented in docs/DATASET.md ("The dashboard against the report").

Counts are the report's × the dataset's scale; shares (%) are compared as they are, in
percentage points. A figure the report prints as a percentage of a distribution is read
from the dashboard's "Share (%)" column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reports.figures import SECTIONS, Scope, compute
from reports.figures import base as figures_base
from reports.figures.base import Cell

from .dataset.distributions import (
    AGE_BANDS,
    CLIENT_COUNTRY,
    CLIENTS_PER_HOLDER,
    GENDERS,
    HOLDER_BRACKETS,
    MEAN_AGE,
    MEAN_SENIORITY,
    MONTHLY_HOURS,
    REGIONS,
    SENIORITY_BANDS,
    TOTALS,
    UNIT_BRACKETS,
)
from .dataset.payments import RECEIVABLES

# The 2025 general assembly (seed 003: "1,611 members voted online").
ONLINE_VOTERS = 1_611
# p. 32: equity of the members' shares.
EQUITY = Decimal("4829490")


@dataclass(frozen=True)
class Check:
    """One figure: the report's value (a count at scale 1, a money amount at scale 1, or a
    share in %), where the dashboard shows it, and the tolerance."""

    name: str
    source: str
    section: str
    block: str
    row: str
    expected: Decimal
    # "count" (relative tolerance, scaled), "share" (points, not scaled), "mean" (an average
    # in the figure's unit, not scaled, absolute tolerance)
    kind: str
    tolerance: Decimal  # a fraction for counts, percentage points for shares, units for means
    columns: tuple[int, ...] = (1,)  # summed
    # For a share the generator does not force (it follows from other draws): the people it
    # is a share of at scale 1; at a small scale the tolerance widens to 3 standard errors.
    # For a mean: the people it averages at scale 1, and `spread` the standard deviation of
    # what is drawn for each (the rest is exact quotas).
    sampled_from: int = 0
    spread: Decimal = Decimal(0)

    def target(self, scale: Decimal) -> Decimal:
        return self.expected * scale if self.kind == "count" else self.expected

    def allowed(self, scale: Decimal) -> Decimal:
        """The largest difference accepted: relative for counts (at least 1 at small
        scales, where rounding each table's rows moves a count by one), points for shares,
        the figure's unit for means."""
        if self.kind == "count":
            return max(abs(self.target(scale)) * self.tolerance, Decimal(1))
        if self.kind == "mean":
            n = max(Decimal(self.sampled_from) * scale, Decimal(1))
            return max(self.tolerance, (3 * self.spread / n.sqrt()).quantize(Decimal("0.1")))
        if self.sampled_from:
            p = self.expected / 100
            n = max(Decimal(self.sampled_from) * scale, Decimal(1))
            return max(self.tolerance, (300 * (p * (1 - p) / n).sqrt()).quantize(Decimal("0.1")))
        return self.tolerance


def _count(name: str, source: str, where: tuple[str, str, str], value: object, tol: str) -> Check:
    section, block, row = where
    return Check(name, source, section, block, row, Decimal(str(value)), "count", Decimal(tol))


def _mean(name: str, source: str, value: float, tol: str, people: int, spread: str) -> Check:
    return Check(
        name, source, "members", "members", name, Decimal(str(value)), "mean", Decimal(tol),
        sampled_from=people, spread=Decimal(spread),
    )  # fmt: skip


def _shares(
    name: str,
    source: str,
    section: str,
    block: str,
    rows: dict[str, float],
    points: str,
    sampled_from: int = 0,
) -> Iterator[Check]:
    """One check per row of a distribution the report prints in %, normalised to 100."""
    total = sum(rows.values())
    for label, value in rows.items():
        expected = (Decimal(str(value)) * 100 / Decimal(str(total))).quantize(Decimal("0.1"))
        yield Check(
            f"{name}: {label}",
            source,
            section,
            block,
            label,
            expected,
            "share",
            Decimal(points),
            (2,),
            sampled_from,
        )


def _relabel(values: dict[str, float], labels: list[str]) -> dict[str, float]:
    """The report's rows (in its order) under the dashboard's labels (in the same order)."""
    return dict(zip(labels, values.values(), strict=True))


def checks() -> list[Check]:
    """Every figure checked, in the dashboard's order."""
    t = TOTALS
    members_total = t["members_a"] + t["members_b"] + t["members_c"]
    members = [
        _count("Members", "p. 32", ("members", "members", "Members at the end of the period"),
               t["members_a"] + t["members_b"] + t["members_c"], "0.005"),
        _count("Shares held", "p. 32", ("members", "members", "Shares held"), t["shares"], "0.01"),
        _count("Equity (€)", "p. 32", ("members", "members", "Equity (€)"), EQUITY, "0.01"),
        _count("Category A", "p. 32", ("members", "members_by_category", "Category A"),
               t["members_a"], "0.005"),
        _count("Category B", "p. 32", ("members", "members_by_category", "Category B"),
               t["members_b"], "0.05"),
        _count("Category C", "p. 32", ("members", "members_by_category", "Category C"),
               t["members_c"], "0.10"),
        # Withdrawn on board decisions (devtools/dataset/capital.py): an exact count.
        _count("Shares refunded", "p. 32", ("members", "members", "Shares refunded"),
               t["shares_refunded"], "0.01"),
        # Non-holders' bands tilted to these averages; within-band draws make the rest.
        _mean("Average age (years)", "p. 32", MEAN_AGE, "0.5", members_total, "4"),
        _mean("Average seniority (years)", "p. 32", MEAN_SENIORITY, "0.5", members_total, "3"),
    ]  # fmt: skip
    holders = [
        _count("Holders", "p. 15", ("holders", "holders", "Holders"), t["holders"], "0.01"),
        _count("Holders of 1 unit", "p. 20", ("holders", "holders", "Holders of 1 unit"),
               t["holders_1_unit"], "0.01"),
        _count("Holders of 2 units", "p. 20", ("holders", "holders", "Holders of 2 units"),
               t["holders_2_units"], "0.03"),
        _count("Holders of 3 units or more", "p. 20",
               ("holders", "holders", "Holders of 3 units or more"), t["holders_3_units"], "0.10"),
        *_shares("Holders by region", "p. 15", "holders", "holders_by_region",
                 _relabel(REGIONS.weights(), ["Brussels", "Wallonia", "Flanders", "Abroad"]),
                 "2"),
        *_shares("Holders by gender", "p. 15", "holders", "holders_by_gender",
                 _relabel(GENDERS.weights(), ["men", "women"]), "2"),
        *_shares("Holders by age", "p. 15", "holders", "holders_by_age",
                 _relabel(AGE_BANDS.weights(), ["25 or younger", "26 to 35", "36 to 45",
                                                "46 to 59", "60 and older"]), "2"),
        *_shares("Holders by seniority", "p. 15", "holders", "holders_by_seniority",
                 _relabel(SENIORITY_BANDS.weights(), ["less than 1 year", "1 to 4 years",
                                                      "5 to 9 years", "10 to 14 years",
                                                      "15 years and more"]), "2"),
        # Not forced by the generator (the sum of the holders' units), calibrated: DATASET.md.
        *_shares("Holders by amount invoiced", "p. 16", "holders", "holders_by_invoiced",
                 _relabel(HOLDER_BRACKETS.weights(), ["less than 1 k€", "1 to 3 k€",
                                                      "3 to 5 k€", "5 to 10 k€", "10 to 20 k€",
                                                      "20 k€ and more"]), "3", t["holders"]),
        *_shares("Holders by clients invoiced", "p. 19", "holders", "holders_by_clients",
                 _relabel(CLIENTS_PER_HOLDER.weights(),
                          ["1 client", "2 clients", "3 to 5 clients", "more than 5 clients"]),
                 "7", t["holders"]),
    ]  # fmt: skip
    units = [
        _count("Active units", "p. 22", ("units", "units", "Active units"), t["active_units"],
               "0.005"),
        _count("Turnover excl. VAT (€)", "p. 22", ("units", "units", "Turnover excl. VAT (€)"),
               Decimal(t["turnover_cents"]) / 100, "0.005"),
        _count("Units employing others", "p. 22", ("units", "units", "Units employing others"),
               t["units_employing_others"], "0.05"),
        *_shares("Active units by amount invoiced", "p. 22", "units", "units_by_invoiced",
                 _relabel(UNIT_BRACKETS.weights(), ["less than 1 k€", "1 to 3 k€",
                                                    "3 to 10 k€", "10 to 30 k€", "30 to 50 k€",
                                                    "50 to 100 k€", "more than 100 k€"]), "2"),
    ]  # fmt: skip
    work = [
        _count("Contracts", "p. 26", ("work", "work", "Contracts"), t["contracts"], "0.01"),
        _count("Declared work days", "p. 26", ("work", "work", "Declared work days"),
               t["work_days"], "0.01"),
        _count("Declared hours", "p. 26", ("work", "work", "Declared hours"), t["hours"], "0.01"),
        _count("Employees", "p. 26", ("work", "work", "Employees"), t["employees"], "0.01"),
        _count("Employees holding no unit", "p. 26",
               ("work", "work", "Employees holding no unit"), t["employees_not_holders"], "0.05"),
        _count("Expense claims validated", "p. 26", ("work", "work", "Expense claims validated"),
               t["expense_claims"], "0.01"),
        *_shares("Employees by monthly hours", "p. 26", "work", "work_by_hours",
                 _relabel(MONTHLY_HOURS.weights(), ["less than 8 h", "8 to 20 h", "20 to 45 h",
                                                    "45 to 75 h", "more than 75 h"]), "2"),
    ]  # fmt: skip
    clients = [
        _count("Clients invoiced", "p. 36", ("clients", "clients", "Clients invoiced"),
               t["clients"], "0.05"),
        _count("Invoices issued", "p. 36", ("clients", "clients", "Invoices issued"),
               t["invoices"], "0.005"),
        # The late payers' delay is calibrated on it (devtools/dataset/payments.py); an
        # invoice paid a day later or earlier moves it by its whole amount.
        _count("Receivables on 31 December (€)", "p. 36",
               ("clients", "clients", "Receivables at the end of the period (€)"),
               RECEIVABLES, "0.02"),
        Check("Clients in Belgium (%)", "p. 36", "clients", "clients", "Clients in Belgium (%)",
              Decimal(str(CLIENT_COUNTRY.weights()["BE"] * 100)).quantize(Decimal("0.1")),
              "share", Decimal(2)),
    ]  # fmt: skip
    governance = [
        # Online: the members' own ballots and those cast online by their proxy holders.
        Check("Voted online at the AG", "seed 003", "governance", "governance_assemblies", "",
              Decimal(ONLINE_VOTERS), "count", Decimal("0.01"), (3, 5)),
    ]  # fmt: skip
    return [*members, *holders, *units, *work, *clients, *governance]


@dataclass(frozen=True)
class Result:
    check: Check
    target: Decimal
    value: Decimal | None
    allowed: Decimal

    @property
    def ok(self) -> bool:
        return self.value is not None and abs(self.value - self.target) <= self.allowed


def _number(row: list[Cell] | None, columns: tuple[int, ...]) -> Decimal | None:
    """The sum of the row's cells in `columns` (None: no such row, or a cell not shown)."""
    if row is None:
        return None
    cells = [row[column] for column in columns]
    if not all(isinstance(cell, int | Decimal) for cell in cells):
        return None
    return sum((Decimal(cell) for cell in cells if isinstance(cell, int | Decimal)), Decimal(0))


def run(*, year: int, scale: Decimal, today: date, every_group: bool = False) -> list[Result]:
    """Compute each section once for the whole cooperative, as the board sees it, and
    compare. `every_group` shows the groups under MIN_GROUP people too (a small-scale
    dataset has such groups where the full size has none; it holds no real people)."""
    tables: dict[tuple[str, str], list[list[Cell]]] = {}
    hidden = figures_base.MIN_GROUP
    figures_base.MIN_GROUP = 1 if every_group else hidden
    try:
        for key in {check.section for check in checks()}:
            assert key in SECTIONS
            for block in compute(key, year=year, today=today, scope=Scope()).blocks:
                tables[(key, block.key)] = block.rows
    finally:
        figures_base.MIN_GROUP = hidden
    results = []
    for check in checks():
        rows = tables.get((check.section, check.block), [])
        # A row by its label; the assemblies' block by its first (the year's) assembly.
        row = next((r for r in rows if not check.row or r[0] == check.row), None)
        value = _number(row, check.columns)
        results.append(Result(check, check.target(scale), value, check.allowed(scale)))
    return results
