"""Contracts and declared days: the rules every day obeys, the contract with its days and its
Dimona record, acceptance before the work starts, the PDF, the Dimona folder channel."""

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from core.models import AuditEvent
from payroll.models import Contract, ContractType, DimonaDeclaration, WorkDay
from payroll.split import Pay
from payroll.work.contract_services import contract_accept, contract_cancel, contract_create
from payroll.work.dimona import dimona_send_pending
from payroll.work.work_days import DayInput, split_gross_by_hours, work_days_errors
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import ProductionUnit

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DIMONA_EXPORT_DIR = str(tmp_path / "dimona")


@pytest.fixture
def unit(alice):
    return ProductionUnit.objects.get(code="UP-0002")


@pytest.fixture
def worker(unit, alice):
    return unit_holder_worker(unit)


def pay(gross: str, charges: str = "0.00", net: str = "0.00") -> Pay:
    gross = Decimal(gross)
    return Pay(
        gross=gross,
        employer_charges=Decimal(charges),
        employment_cost=gross + Decimal(charges),
        employment_contribution=Decimal("0.00"),
        budget=gross,
        employee_social_security=Decimal("0.00"),
        taxable=gross,
        withholding_rate=Decimal("0"),
        withholding=Decimal("0.00"),
        net=Decimal(net),
        days=1,
        minimum_gross=Decimal("0.00"),
        gross_missing=Decimal("0.00"),
    )


def future(days: int) -> date:
    from django.utils import timezone

    return timezone.localdate() + timedelta(days=days)


def test_the_holder_becomes_a_worker_of_the_unit_from_the_member_file(worker, alice):
    assert worker.national_number == alice.member.national_number
    assert worker.iban == alice.member.iban
    assert worker.user == alice


def test_a_day_in_the_past_twice_or_with_odd_hours_is_refused(worker):
    days = [
        DayInput(TODAY - timedelta(days=1), Decimal("8")),
        DayInput(TODAY + timedelta(days=1), Decimal("13")),
        DayInput(TODAY + timedelta(days=2), Decimal("7.1")),
        DayInput(TODAY + timedelta(days=2), Decimal("4")),
    ]
    errors = work_days_errors(worker=worker, days=days, today=TODAY)
    assert any("22/11/2026 is in the past" in error for error in errors)
    assert any("24/11/2026: hours must be between" in error for error in errors)
    assert any("25/11/2026: hours are counted in quarters" in error for error in errors)
    assert any("25/11/2026 is declared twice" in error for error in errors)
    assert work_days_errors(worker=worker, days=[], today=TODAY) == [
        "Declare at least one work day."
    ]


def test_an_advisor_may_allow_a_day_in_the_past(worker):
    days = [DayInput(TODAY - timedelta(days=3), Decimal("8"))]
    assert work_days_errors(worker=worker, days=days, today=TODAY, allow_past=True) == []


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    gross_cents=st.integers(min_value=0, max_value=10_000_000),
    quarters=st.lists(st.integers(min_value=1, max_value=48), min_size=1, max_size=20),
)
def test_the_gross_split_by_hours_adds_up_exactly_and_follows_the_hours(gross_cents, quarters):
    gross = Decimal(gross_cents).scaleb(-2)
    days = [DayInput(TODAY + timedelta(days=i), Decimal(q) / 4) for i, q in enumerate(quarters)]
    shares = split_gross_by_hours(gross, days)
    assert sum(shares) == gross
    total_hours = sum(Decimal(q) / 4 for q in quarters)
    for share, day in zip(shares, days, strict=True):
        exact = gross * day.hours / total_hours
        assert abs(share - exact) < Decimal("0.01")
        assert share == share.quantize(Decimal("0.01"))


def test_a_contract_covers_its_days_with_the_gross_split_and_a_dimona_in(unit, worker, alice):
    employee = ContractType.objects.get(code="employee-fixed-term")
    days = [DayInput(future(3), Decimal("8")), DayInput(future(4), Decimal("4"))]
    contract = contract_create(
        unit=unit,
        worker=worker,
        contract_type=employee,
        function="Régisseur",
        days=days,
        pay=pay("300.00", "75.00", "220.00"),
        by=alice,
    )
    initials = {"smartcoop": "S", "productions-associees": "PA", "formateurs-associes": "FA"}[
        unit.legal_entity.code
    ]
    assert contract.reference == f"{initials}-CT-{future(3).year}-000001"
    assert (contract.start_date, contract.end_date, contract.days) == (future(3), future(4), 2)
    assert contract.hours == Decimal("12")
    # 300.00 by hours 8:4 → 200.00 and 100.00.
    assert [d.gross for d in contract.work_days.order_by("date")] == [
        Decimal("200.00"),
        Decimal("100.00"),
    ]
    dimona = DimonaDeclaration.objects.get(contract=contract)
    assert dimona.kind == "IN"
    assert dimona.worker_national_number == worker.national_number
    assert dimona.employer_number == unit.legal_entity.enterprise_number
    assert AuditEvent.objects.filter(action="contract.created", object_id=str(contract.pk)).exists()


def test_the_contract_pdf_and_the_dimona_file_are_produced_after_commit(
    unit, worker, alice, django_capture_on_commit_callbacks, tmp_path
):
    employee = ContractType.objects.get(code="employee-fixed-term")
    with django_capture_on_commit_callbacks(execute=True):
        contract = contract_create(
            unit=unit,
            worker=worker,
            contract_type=employee,
            function="Régisseur",
            days=[DayInput(future(2), Decimal("8"))],
            pay=pay("150.00"),
            by=alice,
        )
    contract.refresh_from_db()
    text = "".join(page.extract_text() for page in PdfReader(contract.pdf.path).pages)
    assert contract.reference in text
    assert "Régisseur" in text
    assert "150,00" in text  # French: the worker's language
    assert "18,75" in text  # the gross hourly rate: 150.00 € for 8 hours
    dimona = DimonaDeclaration.objects.get(contract=contract)
    assert dimona.status == DimonaDeclaration.Status.SENT
    exported = json.loads(Path(dimona.file).read_text())
    assert exported["declarations"][0]["worker"] == worker.national_number
    assert exported["declarations"][0]["start"] == future(2).isoformat()
    assert dimona_send_pending() == 0  # nothing left: sending twice sends nothing


def test_the_same_worker_and_day_can_not_be_declared_twice(unit, worker, alice):
    employee = ContractType.objects.get(code="employee-fixed-term")
    day = [DayInput(future(5), Decimal("8"))]
    contract_create(
        unit=unit,
        worker=worker,
        contract_type=employee,
        function="A",
        days=day,
        pay=pay("100.00"),
        by=alice,
    )
    with pytest.raises(ValidationError) as refused:
        contract_create(
            unit=unit,
            worker=worker,
            contract_type=employee,
            function="B",
            days=day,
            pay=pay("100.00"),
            by=alice,
        )
    assert "already has a declared work day on" in str(refused.value.message_dict["days"])
    assert Contract.objects.count() == 1
    first = WorkDay.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkDay.objects.create(
            worker=worker,
            unit=unit,
            date=first.date,
            hours=1,
            function="x",
            contract_type=employee,
        )


def test_a_start_in_the_past_needs_an_advisor_and_a_reason(unit, worker, alice, claire):
    employee = ContractType.objects.get(code="employee-fixed-term")
    past = [DayInput(future(-2), Decimal("8"))]
    for by, reason in ((alice, "urgent"), (claire, "  ")):
        with pytest.raises(ValidationError):
            contract_create(
                unit=unit,
                worker=worker,
                contract_type=employee,
                function="A",
                days=past,
                pay=pay("100.00"),
                by=by,
                past_start_reason=reason,
            )
    contract = contract_create(
        unit=unit,
        worker=worker,
        contract_type=employee,
        function="A",
        days=past,
        pay=pay("100.00"),
        by=claire,
        past_start_reason="Dimona faite par téléphone",
    )
    assert contract.past_start_approved_by == claire
    assert contract.past_start_reason == "Dimona faite par téléphone"
    contract_accept(contract=contract, by=alice)  # allowed: the advisor approved the start


def test_only_the_worker_accepts_once_before_the_work_starts(unit, worker, alice, bob):
    employee = ContractType.objects.get(code="employee-fixed-term")
    contract = contract_create(
        unit=unit,
        worker=worker,
        contract_type=employee,
        function="A",
        days=[DayInput(future(1), Decimal("8"))],
        pay=pay("100.00"),
        by=alice,
    )
    with pytest.raises(ValidationError, match="Only the worker"):
        contract_accept(contract=contract, by=bob)
    with pytest.raises(ValidationError, match="must be accepted before it starts"):
        contract_accept(contract=contract, by=alice, today=future(2))
    accepted = contract_accept(contract=contract, by=alice)
    assert accepted.status == Contract.Status.ACCEPTED and accepted.accepted_at is not None
    with pytest.raises(ValidationError, match="can't be accepted"):
        contract_accept(contract=contract, by=alice)


def test_cancelling_frees_the_days_and_records_a_dimona_cancellation(unit, worker, alice):
    employee = ContractType.objects.get(code="employee-fixed-term")
    days = [DayInput(future(6), Decimal("8"))]
    contract = contract_create(
        unit=unit,
        worker=worker,
        contract_type=employee,
        function="A",
        days=days,
        pay=pay("100.00"),
        by=alice,
    )
    with pytest.raises(ValidationError):
        contract_cancel(contract=contract, by=alice, reason="")
    contract_cancel(contract=contract, by=alice, reason="Concert annulé")
    assert set(contract.work_days.values_list("cancelled", flat=True)) == {True}
    assert contract.dimonas.filter(kind="CANCEL").count() == 1
    again = contract_create(
        unit=unit,
        worker=worker,
        contract_type=employee,
        function="A",
        days=days,
        pay=pay("100.00"),
        by=alice,
    )
    assert again.reference.endswith("000002")
