"""The contract PDF names the joint committee (from the contract type, kept on the contract) and
the place of work (the member's, else at the client's for a 3en1 job, else the unit holder's
address), read back from the generated PDF (issue 16)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from payroll.models import Contract, ContractType, WorkDeclaration
from payroll.work.contract_pdf import contract_pdf_store
from payroll.work.contract_services import contract_create
from payroll.work.declaration_services import declaration_approve, declaration_submit
from payroll.work.work_days import DayInput
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import ProductionUnit
from tests.factories.payroll import JobFactory
from tests.payroll.test_contracts_core import pay
from tests.work_helpers import MON, TUE, make_declaration, set_balance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _text(contract: Contract) -> str:
    contract = contract_pdf_store(contract=contract)
    text = "".join(page.extract_text() for page in PdfReader(contract.pdf.path).pages)
    return " ".join(text.split())


def _contract(unit, by, *, code: str, place: str = "", job=None) -> Contract:
    return contract_create(
        unit=unit, worker=unit_holder_worker(unit),
        contract_type=ContractType.objects.get(code=code), function="Comédienne",
        days=[DayInput(timezone.localdate() + timedelta(days=5), Decimal("8"))],
        pay=pay("200.00"), by=by, place_of_work=place, job=job,
    )  # fmt: skip


def _in_english(unit):
    holder = unit.holder
    holder.preferred_language = "en"
    holder.save(update_fields=["preferred_language"])


def test_an_artists_contract_names_jc_304_and_the_place_the_member_gave(alice):
    unit = ProductionUnit.objects.get(code="UP-0002")
    _in_english(unit)
    contract = _contract(unit, alice, code="artist-fixed-term",
                         place="Théâtre de Namur, Place du Théâtre 2, 5000 Namur")  # fmt: skip

    assert contract.joint_committee == "304"
    text = _text(contract)
    assert "Joint committee" in text
    assert "JC 304 · Joint committee for the performing arts" in text
    assert "Place of work" in text
    assert "Théâtre de Namur, Place du Théâtre 2, 5000 Namur" in text


def test_an_employees_contract_names_jc_200_and_defaults_to_the_holders_address(alice):
    unit = ProductionUnit.objects.get(code="UP-0002")
    _in_english(unit)
    holder = unit.holder
    contract = _contract(unit, alice, code="employee-fixed-term")

    text = _text(contract)
    assert "Fixed-term employment contract" in text
    assert f"To {contract.end_date:%-d %B %Y}" in text  # "To 12 December 2026"
    assert "JC 200 · Supplementary joint committee for employees" in text
    assert f"{holder.street}, {holder.postal_code} {holder.city}" in text


def test_a_jobs_contract_defaults_to_at_the_clients(alice):
    job = JobFactory()
    _in_english(job.unit)
    contract = _contract(job.unit, job.unit.holder.user, code="artist-fixed-term", job=job)

    text = _text(contract)
    client = job.client
    assert f"At the client's: {client.name}, {client.street}, {client.postal_code}" in text


def test_a_contract_keeps_its_joint_committee_when_its_type_changes(alice):
    unit = ProductionUnit.objects.get(code="UP-0002")
    _in_english(unit)
    artist = ContractType.objects.get(code="artist-fixed-term")
    contract = _contract(unit, alice, code="artist-fixed-term")
    artist.joint_committee = "200"
    artist.save(update_fields=["joint_committee"])

    assert "JC 304" in _text(contract)


def test_the_place_given_on_a_declaration_reaches_the_contract(alice, alice_activity, claire):
    set_balance(alice_activity, "1000.00", by=claire)
    declaration = make_declaration(alice, alice_activity)
    declaration.place_of_work = "Centre culturel de Huy"
    declaration.save(update_fields=["place_of_work"])
    declaration_submit(declaration=declaration, by=alice)
    declaration_approve(declaration=declaration, by=claire)

    contract = Contract.objects.get(declaration=declaration)
    assert contract.place_of_work == "Centre culturel de Huy"


def test_the_declaration_form_sends_the_place_of_work(alice_client, alice_activity):
    data = {
        "unit": alice_activity.pk,
        "worker": unit_holder_worker(alice_activity).pk,
        "contract_type": "trainer-fixed-term",
        "function": "Formatrice",
        "place_of_work": "Maison de la culture, Tournai",
        "gross": "324.70",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-0-date": MON.isoformat(),
        "days-0-hours": "8",
        "days-1-date": TUE.isoformat(),
        "days-1-hours": "8",
    }
    response = alice_client.post(reverse("portal:work_declaration_create"), data)
    assert response.status_code == 302
    assert WorkDeclaration.objects.get().place_of_work == "Maison de la culture, Tournai"


def test_the_heading_and_end_say_whether_the_contract_is_open_ended(alice):
    unit = ProductionUnit.objects.get(code="UP-0002")
    _in_english(unit)
    open_ended = _text(_contract(unit, alice, code="open-ended"))
    assert "Employment contract of indefinite duration" in open_ended
    assert "Indefinite duration: the days below are the work planned so far" in open_ended
    assert "Fixed-term" not in open_ended
