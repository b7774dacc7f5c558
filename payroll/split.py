"""The 3en1 split and the employment cost of a gross salary: pure functions, no database.

The live form and the validation of a job call the same `job_split`; an Activité unit calls
`employment_cost` for a gross it wants to pay. The parameters come from payroll.parameters
(the rows in force on the day), passed in as plain values. docs/payroll.md gives the formulas,
the rounding of each step and worked examples.
"""

from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext as _

from core.money import CENT, is_cents, to_decimal
from payroll.contributions.rule import EMPLOYMENT, TURNOVER

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class SplitInputError(ValueError):
    """A bad input to the split; `field` names it (for forms and API errors)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ContractParameters:
    """The values of a contract type in force on a day (rates in %)."""

    coefficient: Decimal
    employer_charges_rate: Decimal
    employee_ss_rate: Decimal
    employee_ss_base_percent: Decimal = HUNDRED
    minimum_daily_gross: Decimal = ZERO
    piece_work: bool = False


SCALE_I = "I"  # isolated, or spouse with own professional income
SCALE_II = "II"  # spouse without own professional income: marital quotient
ROUNDINGS = {"half-up": ROUND_HALF_UP, "down": ROUND_DOWN}


@dataclass(frozen=True)
class Bracket:
    """Yearly net taxable pay from `from_amount` to `to_amount` (None: no end), taxed at
    `rate` % (progressive: each bracket taxes its own slice only)."""

    from_amount: Decimal
    to_amount: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class WithholdingTable:
    """The withholding tax's key formula in force ("formule-clé", annex III to the royal
    decree implementing the income tax code): the monthly taxable pay is made yearly (× 12),
    less the lump-sum professional expenses; the progressive scale applies (scale II: apart
    to the marital quotient and to the rest); less the reduction for the tax-free sum (twice
    in scale II); never negative; divided by 12. Each step rounded to the cent. Piece work is
    withheld at least `piece_work_minimum_rate` % of the taxable pay. docs/payroll.md."""

    brackets: tuple[Bracket, ...]
    piece_work_minimum_rate: Decimal = ZERO
    expenses_rate: Decimal = ZERO
    expenses_cap: Decimal = ZERO
    tax_free_reduction: Decimal = ZERO
    quotient_rate: Decimal = ZERO
    quotient_cap: Decimal = ZERO
    rounding: str = "half-up"
    periods: int = 12

    def _round(self, value: Decimal) -> Decimal:
        return value.quantize(CENT, rounding=ROUNDINGS[self.rounding])

    def scale_tax(self, income: Decimal) -> Decimal:
        """The basic tax on a yearly net income: the tax at the start of its bracket (the
        slices below, each bracket's total rounded to the cent, as the annex publishes them)
        plus the bracket's rate on what passes its start."""
        base = ZERO
        for bracket in sorted(self.brackets, key=lambda b: b.from_amount):
            top = bracket.to_amount
            if top is None or income <= top:
                return self._round(base + (income - bracket.from_amount) * bracket.rate / HUNDRED)
            base = self._round(base + (top - bracket.from_amount) * bracket.rate / HUNDRED)
        raise SplitInputError(
            "withholding",
            _("No withholding tax bracket covers %(amount)s €.") % {"amount": income},
        )

    def key_formula(self, taxable: Decimal, *, scale: str = SCALE_I) -> Decimal:
        """The monthly withholding of the key formula alone (no piece-work minimum)."""
        if scale not in (SCALE_I, SCALE_II):
            raise SplitInputError("withholding_scale", _("The withholding scale is I or II."))
        with localcontext() as context:
            context.prec = 60
            yearly = self._round(taxable * self.periods)
            expenses = min(self._round(yearly * self.expenses_rate / HUNDRED), self.expenses_cap)
            net = yearly - expenses
            if scale == SCALE_II:
                quotient = min(self._round(net * self.quotient_rate / HUNDRED), self.quotient_cap)
                tax = (
                    self.scale_tax(net - quotient)
                    + self.scale_tax(quotient)
                    - 2 * self.tax_free_reduction
                )
            else:
                tax = self.scale_tax(net) - self.tax_free_reduction
            return self._round(max(tax, ZERO) / self.periods)

    def withholding(
        self, taxable: Decimal, *, piece_work: bool, scale: str = SCALE_I
    ) -> tuple[Decimal, Decimal]:
        """The monthly withholding on `taxable` and the rate shown with it: the piece-work
        minimum rate when that minimum applies, else the effective rate (%, to 0.01)."""
        if taxable < 0:
            raise SplitInputError("taxable", _("This amount can't be negative."))
        tax = self.key_formula(taxable, scale=scale)
        if piece_work:
            minimum = self._round(taxable * self.piece_work_minimum_rate / HUNDRED)
            if minimum >= tax:
                return minimum, self.piece_work_minimum_rate
        rate = (tax * HUNDRED / taxable).quantize(CENT, rounding=ROUND_HALF_UP) if taxable else ZERO
        return tax, rate

    def rate_for(self, taxable: Decimal, *, piece_work: bool, scale: str = SCALE_I) -> Decimal:
        """The rate shown with the withholding of `taxable` (see `withholding`)."""
        return self.withholding(taxable, piece_work=piece_work, scale=scale)[1]


@dataclass(frozen=True)
class Pay:
    """What a gross salary costs the unit and what the worker gets (amounts in €)."""

    gross: Decimal
    employer_charges: Decimal
    employment_cost: Decimal  # gross + employer charges: posted by the payroll run
    employment_contribution: Decimal  # C2: kept by the mutual fund (the contribution run)
    budget: Decimal  # employment cost + C2 = gross × coefficient, rounded up to the cent
    employee_social_security: Decimal
    taxable: Decimal
    withholding_rate: Decimal
    withholding: Decimal
    net: Decimal
    days: int
    minimum_gross: Decimal  # minimum daily gross × days
    gross_missing: Decimal  # how much gross is lacking to reach the minimum (0: none)

    def missing_from(self, balance: Decimal) -> Decimal:
        """How much the balance lacks to pay this (0 when it is enough)."""
        return max(ZERO, self.budget - to_decimal(balance))


@dataclass(frozen=True)
class JobSplit:
    """Where a 3en1 job's invoice total excl. VAT goes, to the cent:
    turnover = turnover_contribution + expenses + pay.employment_cost
    + pay.employment_contribution + residue."""

    turnover: Decimal  # T, invoice total excl. VAT
    turnover_rate: Decimal
    turnover_contribution: Decimal  # C1
    expenses: Decimal  # E, reimbursed (not salary)
    employment_budget: Decimal  # B = T − C1 − E
    pay: Pay
    residue: Decimal  # B − pay.budget: stays in the unit's balance
    missing_turnover: Decimal  # extra turnover excl. VAT needed to pay the minimum (0: none)

    @property
    def is_payable(self) -> bool:
        return self.missing_turnover == ZERO

    def amounts(self) -> dict[str, str]:
        """Every amount as a string, for the live form and the API."""
        values = {
            name: getattr(self, name)
            for name in (
                "turnover", "turnover_rate", "turnover_contribution", "expenses",
                "employment_budget", "residue", "missing_turnover",
            )
        }  # fmt: skip
        values.update(vars(self.pay))
        return {name: str(value) for name, value in values.items()}


def _ceil_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_CEILING)


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _money(value, field: str) -> Decimal:
    value = to_decimal(value)
    if not value.is_finite() or value < 0:
        raise SplitInputError(field, _("This amount can't be negative."))
    if not is_cents(value):
        raise SplitInputError(field, _("Amounts are to the cent."))
    return value.quantize(CENT)


def _rate(value, field: str) -> Decimal:
    value = to_decimal(value)
    if not value.is_finite() or not 0 <= value < HUNDRED:
        raise SplitInputError(field, _("A rate is between 0 and 100 %."))
    return value


def _check_parameters(parameters: ContractParameters) -> None:
    _rate(parameters.employer_charges_rate, "employer_charges_rate")
    _rate(parameters.employee_ss_rate, "employee_ss_rate")
    base = to_decimal(parameters.employee_ss_base_percent)
    if base <= 0 or base * parameters.employee_ss_rate >= HUNDRED * HUNDRED:
        raise SplitInputError(
            "employee_ss_base_percent", _("Social security must stay below the gross.")
        )
    # The coefficient pays the gross, the employer charges and the employment contribution.
    if to_decimal(parameters.coefficient) < 1 + parameters.employer_charges_rate / HUNDRED:
        raise SplitInputError(
            "coefficient", _("The coefficient must cover the gross and the employer charges.")
        )
    _money(parameters.minimum_daily_gross, "minimum_daily_gross")


def _days(days) -> int:
    if not isinstance(days, int) or days < 0:
        raise SplitInputError("days", _("The number of days is a whole number, 0 or more."))
    return days


def gross_for_budget(budget: Decimal, coefficient: Decimal) -> Decimal:
    """The largest gross, to the cent, whose gross × coefficient fits in `budget`."""
    budget_cents = int(_money(budget, "budget") * 100)
    numerator, denominator = to_decimal(coefficient).as_integer_ratio()
    # Integer arithmetic: exact whatever the size, no rounding of the quotient.
    return Decimal(budget_cents * denominator // numerator).scaleb(-2)


def employment_cost(
    *,
    gross: Decimal,
    parameters: ContractParameters,
    withholding: WithholdingTable | Decimal,
    days: int = 1,
    scale: str = SCALE_I,
) -> Pay:
    """The cost to the unit and the pay of the worker for `gross` (the Activité case, and the
    second half of the 3en1 split). Raises SplitInputError (a ValueError)."""
    _check_parameters(parameters)
    gross = _money(gross, "gross")
    days = _days(days)
    with localcontext() as context:
        context.prec = 60  # every product below is exact before its documented rounding
        charges = _half_up(gross * parameters.employer_charges_rate / HUNDRED)
        # C2: the employment pillar of the mutual contribution (contribution_rule); the
        # budget gross + charges + C2 is ⌈gross × coefficient⌉.
        contribution = EMPLOYMENT.amount({to_decimal(parameters.coefficient): gross}, charges)
        social_security = _half_up(
            gross
            * parameters.employee_ss_base_percent
            * parameters.employee_ss_rate
            / (HUNDRED * HUNDRED)
        )
        taxable = gross - social_security
        if isinstance(withholding, WithholdingTable):
            tax, rate = withholding.withholding(
                taxable, piece_work=parameters.piece_work, scale=scale
            )
        else:
            rate = _rate(withholding, "withholding")
            tax = _half_up(taxable * rate / HUNDRED)
        minimum = _half_up(parameters.minimum_daily_gross * days)
    return Pay(
        gross=gross,
        employer_charges=charges,
        employment_cost=gross + charges,
        employment_contribution=contribution,
        budget=gross + charges + contribution,
        employee_social_security=social_security,
        taxable=taxable,
        withholding_rate=rate,
        withholding=tax,
        net=gross - social_security - tax,
        days=days,
        minimum_gross=minimum,
        gross_missing=max(ZERO, minimum - gross),
    )


def turnover_contribution(turnover: Decimal, rate: Decimal) -> Decimal:
    """C1 of one job: the turnover pillar of the mutual contribution (contribution_rule)."""
    return TURNOVER.amount({rate: turnover})


def turnover_needed(*, budget: Decimal, expenses: Decimal, turnover_rate: Decimal) -> Decimal:
    """The smallest turnover excl. VAT, to the cent, that leaves `budget` once C1 and the
    expenses are taken (T − C1(T) grows with T, by 0 or 1 cent a cent)."""
    target = budget + expenses
    with localcontext() as context:
        context.prec = 60
        guess = _ceil_cents(target / (1 - turnover_rate / HUNDRED))

    def left(turnover):
        return turnover - turnover_contribution(turnover, turnover_rate)

    while left(guess) < target:
        guess += CENT
    while guess > 0 and left(guess - CENT) >= target:
        guess -= CENT
    return guess


def job_split(
    *,
    turnover: Decimal,
    expenses: Decimal,
    parameters: ContractParameters,
    turnover_rate: Decimal,
    withholding: WithholdingTable | Decimal,
    days: int,
    scale: str = SCALE_I,
) -> JobSplit:
    """Split a 3en1 job's invoice total excl. VAT: C1, expenses, gross, charges, C2, net and
    the residue, adding up to the total to the cent. A job that can't pay the minimum daily
    gross for its days gets the missing turnover excl. VAT (it is not refused here: the
    caller refuses it). Raises SplitInputError (a ValueError) for a negative or sub-cent
    amount, a bad rate or parameter, or expenses above what C1 leaves."""
    turnover = _money(turnover, "turnover")
    expenses = _money(expenses, "expenses")
    rate = _rate(turnover_rate, "turnover_rate")
    _check_parameters(parameters)
    days = _days(days)
    contribution = turnover_contribution(turnover, rate)
    if expenses > turnover - contribution:
        raise SplitInputError(
            "expenses",
            _("The expenses exceed what the invoice leaves after the contribution: %(max)s €.")
            % {"max": turnover - contribution},
        )
    budget = turnover - contribution - expenses
    gross = gross_for_budget(budget, parameters.coefficient)
    pay = employment_cost(
        gross=gross, parameters=parameters, withholding=withholding, days=days, scale=scale
    )
    missing = ZERO
    if pay.gross_missing:
        needed_budget = _ceil_cents(pay.minimum_gross * parameters.coefficient)
        missing = (
            turnover_needed(budget=needed_budget, expenses=expenses, turnover_rate=rate) - turnover
        )
    return JobSplit(
        turnover=turnover,
        turnover_rate=rate,
        turnover_contribution=contribution,
        expenses=expenses,
        employment_budget=budget,
        pay=pay,
        residue=budget - pay.budget,
        missing_turnover=missing,
    )


# -- employer contributions by worker category (docs/payroll.md, "Employer contributions") --


@dataclass(frozen=True)
class EmployerRates:
    """The employer contribution rates of a worker category in force (rates in %)."""

    base_percent: Decimal
    basic_rate: Decimal
    holiday_pay_rate: Decimal = ZERO
    structural_reduction: bool = True


@dataclass(frozen=True)
class ReductionParameters:
    """The structural reduction's parameters in force (amounts a quarter)."""

    flat_amount: Decimal
    low_wage_threshold: Decimal
    low_wage_coefficient: Decimal
    very_low_wage_threshold: Decimal
    very_low_wage_coefficient: Decimal
    # The reduction of 1/periods of a quarter (1: the quarter; 3: a month, the payroll run's
    # estimate, docs/payroll.md): a wage of that period counts `periods` times for the quarter.
    periods: int = 1

    def amount(self, wage: Decimal) -> Decimal:
        """R for a reference wage of the period: with S = wage × periods (the quarter's),
        (F + α × (S0 − S) + γ × (S2 − S)) ÷ periods, each part only below its threshold,
        rounded to the cent; 0 from S0 up."""
        quarter = wage * self.periods
        if quarter >= self.low_wage_threshold:
            return ZERO
        low = self.low_wage_coefficient * (self.low_wage_threshold - quarter)
        very_low = self.very_low_wage_coefficient * max(
            ZERO, self.very_low_wage_threshold - quarter
        )
        return _half_up((self.flat_amount + low + very_low) / self.periods)

    def a_month(self) -> "ReductionParameters":
        """The same parameters for a month's wage: a third of the quarter's reduction on
        three times the month's reference wage."""
        return replace(self, periods=3)


@dataclass(frozen=True)
class EmployerContributions:
    """A quarter's employer contributions for one worker (amounts in €)."""

    gross: Decimal
    base: Decimal  # gross × base % (108 % for manual workers and artists)
    basic: Decimal  # base × basic rate
    holiday_pay: Decimal  # base × annual holiday-pay contribution rate (ONVA)
    structural_reduction: Decimal  # never more than the basic contribution
    total: Decimal  # basic + holiday pay − structural reduction


def employer_contributions(
    *,
    gross: Decimal,
    rates: EmployerRates,
    reduction: ReductionParameters | None,
    work_fraction: Decimal = Decimal(1),
) -> EmployerContributions:
    """The employer contributions on a quarter's gross for one worker: the basic contribution
    and the holiday-pay contribution on the category's base, less the structural reduction
    (computed on the reference wage: the quarter's base brought to full time, times the work
    fraction; capped at the basic contribution). Raises SplitInputError."""
    gross = _money(gross, "gross")
    if not 0 < work_fraction <= 1:
        raise SplitInputError("work_fraction", _("The work fraction is above 0 and at most 1."))
    with localcontext() as context:
        context.prec = 60
        base = _half_up(gross * rates.base_percent / HUNDRED)
        basic = _half_up(base * _rate(rates.basic_rate, "basic_rate") / HUNDRED)
        holiday = _half_up(base * _rate(rates.holiday_pay_rate, "holiday_pay_rate") / HUNDRED)
        cut = ZERO
        if rates.structural_reduction and reduction is not None and base:
            reference = _half_up(base / work_fraction)
            cut = min(basic, _half_up(reduction.amount(reference) * work_fraction))
    return EmployerContributions(
        gross=gross,
        base=base,
        basic=basic,
        holiday_pay=holiday,
        structural_reduction=cut,
        total=basic + holiday - cut,
    )
