"""Activité declarations through the services: worked example 3 of docs/payroll.md end to end,
the balance (and what pending declarations reserve), the overdraft an advisor approves."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import audit_trail
from payroll.models import Contract, DimonaDeclaration, EmploymentCost, WorkDay, WorkDeclaration
from payroll.work.declaration_services import (
    declaration_approve,
    declaration_reject,
    declaration_submit,
)
from production_units.models import LedgerEntry
from production_units.selectors import unit_available_balance, unit_balance
from tests.work_helpers import MON, TUE, WED, days, make_declaration, set_balance

pytestmark = pytest.mark.django_db


def test_example_3_an_activity_unit_pays_a_two_day_contract_from_its_balance(
    alice, alice_activity, claire
):
    set_balance(alice_activity, "500.00", by=claire)
    declaration = make_declaration(alice, alice_activity, gross="324.70")
    assert declaration.status == WorkDeclaration.Status.DRAFT
    assert declaration.budget == Decimal("454.58")
    assert declaration.split["gross"] == "324.70"
    assert declaration.split["employer_charges"] == "103.90"
    assert declaration.split["employment_cost"] == "428.60"
    assert declaration.split["budget"] == "454.58"
    assert declaration.split["employment_contribution"] == "25.98"
    assert declaration.split["employee_social_security"] == "42.44"
    assert declaration.split["taxable"] == "282.26"
    assert declaration.split["withholding"] == "31.36"
    assert declaration.split["net"] == "250.90"
    assert declaration.split["gross_missing"] == "0.00"

    declaration = declaration_submit(declaration=declaration, by=alice)
    assert declaration.status == WorkDeclaration.Status.SUBMITTED
    # Reserved: 500.00 − 454.58 = 45.42 is what another declaration may still spend.
    assert unit_available_balance(unit=alice_activity) == Decimal("45.42")

    declaration = declaration_approve(declaration=declaration, by=claire)
    assert declaration.status == WorkDeclaration.Status.APPROVED
    assert declaration.overdraft_amount == Decimal("0.00")
    contract = Contract.objects.get(declaration=declaration)
    assert (contract.start_date, contract.end_date, contract.days) == (MON, TUE, 2)
    assert contract.gross == Decimal("324.70")
    assert contract.employer_charges == Decimal("103.90")
    assert contract.net_estimate == Decimal("250.90")
    assert contract.legal_entity.code == "formateurs-associes"
    assert list(
        WorkDay.objects.filter(declaration=declaration).values_list("gross", flat=True)
    ) == [
        Decimal("162.35"),
        Decimal("162.35"),
    ]
    assert DimonaDeclaration.objects.filter(contract=contract, kind="IN").count() == 1
    # Nothing posted here: the payroll run posts −428.60, the contribution run −25.98.
    assert unit_balance(unit=alice_activity) == Decimal("500.00")
    assert unit_available_balance(unit=alice_activity) == Decimal("45.42")

    # Once the payroll run has posted the employment cost, only C2 stays reserved.
    EmploymentCost.objects.create(
        unit=alice_activity,
        contract_type=contract.contract_type,
        work_date=MON,
        gross=Decimal("324.70"),
        employer_charges=Decimal("103.90"),
        contract=contract,
    )
    from production_units.services import ledger_post

    ledger_post(
        unit=alice_activity,
        kind=LedgerEntry.Kind.EMPLOYMENT_COST,
        amount=Decimal("-428.60"),
        booked_on=date(2030, 12, 31),
        label="Salaires",
        by=claire,
    )
    # 500.00 − 428.60 = 71.40 on the ledger, 25.98 of C2 still to come: 45.42.
    assert unit_available_balance(unit=alice_activity) == Decimal("45.42")


def test_example_3_with_400_on_the_balance_is_refused_with_54_58_missing(
    alice, alice_activity, claire
):
    set_balance(alice_activity, "400.00", by=claire)
    declaration = make_declaration(alice, alice_activity, gross="324.70")
    with pytest.raises(ValidationError) as refused:
        declaration_submit(declaration=declaration, by=alice)
    assert refused.value.message_dict["gross"] == [
        "The unit's available balance (400.00 €) can't pay this declaration's budget "
        "(454.58 €): 54.58 € missing."
    ]
    declaration.refresh_from_db()
    assert declaration.status == WorkDeclaration.Status.DRAFT


def test_two_declarations_cant_spend_the_same_euros(alice, alice_activity, claire):
    set_balance(alice_activity, "500.00", by=claire)
    first = make_declaration(alice, alice_activity, gross="324.70")
    declaration_submit(declaration=first, by=alice)
    second = make_declaration(
        alice, alice_activity, gross="200.00", work_days=days((WED, "8"))
    )  # budget ⌈200 × 1.40⌉ = 280.00
    with pytest.raises(ValidationError) as refused:
        declaration_submit(declaration=second, by=alice)
    # 500.00 − 454.58 reserved = 45.42; 280.00 − 45.42 = 234.58 missing.
    assert "234.58 € missing" in refused.value.message_dict["gross"][0]


def test_under_the_minimum_daily_gross_is_refused_with_the_amount_missing(alice, alice_activity):
    with pytest.raises(ValidationError) as refused:
        make_declaration(alice, alice_activity, gross="150.00")
    # 2 days × 100.00 = 200.00: 50.00 missing.
    assert refused.value.message_dict["gross"] == [
        "50.00 € of gross missing to pay the minimum wage for 2 days (minimum 200.00 €)."
    ]
    assert not WorkDeclaration.objects.exists()


def test_a_day_in_the_past_or_twice_is_refused(alice, alice_activity, alice_3en1):
    with pytest.raises(ValidationError) as refused:
        make_declaration(alice, alice_activity, work_days=days((date(2026, 2, 2), "8")))
    assert "02/02/2026 is in the past" in refused.value.message_dict["days"][0]
    make_declaration(alice, alice_activity)
    with pytest.raises(ValidationError) as refused:
        make_declaration(alice, alice_activity, work_days=days((TUE, "8"), (WED, "8")))
    assert refused.value.message_dict["days"] == [
        "Alice Lambert already has a declared work day on 17/12/2030."
    ]


def test_an_overdraft_needs_an_advisors_reason_and_is_recorded(alice, alice_activity, claire):
    set_balance(alice_activity, "500.00", by=claire)
    declaration = declaration_submit(
        declaration=make_declaration(alice, alice_activity, gross="324.70"), by=alice
    )
    # The balance drops after submission (a purchase): 400.00 left.
    set_balance(alice_activity, "400.00", by=claire)
    with pytest.raises(ValidationError) as refused:
        declaration_approve(declaration=declaration, by=claire)
    assert "54.58 € missing" in refused.value.message_dict["overdraft_reason"][0]
    with pytest.raises(PermissionDenied):
        declaration_approve(declaration=declaration, by=alice, overdraft_reason="please")

    declaration = declaration_approve(
        declaration=declaration, by=claire, overdraft_reason="Invoice of 600 € due next week."
    )
    assert declaration.status == WorkDeclaration.Status.APPROVED
    assert declaration.overdraft_amount == Decimal("54.58")
    assert declaration.overdraft_approved_by == claire
    assert declaration.overdraft_approved_at is not None
    assert declaration.overdraft_reason == "Invoice of 600 € due next week."
    event = audit_trail(declaration).get(action="work_declaration.overdraft_approved")
    assert event.actor == claire
    assert event.changes["overdraft"] == "54.58"
    assert event.reason == "Invoice of 600 € due next week."


def test_a_rejected_declaration_releases_its_days(alice, alice_activity, claire):
    set_balance(alice_activity, "500.00", by=claire)
    declaration = declaration_submit(declaration=make_declaration(alice, alice_activity), by=alice)
    declaration = declaration_reject(declaration=declaration, by=claire, reason="Wrong days")
    assert declaration.status == WorkDeclaration.Status.REJECTED
    assert unit_available_balance(unit=alice_activity) == Decimal("500.00")
    make_declaration(alice, alice_activity)  # the same days, free again
