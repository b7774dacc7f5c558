"""A month of work for the payroll tests, made with the ORM (the job and declaration
services that create these rows in real life are tested elsewhere).

October 2026, two workers, two units, three contract types, and a change of the artist's
parameters on the 16th (employer charges 27 → 28 %, social security 13.07 → 13.00 %):

- alice (worker of her own units): artist contract A in UP-0001 (14th before the change,
  20th after, 346.29 a day, advance 500.00); trainer contract B in UP-0002 (21st and 22nd,
  162.35 a day); plus days that are not paid: a cancelled day, a day on a cancelled contract,
  a day without a contract.
- chloé (an invited worker, no account): employee contract D in UP-0001, 5th to 7th,
  900.00 a day, advance 2,100.00 (more than her net: a negative balance).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from devtools.demo import national_number
from members.models import LegalEntity
from payroll.models import (
    Contract,
    ContractType,
    ContractTypeParameters,
    PayoutLine,
    WorkDay,
    Worker,
)
from payroll.split import EmployerRates, ReductionParameters
from payroll.workers.worker_services import worker_for_member
from production_units.models import ProductionUnit

PERIOD = date(2026, 10, 1)
OCTOBER_WORKING_DAYS = 22  # 1 October 2026 a Thursday: 1–2, then four weeks of 5; no holiday
TODAY = date(2026, 11, 3)  # the run of October, early November
D = Decimal


@dataclass
class Month:
    alice: Worker
    chloe: Worker
    three: ProductionUnit
    activity: ProductionUnit
    contract_a: Contract
    contract_b: Contract
    contract_d: Contract


def change_artist_parameters_on_the_16th() -> None:
    artist = ContractType.objects.get(code="artist-fixed-term")
    current = ContractTypeParameters.objects.get(contract_type=artist, valid_to__isnull=True)
    ContractTypeParameters.objects.filter(pk=current.pk).update(valid_to=date(2026, 10, 15))
    ContractTypeParameters.objects.create(
        contract_type=artist,
        valid_from=date(2026, 10, 16),
        employer_charges_rate=D("28.00"),
        employee_ss_rate=D("13.00"),
        employee_ss_base_percent=current.employee_ss_base_percent,
        employment_coefficient=current.employment_coefficient,
        minimum_daily_gross=current.minimum_daily_gross,
        piece_work=current.piece_work,
    )


def contract(worker, unit, code, reference, start, end, gross, *, status="accepted", days=1):
    return Contract.objects.create(
        reference=reference,
        legal_entity=unit.legal_entity,
        unit=unit,
        worker=worker,
        contract_type=ContractType.objects.get(code=code),
        function="musician" if code.startswith("artist") else "trainer",
        start_date=start,
        end_date=end,
        days=days,
        hours=D("8") * days,
        gross=D(gross),
        status=status,
    )


def day(contract, on, gross, *, cancelled=False, unit=None, worker=None, hours="8.00"):
    return WorkDay.objects.create(
        worker=worker or contract.worker,
        unit=unit or contract.unit,
        date=on,
        hours=D(hours),
        function=contract.function if contract else "musician",
        contract_type=contract.contract_type
        if contract
        else ContractType.objects.get(code="artist-fixed-term"),
        contract=contract,
        gross=D(gross),
        cancelled=cancelled,
    )


def advance(contract, amount):
    return PayoutLine.objects.create(
        kind=PayoutLine.Kind.SALARY_ADVANCE,
        worker=contract.worker,
        beneficiary=str(contract.worker),
        iban=contract.worker.iban,
        amount=D(amount),
        remittance=f"Avance {contract.reference}",
        due_on=contract.end_date,
        contract=contract,
    )


def invited_worker(first_name="Chloé", last_name="Martin", serial=44) -> Worker:
    return Worker.objects.create(
        first_name=first_name,
        last_name=last_name,
        email=f"{first_name.lower()}@example.test",
        national_number=national_number(date(1995, 6, 1), serial),
        iban="BE68539007547034",
    )


def october(alice_user) -> Month:
    """Build the month described above (alice's fixtures must exist)."""
    change_artist_parameters_on_the_16th()
    three = ProductionUnit.objects.get(code="UP-0001")
    activity = ProductionUnit.objects.get(code="UP-0002")
    alice = worker_for_member(alice_user.member)
    chloe = invited_worker()
    a = contract(
        alice,
        three,
        "artist-fixed-term",
        "C-A",
        date(2026, 10, 14),
        date(2026, 10, 20),
        "692.58",
        days=2,
    )
    day(a, date(2026, 10, 14), "346.29")
    day(a, date(2026, 10, 20), "346.29")
    advance(a, "500.00")
    b = contract(
        alice,
        activity,
        "trainer-fixed-term",
        "C-B",
        date(2026, 10, 21),
        date(2026, 10, 23),
        "324.70",
        days=3,
    )
    day(b, date(2026, 10, 21), "162.35")
    day(b, date(2026, 10, 22), "162.35")
    day(b, date(2026, 10, 23), "162.35", cancelled=True)
    cancelled = contract(
        alice,
        three,
        "artist-fixed-term",
        "C-X",
        date(2026, 10, 27),
        date(2026, 10, 27),
        "400.00",
        status="cancelled",
    )
    day(cancelled, date(2026, 10, 27), "400.00")
    WorkDay.objects.create(
        worker=alice,
        unit=three,
        date=date(2026, 10, 28),
        hours=D("4.00"),
        function="musician",
        contract_type=ContractType.objects.get(code="artist-fixed-term"),
        gross=D("200.00"),
    )
    d = contract(
        chloe,
        three,
        "employee-fixed-term",
        "C-D",
        date(2026, 10, 5),
        date(2026, 10, 7),
        "2700.00",
        days=3,
    )
    for n in (5, 6, 7):
        day(d, date(2026, 10, n), "900.00")
    advance(d, "2100.00")
    assert LegalEntity.objects.count() >= 2
    return Month(alice, chloe, three, activity, a, b, d)


# -- employer contributions of a worker category in a month, by hand (docs/payroll.md, "The
# payroll run": employer charges): the published rates written out here, not read from the
# code under test. ONSS/RSZ: basic 25.00 % (all categories); artists and manual workers on
# 108 % with the holiday-pay contribution 10.27 %; structural reduction, category 1, from
# 1 April 2026: S0 11,687.74, α 0.14, S2 9,738.14, γ 0.16 (a quarter).
S0, ALPHA, S2, GAMMA = D("11687.74"), D("0.14"), D("9738.14"), D("0.16")


def half_up(value) -> Decimal:
    return D(value).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def month_employer_cost(
    gross, *, days: int, working_days: int, base="100", holiday="0", basic="25.00"
) -> Decimal:
    """basic + holiday pay − reduction of one worker's month (each step half up): the work
    fraction μ = days ÷ working days (to 0.0001, at most 1); the quarter's wage estimated as
    3 × base ÷ μ; the month gets a third of the quarter's R, times μ, at most the basic."""
    base_amount = half_up(D(gross) * D(base) / 100)
    basic_amount = half_up(base_amount * D(basic) / 100)
    holiday_amount = half_up(base_amount * D(holiday) / 100)
    fraction = min(D(1), (D(days) / D(working_days)).quantize(D("0.0001"), rounding=ROUND_HALF_UP))
    quarter = half_up(base_amount / fraction) * 3
    reduction = D(0)
    if quarter < S0:
        reduction = half_up((ALPHA * (S0 - quarter) + GAMMA * max(D(0), S2 - quarter)) / 3)
    return basic_amount + holiday_amount - min(basic_amount, half_up(reduction * fraction))


# Employer contributions (tests of payroll.split and of the payroll run): the white-collar
# rates and the structural reduction of category 1 from 1 April 2026, written out from the
# ONSS instructions.
WHITE_COLLAR = EmployerRates(base_percent=Decimal("100"), basic_rate=Decimal("25.00"))
REDUCTION_2026 = ReductionParameters(
    flat_amount=Decimal("0.00"),
    low_wage_threshold=Decimal("11687.74"),
    low_wage_coefficient=Decimal("0.1400"),
    very_low_wage_threshold=Decimal("9738.14"),
    very_low_wage_coefficient=Decimal("0.1600"),
)
