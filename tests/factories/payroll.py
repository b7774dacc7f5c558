"""Jobs (job_create), contracts and their work days (contract_create), expense claims
(expense_claim_submit). The worker is the unit's holder (unit_holder_worker) unless given."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import factory

from payroll.expenses.services import expense_claim_submit
from payroll.models import Contract, ContractType, ExpenseCategory, ExpenseClaim, Job, WorkDay
from payroll.work.contract_services import contract_create
from payroll.work.declaration_services import declaration_cost
from payroll.work.job_services import job_create
from payroll.work.work_days import DayInput
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import ProductionUnit
from tests.expense_helpers import jpeg, recent_day
from tests.factories.base import ServiceFactory
from tests.factories.invoicing import ClientFactory
from tests.factories.production_units import ProductionUnitFactory
from tests.invoicing_helpers import line

# Work days far ahead (never in the past), one week apart, all Tuesdays: one counter for every
# factory here, so that no two of them give a worker the same day.
FIRST_DAY = date(2031, 1, 7)
_weeks = itertools.count()


def _work_day() -> list[DayInput]:
    return [DayInput(FIRST_DAY + timedelta(weeks=next(_weeks)), Decimal("8"))]


class JobFactory(ServiceFactory):
    """A draft 3en1 job: one invoice line of 500.00, one day of 8 hours, its holder working."""

    class Meta:
        model = Job

    unit = factory.SubFactory(ProductionUnitFactory, tool=ProductionUnit.Tool.THREE_IN_ONE)
    client = factory.SubFactory(ClientFactory, unit=factory.SelfAttribute("..unit"))
    by = factory.LazyAttribute(lambda o: o.unit.holder.user)
    worker = factory.LazyAttribute(lambda o: unit_holder_worker(o.unit))
    description = "Concert"
    contract_type = factory.LazyFunction(lambda: ContractType.objects.get(code="artist-fixed-term"))
    function = "Musicienne"
    lines = factory.LazyFunction(lambda: [line("Concert", "1", "500.00")])
    days = factory.LazyFunction(_work_day)
    expenses = ()

    @classmethod
    def service(cls, **fields):
        return job_create(**fields)


class ContractFactory(ServiceFactory):
    """A trainer's contract of one day on an Activité unit, paid `gross` (200.00), with its
    work day and its Dimona record."""

    class Meta:
        model = Contract

    unit = factory.SubFactory(ProductionUnitFactory)
    by = factory.LazyAttribute(lambda o: o.unit.holder.user)
    worker = factory.LazyAttribute(lambda o: unit_holder_worker(o.unit))
    contract_type = factory.LazyFunction(
        lambda: ContractType.objects.get(code="trainer-fixed-term")
    )
    function = "Formatrice"
    days = factory.LazyFunction(_work_day)
    gross = Decimal("200.00")

    @classmethod
    def service(cls, *, gross, **fields):
        pay = declaration_cost(
            gross=gross, contract_type=fields["contract_type"], days=fields["days"]
        )
        return contract_create(pay=pay, **fields)


class WorkDayFactory(ContractFactory):
    """The work day of a new one-day contract (ContractFactory's arguments)."""

    class Meta:
        model = WorkDay

    @classmethod
    def service(cls, **fields):
        return ContractFactory.service(**fields).work_days.get()


class ExpenseClaimFactory(ServiceFactory):
    """A claim of 25.00 (VAT 4.34) for material, with a JPEG receipt, filed by the holder of
    an Activité unit (with 100.00 in its ledger) for themself; it waits for an advisor."""

    class Meta:
        model = ExpenseClaim

    unit = factory.SubFactory(ProductionUnitFactory, balance=Decimal("100.00"))
    by = factory.LazyAttribute(lambda o: o.unit.holder.user)
    worker = factory.LazyAttribute(lambda o: unit_holder_worker(o.unit, by=o.by))
    category = factory.LazyFunction(lambda: ExpenseCategory.objects.get(code="material"))
    spent_on = factory.LazyFunction(recent_day)
    description = "Câbles XLR"
    amount = Decimal("25.00")
    vat = Decimal("4.34")
    receipt = factory.LazyFunction(jpeg)

    @classmethod
    def service(cls, **fields):
        return expense_claim_submit(**fields)
