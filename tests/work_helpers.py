"""Builders for the jobs and declarations tests (through the services, like every door)."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from invoicing.models import Client
from payroll.models import ContractType
from payroll.work.declaration_services import declaration_create
from payroll.work.job_services import job_create
from payroll.work.work_days import DayInput
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import LedgerEntry
from production_units.selectors import unit_balance
from production_units.services import ledger_post
from tests.invoicing_helpers import line, make_client

# Work days far enough ahead never to be in the past; December 2030 has Christmas on a
# Wednesday and New Year's Day on the next Wednesday.
MON = date(2030, 12, 16)
TUE = date(2030, 12, 17)
WED = date(2030, 12, 18)
FRI = date(2030, 12, 20)


def user(email):
    return get_user_model().objects.get(email=email)


def contract_type(code):
    return ContractType.objects.get(code=code)


def theatre():
    return Client.objects.get(name="Théâtre de la Place")


def unverified_client(alice, unit):
    """A client of the unit an advisor has not checked: its jobs wait for an advisor."""
    return make_client(alice, unit, name="Nouveau Client SRL", enterprise_number="0896755397")


def days(*rows):
    return [DayInput(day, Decimal(hours)) for day, hours in rows]


def make_job(
    alice,
    unit,
    *,
    client=None,
    amount="500.00",
    code="artist-fixed-term",
    work_days=None,
    expenses=(),
    function="Musicienne",
):
    return job_create(
        unit=unit,
        client=client or theatre(),
        description="Concert",
        worker=unit_holder_worker(unit),
        contract_type=contract_type(code),
        function=function,
        lines=[line("Concert", "1", amount)],
        days=work_days or days((FRI, "8")),
        expenses=list(expenses),
        by=alice,
    )


def set_balance(unit, target, *, by):
    """Bring the unit's balance to `target` with a manual adjustment (an advisor's)."""
    difference = Decimal(target) - unit_balance(unit=unit)
    if difference:
        ledger_post(
            unit=unit,
            kind=LedgerEntry.Kind.ADJUSTMENT,
            amount=difference,
            booked_on=date(2026, 11, 1),
            label="Test balance",
            by=by,
            reason="Test: set the balance of the worked example",
        )


def make_declaration(alice, unit, *, gross="324.70", code="trainer-fixed-term", work_days=None):
    return declaration_create(
        unit=unit,
        worker=unit_holder_worker(unit),
        contract_type=contract_type(code),
        function="Formatrice",
        gross=Decimal(gross),
        days=work_days or days((MON, "8"), (TUE, "8")),
        by=alice,
    )
