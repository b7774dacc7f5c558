"""The payslip PDF (rendered after commit by a task, once) and the payslip pages."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.models import AuditEvent
from members.models import Member
from payroll.models import Payslip
from payroll.pay.payroll_run import payroll_run_compute
from payroll.pay.payslips import payslip_pdf_render
from payroll.pay.tasks import render_payslip_pdf
from tests.pay_helpers import PERIOD, TODAY, october

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def month(alice):
    return october(alice)


def pdf_text(file) -> str:
    file.open("rb")
    try:
        reader = PdfReader(io.BytesIO(file.read()))
    finally:
        file.close()
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_the_run_renders_every_payslip_after_commit(month, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = payroll_run_compute(period=PERIOD, today=TODAY)
    assert not Payslip.objects.exclude(pdf="").exists()  # nothing rendered inside the run
    for callback in callbacks:
        callback()
    assert Payslip.objects.filter(run=run, pdf="").count() == 0


def test_the_payslip_pdf_shows_employers_worker_days_and_every_amount(
    month, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = payroll_run_compute(period=PERIOD, today=TODAY)
    slip = Payslip.objects.get(run=run, worker=month.alice)
    text = pdf_text(slip.pdf)
    flat = squeeze(text)
    assert "Alice Lambert" in text
    assert month.three.legal_entity.name in text and month.activity.legal_entity.name in text
    assert "0450.010.021" in flat and "0876.543.270" in flat  # the employers' numbers
    assert "C-A" in text and "C-B" in text
    # Each work day as Belgium writes it (dd/mm/yyyy), never the ISO form it is stored in.
    assert "14/10/2026" in text and "22/10/2026" in text and "2026-10-14" not in text
    # French by default (alice's language): amounts as 1 017,28 €
    for amount in (
        "1017,28",
        "139,94",
        "877,34",
        "97,47",
        "779,87",
        "500,00",
        "279,87",
        "367,72",  # employer charges: the artist's 263,82 (by category) + 2 × 51,95
        "263,82",
        "131,91",
        "48,62",
    ):
        assert amount in flat, amount


def test_the_worker_language_is_used(month):
    Member.objects.filter(pk=month.alice.member_id).update(preferred_language="en")
    run = payroll_run_compute(period=PERIOD, today=TODAY)
    slip = payslip_pdf_render(payslip=Payslip.objects.get(run=run, worker=month.alice))
    assert "€1,017.28" in squeeze(pdf_text(slip.pdf))


def test_a_negative_balance_is_shown_on_the_payslip_as_carried_forward(month):
    run = payroll_run_compute(period=PERIOD, today=TODAY)
    slip = payslip_pdf_render(payslip=Payslip.objects.get(run=run, worker=month.chloe))
    flat = squeeze(pdf_text(slip.pdf))
    assert "2100,00" in flat
    assert "Soldeàpayer0,00" in flat.replace("€", "")
    assert "−68,46" in flat  # 2,031.54 − 2,100.00, carried to the next payslip


def test_rendering_twice_keeps_the_first_file(month):
    run = payroll_run_compute(period=PERIOD, today=TODAY)
    slip = Payslip.objects.get(run=run, worker=month.alice)
    render_payslip_pdf(slip.pk)
    slip.refresh_from_db()
    name = slip.pdf.name
    with slip.pdf.open("rb") as handle:
        content = handle.read()
    render_payslip_pdf(slip.pk)
    slip.refresh_from_db()
    assert slip.pdf.name == name
    with slip.pdf.open("rb") as handle:
        assert handle.read() == content
    assert (
        AuditEvent.objects.filter(action="payslip.pdf_rendered", object_id=str(slip.pk)).count()
        == 1
    )


def test_the_payslip_page_shows_the_amounts_and_the_payout(alice_client, month):
    run = payroll_run_compute(period=PERIOD, today=TODAY)
    slip = Payslip.objects.get(run=run, worker=month.alice)
    response = alice_client.get(reverse("portal:pay_payslip_detail", args=[slip.pk]))
    flat = squeeze(response.content.decode().replace("\u00a0", " "))
    for amount in ("1017,28", "779,87", "279,87", "346,29"):
        assert amount in flat
    assert "10novembre2026" in flat  # the balance's due date


def test_the_payslip_list_filters_by_year_and_exports_csv(alice_client, month):
    payroll_run_compute(period=PERIOD, today=TODAY)
    url = reverse("portal:pay_payslip_list")
    assert "779,87" in alice_client.get(url).content.decode().replace("\u00a0", " ")
    assert "779,87" not in alice_client.get(url, {"year": 2025}).content.decode()
    bad = alice_client.get(url, {"year": "soon"})
    assert bad.status_code == 400
    csv = alice_client.get(reverse("portal:pay_payslip_list_csv")).content.decode()
    assert "2026-10,4,32.00,1017.28,139.94,877.34,97.47,779.87,500.00,279.87" in csv
    assert (
        alice_client.get(reverse("portal:pay_payslip_list_csv"), {"year": "x"}).status_code == 400
    )


def test_the_contract_types_read_in_the_readers_language_on_the_page_and_the_pdf(
    alice_client, month
):
    Member.objects.filter(pk=month.alice.member_id).update(preferred_language="en")
    run = payroll_run_compute(period=PERIOD, today=TODAY)
    slip = Payslip.objects.get(run=run, worker=month.alice)
    stored = {line["contract_type"] for line in slip.lines if "contract_type" in line}
    assert stored and all(" fixed term" not in name for name in stored)  # French names
    page = alice_client.get(
        reverse("portal:pay_payslip_detail", args=[slip.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    pdf = pdf_text(payslip_pdf_render(payslip=slip).pdf)
    for text in (page, pdf):
        assert "Artist (art. 1bis), fixed term" in " ".join(text.split())
        for name in stored:
            assert name not in text


def test_an_older_payslip_without_the_code_names_its_type_by_the_stored_name(alice_client, month):
    run = payroll_run_compute(period=PERIOD, today=TODAY)
    slip = Payslip.objects.get(run=run, worker=month.alice)
    for line in slip.lines:
        line.pop("contract_type_code", None)
    Payslip.objects.filter(pk=slip.pk).update(lines=slip.lines)
    page = alice_client.get(
        reverse("portal:pay_payslip_detail", args=[slip.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Artist (art. 1bis), fixed term" in " ".join(page.split())
