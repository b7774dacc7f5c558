"""The factories (tests/factories/) make rows as the services do: valid, numbered, audited."""

from decimal import Decimal

import pytest

from core import roles
from core.audit import audit_trail
from governance.models import GeneralAssembly
from invoicing.models import Invoice
from payroll.models import ExpenseClaim, Job
from production_units.models import ProductionUnit
from tests.factories.governance import GeneralAssemblyFactory
from tests.factories.invoicing import ClientFactory, InvoiceFactory, IssuedInvoiceFactory
from tests.factories.members import AdvisorFactory, BoardMemberFactory, MemberFactory, office
from tests.factories.payroll import (
    ContractFactory,
    ExpenseClaimFactory,
    JobFactory,
    WorkDayFactory,
)
from tests.factories.production_units import ProductionUnitFactory

pytestmark = pytest.mark.django_db


def test_members_are_numbered_and_audited_with_an_account():
    first, second = MemberFactory(), MemberFactory(office=office("namur"))
    assert second.number == first.number + 1
    assert first.user.email != second.user.email
    assert second.office.code == "namur"
    assert audit_trail(first).first().action == "member.created"


def test_advisors_and_board_members_have_their_role():
    advisor = AdvisorFactory(office=office("gent"))
    assert advisor.is_staff and advisor.office.code == "gent"
    assert advisor.groups.filter(name=roles.ADVISOR).exists()
    assert roles.is_board(BoardMemberFactory())
    assert not roles.is_board(advisor)


def test_a_unit_is_opened_for_its_holder():
    unit = ProductionUnitFactory()
    assert unit.status == ProductionUnit.Status.ACTIVE
    assert audit_trail(unit).first().action == "unit.opened"


def test_invoices_draft_and_issued():
    client = ClientFactory()
    draft = InvoiceFactory(unit=client.units.get(), client=client)
    assert draft.status == Invoice.Status.DRAFT
    assert draft.number is None
    issued = IssuedInvoiceFactory()
    assert issued.is_issued and issued.number
    assert issued.total == Decimal("121.00")


def test_work_and_expenses():
    job = JobFactory()
    assert job.status == Job.Status.DRAFT
    contract = ContractFactory()
    assert contract.work_days.count() == 1
    day = WorkDayFactory(unit=contract.unit)
    assert day.contract.worker == contract.worker
    claim = ExpenseClaimFactory()
    assert claim.status == ExpenseClaim.Status.SUBMITTED


def test_an_assembly_is_prepared_by_the_board():
    assembly = GeneralAssemblyFactory()
    assert assembly.status == GeneralAssembly.Status.DRAFT
