"""Jobs, declarations and contracts through the portal and the API: the live split, the
refusals as 400 with the message (a day in the past, twice, under the minimum wage, over the
balance), accepting a contract."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from payroll.models import Contract, Job, WorkDeclaration
from payroll.work.job_services import job_submit
from payroll.workers.worker_services import unit_holder_worker
from tests.english import _english_pages, speak_english  # noqa: F401 (an autouse fixture)
from tests.work_helpers import FRI, MON, TUE, WED, days, make_declaration, make_job, theatre

pytestmark = pytest.mark.django_db


def _job_form(unit, *, amount="500.00", rows=((FRI, "8"),), code="artist-fixed-term", expenses=()):
    data = {
        "unit": unit.pk,
        "client": theatre().pk,
        "description": "Concert au théâtre",
        "worker": unit_holder_worker(unit).pk,
        "contract_type": code,
        "function": "Musicienne",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Concert",
        "lines-0-quantity": "1",
        "lines-0-unit_code": "C62",
        "lines-0-unit_price": amount,
        "lines-0-vat": "S:21.00",
        "lines-0-exemption_reason": "",
        "days-TOTAL_FORMS": str(len(rows)),
        "days-INITIAL_FORMS": "0",
        "expenses-TOTAL_FORMS": str(len(expenses)),
        "expenses-INITIAL_FORMS": "0",
    }
    for index, (day, hours) in enumerate(rows):
        data[f"days-{index}-date"] = day.isoformat()
        data[f"days-{index}-hours"] = hours
    for index, (description, value) in enumerate(expenses):
        data[f"expenses-{index}-description"] = description
        data[f"expenses-{index}-amount"] = value
    return data


def _api(user):
    client = speak_english(HttpClient())
    client.force_login(user)
    return client


# --- portal: jobs ---------------------------------------------------------------------------


def test_the_live_split_shows_every_amount_of_example_1(alice_client, alice_3en1):
    response = alice_client.post(reverse("portal:work_job_split"), _job_form(alice_3en1))
    assert response.status_code == 200
    content = response.content.decode()
    for key, amount in (
        ("turnover", "500.00"),
        ("turnover_contribution", "32.50"),
        ("gross", "346.29"),
        ("employer_charges", "93.50"),
        ("employment_contribution", "27.71"),
        ("net", "264.37"),
    ):
        assert f'data-split="{key}" data-amount="{amount}"' in content


def test_the_live_split_says_what_is_missing_under_the_minimum(alice_client, alice_3en1):
    data = _job_form(
        alice_3en1,
        amount="400.00",
        code="employee-fixed-term",
        rows=((MON, "8"), (TUE, "8"), (WED, "4")),
        expenses=[("Frais", "80.00")],
    )
    response = alice_client.post(reverse("portal:work_job_split"), data)
    assert response.status_code == 200
    assert 'data-missing-turnover="112.30"' in response.content.decode()


def test_a_job_made_in_the_portal_then_submitted_is_validated(alice_client, alice_3en1):
    response = alice_client.post(reverse("portal:work_job_create"), _job_form(alice_3en1))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:work_job_detail", args=[job.pk])
    detail = alice_client.get(response["Location"]).content.decode()
    assert 'data-split="gross" data-amount="346.29"' in detail
    response = alice_client.post(reverse("portal:work_job_submit", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.VALIDATED


def test_a_day_in_the_past_is_refused_with_a_400_in_the_portal(alice_client, alice_3en1):
    data = _job_form(alice_3en1, rows=((date(2026, 1, 5), "8"),))
    response = alice_client.post(reverse("portal:work_job_create"), data)
    assert response.status_code == 400
    assert "05/01/2026 is in the past" in response.content.decode()
    assert not Job.objects.exists()


def test_the_same_day_twice_is_refused_with_a_400_in_the_portal(alice, alice_client, alice_3en1):
    make_job(alice, alice_3en1)
    response = alice_client.post(reverse("portal:work_job_create"), _job_form(alice_3en1))
    assert response.status_code == 400
    assert "already has a declared work day on 20/12/2030" in response.content.decode()


def test_under_the_minimum_wage_submit_is_refused_with_a_400(alice, alice_client, alice_3en1):
    job = make_job(
        alice,
        alice_3en1,
        amount="400.00",
        code="employee-fixed-term",
        work_days=days((MON, "8"), (TUE, "8"), (WED, "4")),
        expenses=[("Frais", "80.00", None)],
    )
    response = alice_client.post(reverse("portal:work_job_submit", args=[job.pk]))
    assert response.status_code == 400
    assert "112.30 € excl. VAT missing to pay the minimum wage for 3 days" in (
        response.content.decode()
    )


def test_add_a_day_without_javascript_adds_a_row(alice_client, alice_3en1):
    data = _job_form(alice_3en1) | {"add_day": "1"}
    response = alice_client.post(reverse("portal:work_job_create"), data)
    assert response.status_code == 200
    assert 'name="days-TOTAL_FORMS" value="2"' in response.content.decode()
    assert not Job.objects.exists()


def test_the_jobs_csv_lists_my_jobs(alice, alice_client, alice_3en1):
    make_job(alice, alice_3en1)
    response = alice_client.get(reverse("portal:work_job_list_csv"))
    assert response.status_code == 200
    assert "Concert" in response.content.decode()


# --- portal: declarations and contracts -----------------------------------------------------


def test_a_declaration_over_the_balance_is_refused_with_a_400(alice, alice_client, alice_activity):
    # The demo balance is 731.60; ⌈600 × 1.40⌉ = 840.00: 108.40 missing.
    declaration = make_declaration(alice, alice_activity, gross="600.00")
    response = alice_client.post(reverse("portal:work_declaration_submit", args=[declaration.pk]))
    assert response.status_code == 400
    assert "108.40 € missing" in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.status == WorkDeclaration.Status.DRAFT


def test_a_declaration_under_the_minimum_is_refused_with_a_400(alice_client, alice_activity):
    data = {
        "unit": alice_activity.pk,
        "worker": unit_holder_worker(alice_activity).pk,
        "contract_type": "trainer-fixed-term",
        "function": "Formatrice",
        "gross": "150.00",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-0-date": MON.isoformat(),
        "days-0-hours": "8",
        "days-1-date": TUE.isoformat(),
        "days-1-hours": "8",
    }
    cost = alice_client.post(reverse("portal:work_declaration_cost"), data)
    assert 'data-split="budget" data-amount="210.00"' in cost.content.decode()
    response = alice_client.post(reverse("portal:work_declaration_create"), data)
    assert response.status_code == 400
    assert "50.00 € of gross missing" in response.content.decode()
    data["gross"] = "324.70"
    response = alice_client.post(reverse("portal:work_declaration_create"), data)
    assert response.status_code == 302
    assert WorkDeclaration.objects.get().budget == Decimal("454.58")


def test_the_worker_reads_the_contract_pdf_then_accepts_it(
    alice, alice_client, alice_3en1, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    job = job_submit(job=make_job(alice, alice_3en1), by=alice)
    contract = Contract.objects.get(job=job)
    detail = alice_client.get(reverse("portal:work_contract_detail", args=[contract.pk]))
    pdf_url = reverse("portal:work_contract_pdf", args=[contract.pk])
    assert pdf_url in detail.content.decode()
    download = alice_client.get(pdf_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages
    )
    assert contract.reference in text
    response = alice_client.post(reverse("portal:work_contract_accept", args=[contract.pk]))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACCEPTED
    assert contract.accepted_at is not None


# --- API ------------------------------------------------------------------------------------


def _job_body(unit, *, when=FRI, amount="500.00"):
    return {
        "unit": unit.pk,
        "client": theatre().pk,
        "description": "Concert",
        "worker": unit_holder_worker(unit).pk,
        "contract_type": "artist-fixed-term",
        "function": "Musicienne",
        "lines": [
            {
                "description": "Concert",
                "quantity": "1",
                "unit_price": amount,
                "vat_category": "S",
                "vat_rate": "21",
            }
        ],
        "days": [{"date": when.isoformat(), "hours": "8"}],
    }


def test_the_api_makes_and_submits_a_job(alice, alice_3en1):
    client = _api(alice)
    response = client.post(
        reverse("api:job-list"), _job_body(alice_3en1), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    response = client.post(
        reverse("api:job-submit", args=[job_id]), {}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "validated"
    assert body["split"]["net"] == "264.37"


def test_the_api_refuses_a_past_day_and_a_day_twice_naming_days(alice, alice_3en1):
    client = _api(alice)
    response = client.post(
        reverse("api:job-list"),
        _job_body(alice_3en1, when=date(2026, 1, 5)),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "05/01/2026 is in the past" in response.json()["days"][0]
    make_job(alice, alice_3en1)
    response = client.post(
        reverse("api:job-list"), _job_body(alice_3en1), content_type="application/json"
    )
    assert response.status_code == 400
    assert "already has a declared work day" in response.json()["days"][0]


def test_the_api_refuses_under_the_minimum_and_over_the_balance(alice, alice_3en1, alice_activity):
    client = _api(alice)
    job = make_job(alice, alice_3en1, amount="100.00")
    response = client.post(
        reverse("api:job-submit", args=[job.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "missing to pay the minimum wage for 1 days" in response.json()["lines"][0]
    declaration = make_declaration(alice, alice_activity, gross="600.00")
    response = client.post(
        reverse("api:declaration-submit", args=[declaration.pk]),
        {},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "108.40 € missing" in response.json()["gross"][0]
    response = client.post(
        reverse("api:declaration-list"),
        {
            "unit": alice_activity.pk,
            "worker": unit_holder_worker(alice_activity).pk,
            "contract_type": "trainer-fixed-term",
            "function": "Formatrice",
            "gross": "150.00",
            "days": [{"date": WED.isoformat(), "hours": "8"}, {"date": "2030-12-19", "hours": "8"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "50.00 € of gross missing" in response.json()["gross"][0]
