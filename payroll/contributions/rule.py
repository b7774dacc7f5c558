"""THE mutual contribution rule (DESIGN.md "The money flow", docs/payroll.md §2), defined once
for the three places that apply it: the 3en1 split (payroll.split, one job), the monthly run
in Python and the monthly run in SQL on PostgreSQL (payroll.contributions.services).

Each pillar charges Σ factor(parameter) × base over the parts of a unit's month (one part per
parameter in force: a rate, a coefficient), rounded to the cent once, less what the unit
already paid towards it:
- turnover (C1): factor = rate / 100, base = turnover excl. VAT (credit notes negative),
  rounded half up (away from zero, as PostgreSQL's ROUND), less nothing;
- employment (C2): factor = coefficient − 1, base = gross salary, rounded up (the budget
  ⌈gross × coefficient⌉ pays the gross, the employer charges and C2), less the employer
  charges.

Pure: Decimal in, Decimal out; `amount_sql` writes the same rule as a SQL expression.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

from core.money import CENT

ZERO = Decimal("0.00")

# Each rounding, in Python and as PostgreSQL writes it for a numeric `{x}`.
SQL_ROUNDING = {
    ROUND_HALF_UP: "ROUND({x}, 2)",
    ROUND_CEILING: "(CEIL(({x}) * 100) * 0.01)",
}


@dataclass(frozen=True)
class PillarRule:
    """One pillar of the mutual contribution (see the module's docstring)."""

    name: str
    factor: Callable[[Decimal], Decimal]
    factor_sql: str  # the same factor, of the SQL parameter `{p}`
    rounding: str

    def amount(self, parts: Mapping[Decimal, Decimal], less: Decimal = ZERO) -> Decimal:
        """Σ factor(parameter) × base over `parts` ({parameter: base}), to the cent by the
        pillar's rounding, less `less`."""
        with localcontext() as context:
            context.prec = 60  # every product is exact before the one rounding
            total = sum((self.factor(p) * base for p, base in parts.items()), ZERO)
            return total.quantize(CENT, rounding=self.rounding) - less

    def amount_sql(self, *, parameter: str, base: str, less: str = "0") -> str:
        """The same rule as an aggregate SQL expression over rows holding the parameter and
        the base (PostgreSQL's numeric products are exact)."""
        total = f"SUM({base} * {self.factor_sql.format(p=parameter)})"
        return f"{SQL_ROUNDING[self.rounding].format(x=total)} - {less}"


TURNOVER = PillarRule(
    name="turnover",
    factor=lambda rate: rate.scaleb(-2),
    factor_sql="({p} * 0.01)",
    rounding=ROUND_HALF_UP,
)
EMPLOYMENT = PillarRule(
    name="employment",
    factor=lambda coefficient: coefficient - 1,
    factor_sql="({p} - 1)",
    rounding=ROUND_CEILING,
)
