"""Dimona through the folder channel: the channel's answers (accepted with a reference,
refused with a message) recorded on the declarations, unreadable or unexpected answers kept
aside, and a channel that can't be written to leaving the declarations to send (issue 16)."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from core.models import AuditEvent
from payroll.models import ContractType, DimonaDeclaration
from payroll.work.contract_services import contract_cancel, contract_create
from payroll.work.dimona import FolderChannel, dimona_read_acknowledgements, dimona_send_pending
from payroll.work.work_days import DayInput
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import ProductionUnit
from tests.payroll.test_contracts_core import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings, tmp_path):
    settings.DIMONA_EXPORT_DIR = str(tmp_path / "dimona")
    return tmp_path / "dimona"


@pytest.fixture
def contracts(alice, folder):
    unit = ProductionUnit.objects.get(code="UP-0002")
    worker = unit_holder_worker(unit)
    employee = ContractType.objects.get(code="employee-fixed-term")
    start = timezone.localdate() + timedelta(days=10)
    made = [
        contract_create(
            unit=unit, worker=worker, contract_type=employee, function="Régie",
            days=[DayInput(start + timedelta(days=offset), Decimal("8"))],
            pay=pay("150.00"), by=alice,
        )
        for offset in (0, 1, 2)
    ]  # fmt: skip
    assert dimona_send_pending() == 3
    return made


def _answer(folder: Path, name: str, content) -> None:
    (folder / "acks").mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps({"declarations": content})
    (folder / "acks" / name).write_text(text, encoding="utf-8")


def _dimona(contract):
    return DimonaDeclaration.objects.get(contract=contract, kind="IN")


def test_accepted_and_refused_answers_are_recorded_and_audited(contracts, folder):
    first, second, third = (_dimona(contract) for contract in contracts)
    _answer(folder, "answer-1.json", [
        {"id": first.pk, "accepted": True, "reference": "DIM-0001"},
        {"id": second.pk, "accepted": False, "message": "Numéro national inconnu"},
    ])  # fmt: skip
    assert dimona_read_acknowledgements() == {
        "accepted": 1, "refused": 1, "skipped": 0, "unreadable": 0
    }  # fmt: skip
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (first.status, first.channel_reference) == ("accepted", "DIM-0001")
    assert (second.status, second.message) == ("refused", "Numéro national inconnu")
    assert third.status == "sent"  # no answer yet
    refused = AuditEvent.objects.get(action="dimona.refused", object_id=str(second.pk))
    assert refused.reason == "Numéro national inconnu"
    assert (folder / "acks" / "done" / "answer-1.json").exists()
    # Read once: the file has left the inbox, a second reading changes nothing.
    assert dimona_read_acknowledgements()["accepted"] == 0


def test_an_answer_about_an_unknown_or_already_answered_declaration_is_skipped(contracts, folder):
    first = _dimona(contracts[0])
    _answer(folder, "a.json", [{"id": first.pk, "accepted": True, "reference": "R1"}])
    _answer(folder, "b.json", [
        {"id": first.pk, "accepted": False, "message": "late"},  # already accepted
        {"id": 999_999, "accepted": True},  # not ours
    ])  # fmt: skip
    counts = dimona_read_acknowledgements()
    assert counts == {"accepted": 1, "refused": 0, "skipped": 2, "unreadable": 0}
    first.refresh_from_db()
    assert first.status == "accepted"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json", "Expecting value"),
        ({"answers": []}, "no 'declarations' list"),
        (json.dumps({"declarations": [{"id": "12", "accepted": True}]}), "no numeric 'id'"),
        (json.dumps({"declarations": [{"id": 12, "accepted": "yes"}]}), "true or false"),
    ],
)
def test_an_unreadable_answer_is_set_aside_with_its_reason(contracts, folder, content, reason):
    text = content if isinstance(content, str) else json.dumps(content)
    _answer(folder, "bad.json", text)
    assert dimona_read_acknowledgements()["unreadable"] == 1
    assert not (folder / "acks" / "bad.json").exists()
    assert reason in (folder / "acks" / "errors" / "bad.json.error.txt").read_text()
    assert {d.status for d in DimonaDeclaration.objects.all()} == {"sent"}


class BrokenChannel(FolderChannel):
    def send(self, declarations):
        raise OSError("disk full")


def test_a_channel_that_fails_leaves_the_declarations_to_send_with_the_error(alice, folder):
    unit = ProductionUnit.objects.get(code="UP-0002")
    contract = contract_create(
        unit=unit, worker=unit_holder_worker(unit),
        contract_type=ContractType.objects.get(code="employee-fixed-term"), function="Régie",
        days=[DayInput(timezone.localdate() + timedelta(days=10), Decimal("8"))],
        pay=pay("150.00"), by=alice,
    )  # fmt: skip
    assert dimona_send_pending(send_channel=BrokenChannel()) == 0
    dimona = _dimona(contract)
    assert dimona.status == "pending"
    assert "disk full" in dimona.message
    assert AuditEvent.objects.filter(action="dimona.send_failed").count() == 1
    assert dimona_send_pending() == 1  # the next run sends it
    dimona.refresh_from_db()
    assert dimona.status == "sent"


def test_a_cancellation_is_sent_and_answered_like_the_others(contracts, folder, claire):
    contract_cancel(contract=contracts[0], by=claire, reason="Spectacle annulé")
    dimona_send_pending()
    cancel = DimonaDeclaration.objects.get(contract=contracts[0], kind="CANCEL")
    assert cancel.status == "sent"
    _answer(folder, "c.json", [{"id": cancel.pk, "accepted": True, "reference": "ANN-1"}])
    assert dimona_read_acknowledgements()["accepted"] == 1
    cancel.refresh_from_db()
    assert (cancel.status, cancel.channel_reference) == ("accepted", "ANN-1")
