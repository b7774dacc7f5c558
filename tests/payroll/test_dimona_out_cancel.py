"""Dimona OUT (a contract ended early by an advisor) and CANCEL (a contract cancelled before it
starts): written to the folder channel after their IN, answered, refused and sent again, never
twice; a cancellation once the work started is refused; the contract's history in the
back-office (issue 16)."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.dates import format_day
from core.models import AuditEvent
from payroll.models import Contract, ContractType, DimonaDeclaration
from payroll.work.contract_services import contract_cancel, contract_create, contract_end
from payroll.work.dimona import dimona_read_acknowledgements, dimona_send_pending
from payroll.work.dimona_services import dimona_retry
from payroll.work.work_days import DayInput
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import ProductionUnit
from tests.conftest import _with_mfa
from tests.factories.members import AdvisorFactory, office
from tests.payroll.test_contracts_core import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings, tmp_path):
    settings.DIMONA_EXPORT_DIR = str(tmp_path / "dimona")
    return tmp_path / "dimona"


def _contract(alice, *, start_in: int = 10, days: int = 3, code: str = "employee-fixed-term"):
    """A contract of `days` consecutive days of 8 hours at 100.00 € a day (gross 100 × days)."""
    unit = ProductionUnit.objects.get(code="UP-0002")
    start = timezone.localdate() + timedelta(days=start_in)
    return contract_create(
        unit=unit, worker=unit_holder_worker(unit),
        contract_type=ContractType.objects.get(code=code), function="Régie",
        days=[DayInput(start + timedelta(days=offset), Decimal("8")) for offset in range(days)],
        pay=pay(f"{100 * days}.00", charges=f"{30 * days}.00", net=f"{60 * days}.00"),
        by=alice,
    )  # fmt: skip


def _answer(folder: Path, name: str, rows: list[dict]) -> None:
    (folder / "acks").mkdir(parents=True, exist_ok=True)
    (folder / "acks" / name).write_text(json.dumps({"declarations": rows}), encoding="utf-8")


def _accepted_in(contract, folder, reference="DIM-IN-1") -> DimonaDeclaration:
    dimona_send_pending()
    declared = DimonaDeclaration.objects.get(contract=contract, kind="IN")
    _answer(folder, f"in-{declared.pk}.json",
            [{"id": declared.pk, "accepted": True, "reference": reference}])  # fmt: skip
    assert dimona_read_acknowledgements()["accepted"] == 1
    declared.refresh_from_db()
    assert declared.status == "accepted"
    return declared


def _records(declaration: DimonaDeclaration) -> list[dict]:
    return json.loads(Path(declaration.file).read_text())["declarations"]


# --- OUT -------------------------------------------------------------------------------------


def test_an_ended_contract_frees_its_later_days_and_sends_an_out_that_is_acknowledged(
    alice, claire, folder
):
    contract = _contract(alice, days=3)
    declared = _accepted_in(contract, folder)
    last_day = contract.start_date + timedelta(days=1)

    contract_end(contract=contract, end_date=last_day, by=claire, reason="Tournée écourtée")

    contract.refresh_from_db()
    # Two days of 8 h at 100 € kept out of three: charges and net estimate in proportion 2/3.
    assert (contract.end_date, contract.days, contract.hours) == (last_day, 2, Decimal("16"))
    assert (contract.gross, contract.employer_charges, contract.net_estimate) == (
        Decimal("200.00"), Decimal("60.00"), Decimal("120.00")
    )  # fmt: skip
    kept = contract.work_days.filter(cancelled=False).values_list("date", flat=True)
    assert list(kept) == [contract.start_date, last_day]

    assert dimona_send_pending() == 1
    out = DimonaDeclaration.objects.get(contract=contract, kind="OUT")
    assert out.status == "sent" and out.in_declaration == declared
    [record] = _records(out)
    assert record["type"] == "OUT"
    assert record["end"] == last_day.isoformat()
    assert (record["in_id"], record["in_reference"]) == (declared.pk, "DIM-IN-1")

    _answer(folder, "out.json", [{"id": out.pk, "accepted": True, "reference": "DIM-OUT-1"}])
    assert dimona_read_acknowledgements()["accepted"] == 1
    out.refresh_from_db()
    assert (out.status, out.channel_reference) == ("accepted", "DIM-OUT-1")
    ended = AuditEvent.objects.get(action="contract.ended", object_id=str(contract.pk))
    assert ended.reason == "Tournée écourtée"
    assert AuditEvent.objects.filter(action="dimona.accepted", object_id=str(out.pk)).exists()


def test_an_out_waits_until_its_in_has_gone_out(alice, claire, folder):
    contract = _contract(alice, days=2)
    contract_end(contract=contract, end_date=contract.start_date, by=claire, reason="Annulé J2")

    assert dimona_send_pending() == 1  # the IN only
    out = DimonaDeclaration.objects.get(contract=contract, kind="OUT")
    assert out.status == "pending"
    assert dimona_send_pending() == 1  # now the OUT
    out.refresh_from_db()
    assert out.status == "sent"


def test_an_out_whose_in_was_refused_is_withdrawn_not_sent(alice, claire, folder):
    contract = _contract(alice, days=2)
    contract_end(contract=contract, end_date=contract.start_date, by=claire, reason="Fin")
    dimona_send_pending()
    declared = DimonaDeclaration.objects.get(contract=contract, kind="IN")
    _answer(folder, "in.json", [{"id": declared.pk, "accepted": False, "message": "NISS ?"}])
    dimona_read_acknowledgements()

    assert dimona_send_pending() == 0
    out = DimonaDeclaration.objects.get(contract=contract, kind="OUT")
    assert out.status == "withdrawn"
    assert "refused" in out.message


def test_a_contract_is_ended_once_no_second_out(alice, claire, folder):
    contract = _contract(alice, days=3)
    _accepted_in(contract, folder)
    contract_end(contract=contract, end_date=contract.start_date + timedelta(days=1), by=claire,
                 reason="Fin")  # fmt: skip

    with pytest.raises(ValidationError, match="already ended"):
        contract_end(contract=contract, end_date=contract.start_date, by=claire, reason="Again")
    assert dimona_send_pending() == 1
    assert dimona_send_pending() == 0  # sent once
    assert DimonaDeclaration.objects.filter(contract=contract, kind="OUT").count() == 1
    # The database says so too: a second live OUT can't be written.
    out = DimonaDeclaration.objects.get(contract=contract, kind="OUT")
    with pytest.raises(IntegrityError), transaction.atomic():
        DimonaDeclaration.objects.create(
            contract=contract, kind="OUT", start_date=out.start_date, end_date=out.end_date,
            worker_national_number=out.worker_national_number,
            employer_number=out.employer_number, contract_type_code=out.contract_type_code,
        )  # fmt: skip


def test_an_end_outside_the_contract_is_refused_naming_the_date(alice, claire, folder):
    contract = _contract(alice, days=2)
    for end, message in (
        (contract.start_date - timedelta(days=1), "cancelled instead"),
        (contract.end_date, "ends on its end date by itself"),
        (contract.end_date + timedelta(days=5), "only before that day"),
    ):
        with pytest.raises(ValidationError) as refused:
            contract_end(contract=contract, end_date=end, by=claire, reason="Fin")
        assert message in " ".join(refused.value.message_dict["end_date"])
    with pytest.raises(ValidationError) as no_reason:
        contract_end(contract=contract, end_date=contract.start_date, by=claire, reason=" ")
    assert "reason" in no_reason.value.message_dict
    assert not DimonaDeclaration.objects.filter(kind="OUT").exists()


def test_an_open_ended_contract_is_ended_on_its_last_day(alice, claire, folder):
    contract = _contract(alice, days=2, code="open-ended")
    contract_end(contract=contract, end_date=contract.end_date, by=claire, reason="Démission")
    assert DimonaDeclaration.objects.get(contract=contract, kind="OUT").end_date == (
        contract.start_date + timedelta(days=1)
    )


def test_an_open_ended_contracts_in_is_sent_without_an_end_a_fixed_terms_with_its_end(
    alice, folder
):
    open_ended = _contract(alice, days=2, code="open-ended")
    fixed = _contract(alice, start_in=20, days=2)
    assert dimona_send_pending() == 2
    declared = DimonaDeclaration.objects.filter(kind="IN")
    records = {
        record["contract"]: record
        for path in {declaration.file for declaration in declared}
        for record in json.loads(Path(path).read_text())["declarations"]
    }
    assert records[open_ended.reference]["end"] is None
    assert records[open_ended.reference]["start"] == open_ended.start_date.isoformat()
    assert records[fixed.reference]["end"] == fixed.end_date.isoformat()


def test_only_an_advisor_of_the_contracts_office_ends_it(alice, bob, folder):
    contract = _contract(alice, days=2)
    namur = AdvisorFactory(office=office("namur"))
    with pytest.raises(Http404):
        contract_end(contract=contract, end_date=contract.start_date, by=namur, reason="Fin")
    with pytest.raises(PermissionDenied):
        contract_end(contract=contract, end_date=contract.start_date, by=alice, reason="Fin")
    contract.refresh_from_db()
    assert contract.days == 2
    assert not DimonaDeclaration.objects.filter(kind="OUT").exists()


# --- CANCEL ----------------------------------------------------------------------------------


def test_a_cancellation_is_written_after_its_in_and_acknowledged(alice, claire, folder):
    contract = _contract(alice, days=1)
    declared = _accepted_in(contract, folder, reference="DIM-IN-9")

    contract_cancel(contract=contract, by=claire, reason="Festival annulé")
    assert dimona_send_pending() == 1
    cancel = DimonaDeclaration.objects.get(contract=contract, kind="CANCEL")
    [record] = _records(cancel)
    assert (record["type"], record["in_id"], record["in_reference"]) == (
        "CANCEL", declared.pk, "DIM-IN-9"
    )  # fmt: skip
    _answer(folder, "cancel.json", [{"id": cancel.pk, "accepted": True, "reference": "ANN-9"}])
    assert dimona_read_acknowledgements()["accepted"] == 1
    cancel.refresh_from_db()
    assert (cancel.status, cancel.channel_reference) == ("accepted", "ANN-9")


def test_a_contract_cancelled_before_its_in_went_out_sends_nothing(alice, claire, folder):
    contract = _contract(alice, days=1)
    contract_cancel(contract=contract, by=claire, reason="Erreur d'encodage")

    assert dimona_send_pending() == 0
    statuses = dict(DimonaDeclaration.objects.filter(contract=contract)
                    .values_list("kind", "status"))  # fmt: skip
    assert statuses == {"IN": "withdrawn", "CANCEL": "withdrawn"}
    assert not folder.exists() or not list(folder.glob("dimona-*.json"))


def test_a_cancellation_once_the_work_started_is_refused_with_a_clear_message(
    alice, claire, folder
):
    contract = _contract(alice, days=2)
    _accepted_in(contract, folder)

    with pytest.raises(ValidationError) as refused:
        contract_cancel(contract=contract, by=claire, reason="Trop tard",
                        today=contract.start_date)  # fmt: skip

    text = " ".join(refused.value.messages)
    assert f"started on {format_day(contract.start_date)}" in text
    assert "ends it instead" in text
    contract.refresh_from_db()
    assert contract.status == Contract.Status.OFFERED
    assert not DimonaDeclaration.objects.filter(contract=contract, kind="CANCEL").exists()


# --- a refusal, shown, corrected and sent again ----------------------------------------------


def test_a_refused_out_is_listed_for_the_advisor_and_sent_again_once(alice, claire, client, folder):
    contract = _contract(alice, days=3)
    _accepted_in(contract, folder)
    contract_end(contract=contract, end_date=contract.start_date, by=claire, reason="Fin")
    dimona_send_pending()
    out = DimonaDeclaration.objects.get(contract=contract, kind="OUT")
    _answer(folder, "out.json", [{"id": out.pk, "accepted": False, "message": "Période inconnue"}])
    assert dimona_read_acknowledgements()["refused"] == 1

    client.force_login(_with_mfa(claire))
    index = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dimona declarations refused" in index
    refused_list = client.get(
        reverse("admin:payroll_dimonadeclaration_changelist") + "?status__exact=refused",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert list(refused_list.context["cl"].result_list) == [out]
    assert "Période inconnue" in refused_list.content.decode()

    response = client.post(
        reverse("admin:payroll_dimonadeclaration_changelist"),
        {"action": "send_again", "_selected_action": [out.pk], "reason": "Période corrigée",
         "apply": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code in (200, 302), response.content.decode()
    retry = DimonaDeclaration.objects.get(retry_of=out)
    assert (retry.kind, retry.status, retry.in_declaration_id) == (
        "OUT", "pending", out.in_declaration_id
    )  # fmt: skip
    assert AuditEvent.objects.get(action="dimona.retried").reason == "Période corrigée"
    with pytest.raises(ValidationError, match="already sent again"):
        dimona_retry(declaration=out, by=claire)
    with pytest.raises(ValidationError, match="Only a refused declaration"):
        dimona_retry(declaration=retry, by=claire)

    assert dimona_send_pending() == 1
    _answer(folder, "out2.json", [{"id": retry.pk, "accepted": True, "reference": "OUT-2"}])
    assert dimona_read_acknowledgements()["accepted"] == 1
    retry.refresh_from_db()
    assert retry.status == "accepted"


def test_only_an_advisor_of_the_office_sends_a_refused_declaration_again(alice, folder):
    contract = _contract(alice, days=1)
    dimona_send_pending()
    declared = DimonaDeclaration.objects.get(contract=contract, kind="IN")
    _answer(folder, "in.json", [{"id": declared.pk, "accepted": False, "message": "NISS"}])
    dimona_read_acknowledgements()
    with pytest.raises(PermissionDenied):
        dimona_retry(declaration=declared, by=alice)
    with pytest.raises(Http404):
        dimona_retry(declaration=declared, by=AdvisorFactory(office=office("namur")))
    assert not DimonaDeclaration.objects.filter(retry_of=declared).exists()


# --- the back-office -------------------------------------------------------------------------


def test_the_contract_page_shows_its_dimona_history(alice, claire, client, folder):
    contract = _contract(alice, days=3)
    _accepted_in(contract, folder, reference="DIM-HIST-1")
    contract_end(contract=contract, end_date=contract.start_date, by=claire, reason="Fin")
    client.force_login(_with_mfa(claire))

    page = client.get(
        reverse("admin:payroll_contract_change", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Dimona history" in page
    assert "DIM-HIST-1" in page
    assert "start (IN)" in page and "end (OUT)" in page
    assert "accepted" in page and "to send" in page


def test_the_advisor_ends_a_contract_from_the_back_office(alice, claire, client, folder):
    contract = _contract(alice, days=3)
    client.force_login(_with_mfa(claire))
    last_day = contract.start_date + timedelta(days=1)

    response = client.post(
        reverse("admin:payroll_contract_changelist"),
        {"action": "end_with_reason", "_selected_action": [contract.pk],
         "end_date": format_day(last_day), "reason": "Fin anticipée", "apply": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip

    assert response.status_code in (200, 302)
    contract.refresh_from_db()
    assert contract.end_date == last_day
    assert DimonaDeclaration.objects.filter(contract=contract, kind="OUT").count() == 1


def test_an_advisor_of_another_office_does_not_see_the_contracts_dimonas(alice, client, folder):
    contract = _contract(alice, days=1)
    client.force_login(_with_mfa(AdvisorFactory(office=office("namur"))))
    page = client.get(reverse("admin:payroll_dimonadeclaration_changelist"))
    assert list(page.context["cl"].result_list) == []
    change = client.get(reverse("admin:payroll_contract_change", args=[contract.pk]))
    assert change.status_code in (302, 404)
