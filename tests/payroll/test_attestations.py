"""Attestations: the request is checked (a clear message naming the field, nothing saved),
rendered after commit by a task, and the PDFs say what was worked and earned."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from payroll.models import Attestation
from payroll.pay.attestation_pdf import attestation_render
from payroll.pay.attestations import attestation_request
from payroll.pay.payroll_run import payroll_run_compute
from tests.pay_helpers import PERIOD, TODAY, contract, day, october

pytestmark = pytest.mark.django_db
NEW_YEAR = date(2027, 1, 10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def month(alice):
    """October of pay_helpers, plus one artist day for alice on 10 September (docs/payroll.md
    example 1: gross 346.29, SS 48.88, withholding 33.04, net 264.37); both months computed."""
    month = october(alice)
    september = contract(
        month.alice,
        month.three,
        "artist-fixed-term",
        "C-S",
        date(2026, 9, 10),
        date(2026, 9, 10),
        "346.29",
    )
    day(september, date(2026, 9, 10), "346.29")
    payroll_run_compute(period=date(2026, 9, 1), today=TODAY)
    payroll_run_compute(period=PERIOD, today=TODAY)
    return month


def pdf_text(attestation) -> str:
    with attestation.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def ask(month, kind, start, end, alice, today=NEW_YEAR):
    return attestation_request(
        worker=month.alice, kind=kind, period_start=start, period_end=end, by=alice, today=today
    )


def test_the_yearly_income_summary_adds_the_payslips_of_the_year(
    month, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attestation = ask(month, "income", date(2026, 1, 1), date(2026, 12, 31), alice)
    attestation.refresh_from_db()
    assert attestation.status == Attestation.Status.READY
    text = pdf_text(attestation)
    assert "AliceLambert" in text
    assert "0450.010.021" in text  # the employer of the year's payslips
    # September: 346.29, 48.88, 33.04, 264.37; October: 1,017.28, 139.94, 97.47, 779.87
    for amount in ("346,29", "48,88", "33,04", "264,37", "1017,28", "139,94", "97,47", "779,87"):
        assert amount in text, amount
    # the year: 1,363.57 gross, 188.82 social security, 130.51 withholding, 1,044.24 net
    for amount in ("1363,57", "188,82", "130,51", "1044,24"):
        assert amount in text, amount
    assert "2026-09" in text and "2026-10" in text


def test_the_employment_attestation_lists_contracts_and_days(
    month, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attestation = ask(month, "employment", date(2026, 10, 1), date(2026, 10, 31), alice)
    attestation.refresh_from_db()
    text = pdf_text(attestation)
    assert "C-A" in text and "C-B" in text
    assert "C-X" not in text  # a cancelled contract
    assert "C-S" not in text  # September: outside the period
    assert "".join(month.three.legal_entity.name.split()) in text
    assert "".join(month.activity.legal_entity.name.split()) in text
    assert "Total432,00" in text  # 4 days (not the cancelled ones), 32.00 hours


def test_the_employment_attestation_names_the_employer_s_onss_number_and_who_signs(
    month, alice, django_capture_on_commit_callbacks
):
    entity = month.three.legal_entity
    entity.onss_number = "051-1234567-89"
    entity.signatory = "Marie Dupont, responsable des ressources humaines"
    entity.save()
    with django_capture_on_commit_callbacks(execute=True):
        attestation = ask(month, "employment", date(2026, 10, 1), date(2026, 10, 31), alice)
    attestation.refresh_from_db()
    text = pdf_text(attestation)
    assert "051-1234567-89" in text
    assert "MarieDupont,responsabledesressourceshumaines" in text
    assert entity.street.replace(" ", "") in text  # the employer's address


@pytest.mark.parametrize(
    ("kind", "start", "end", "field"),
    [
        ("employment", date(2026, 10, 31), date(2026, 10, 1), "period_end"),
        ("employment", date(2026, 10, 1), date(2027, 2, 1), "period_end"),  # future
        ("employment", date(2010, 1, 1), date(2010, 12, 31), "period_start"),  # too old
        ("income", date(2026, 1, 1), date(2026, 6, 30), "period_start"),  # not a year
        ("income", date(2027, 1, 1), date(2027, 12, 31), "period_end"),  # not over
        ("salary", date(2026, 1, 1), date(2026, 1, 31), "kind"),
    ],
)
def test_a_bad_request_is_refused_naming_the_field(month, alice, kind, start, end, field):
    with pytest.raises(ValidationError) as error:
        ask(month, kind, start, end, alice)
    assert field in error.value.message_dict
    assert not Attestation.objects.exists()


def test_rendering_again_keeps_the_ready_file(month, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attestation = ask(month, "employment", date(2026, 9, 1), date(2026, 10, 31), alice)
    attestation.refresh_from_db()
    name = attestation.pdf.name
    assert attestation_render(attestation=attestation).pdf.name == name


def test_the_portal_form_asks_for_an_attestation(
    alice_client, month, django_capture_on_commit_callbacks
):
    url = reverse("portal:pay_attestation_create")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            url, {"kind": "employment", "period_start": "2026-10-01", "period_end": "2026-10-31"}
        )
    assert response.status_code == 302
    attestation = Attestation.objects.get()
    assert attestation.status == Attestation.Status.READY
    listing = alice_client.get(reverse("portal:pay_attestation_list")).content.decode()
    assert reverse("portal:pay_attestation_pdf", args=[attestation.pk]) in listing
    pdf = alice_client.get(reverse("portal:pay_attestation_pdf", args=[attestation.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_the_portal_form_names_the_field_of_a_bad_request(alice_client, month):
    url = reverse("portal:pay_attestation_create")
    # today is the real date: the current year is not over yet
    year = date.today().year  # noqa: DTZ011 (a year, whatever the time zone on 1 January)
    response = alice_client.post(url, {"kind": "income", "year": str(year)})
    assert response.status_code == 400
    assert 'href="#id_year"' in response.content.decode()
    response = alice_client.post(url, {"kind": "employment", "period_start": "2026-10-01"})
    assert response.status_code == 400
    assert 'href="#id_period_end"' in response.content.decode()
    assert not Attestation.objects.exists()


def test_the_api_names_the_field_of_a_bad_request(alice, month):
    from rest_framework.test import APIClient

    http = APIClient()
    http.force_authenticate(alice)
    response = http.post(
        reverse("api:pay-attestation-list"),
        {"kind": "income", "period_start": "2026-01-01", "period_end": "2026-03-31"},
        format="json",
    )
    assert response.status_code == 400
    assert "period_start" in response.json()
    response = http.post(
        reverse("api:pay-attestation-list"),
        {"kind": "employment", "period_start": "2026-01-01", "period_end": "2026-03-31", "x": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "x" in response.json()
    assert not Attestation.objects.exists()


def test_the_form_s_own_default_dates_are_accepted(alice_client, month):
    """The date pickers get ISO values (what a browser's date input reads and sends back),
    so submitting the form as it comes, with a start, asks for the attestation."""
    url = reverse("portal:pay_attestation_create")
    page = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    today = timezone.localdate()
    assert f'type="date" name="period_end" value="{today:%Y-%m-%d}"' in page
    response = alice_client.post(
        url, {"kind": "employment", "period_start": "2026-10-01", "period_end": f"{today:%Y-%m-%d}"}
    )
    assert response.status_code == 302
