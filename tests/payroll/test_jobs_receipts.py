"""Receipts of job expenses survive the form being shown again without JavaScript ("add a
day", "add an expense", errors): the upload is held, the form names it, saving keeps it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from payroll.models import HeldReceipt, Job, JobExpense
from payroll.work.job_services import held_receipts
from tests.english import _english_pages  # noqa: F401 (an autouse fixture)
from tests.payroll.test_jobs_portal import _job_form
from tests.work_helpers import FRI, TUE

pytestmark = pytest.mark.django_db
TICKET = b"%PDF-1.4 taxi receipt 25.00"
KEPT = re.compile(r'name="expenses-0-kept_receipt" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(name="ticket-taxi.pdf", content=TICKET):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_add_a_day_keeps_the_uploaded_receipt_until_the_job_is_saved(
    alice, alice_client, alice_3en1
):
    url = reverse("portal:work_job_create")
    data = _job_form(alice_3en1, rows=((TUE, "8"),), expenses=[("Taxi", "25.00")])
    first = alice_client.post(url, data | {"expenses-0-receipt": _upload(), "add_day": "1"})
    assert first.status_code == 200
    html = first.content.decode()
    assert 'name="days-TOTAL_FORMS" value="2"' in html
    assert "Receipt already uploaded:" in html and "ticket-taxi.pdf" in html
    kept = KEPT.search(html).group(1)
    assert kept.startswith("held:")
    assert not Job.objects.exists()
    held = HeldReceipt.objects.get()
    assert held.owner == alice and held.name == "ticket-taxi.pdf"
    assert AuditEvent.objects.filter(action="job_receipt.held", actor=alice).exists()

    # The browser sends the page back: the new day filled in, no file (the input is empty).
    again = data | {
        "days-TOTAL_FORMS": "2",
        "days-1-date": FRI.isoformat(),
        "days-1-hours": "4",
        "expenses-0-kept_receipt": kept,
    }
    saved = alice_client.post(url, again)
    assert saved.status_code == 302
    job = Job.objects.get()
    assert sorted(d.date for d in job.work_days.all()) == [TUE, FRI]
    expense = JobExpense.objects.get(job=job)
    with expense.receipt.open("rb") as handle:
        assert handle.read() == TICKET
    assert not HeldReceipt.objects.exists()  # the held file became the expense's receipt


def test_a_form_with_errors_keeps_the_receipt_too(alice_client, alice_3en1):
    url = reverse("portal:work_job_create")
    data = _job_form(alice_3en1, expenses=[("Taxi", "25.00")]) | {"description": ""}
    response = alice_client.post(url, data | {"expenses-0-receipt": _upload("bon.pdf")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "bon.pdf" in html
    kept = KEPT.search(html).group(1)
    saved = alice_client.post(
        url, _job_form(alice_3en1, expenses=[("Taxi", "25.00")]) | {"expenses-0-kept_receipt": kept}
    )
    assert saved.status_code == 302
    assert JobExpense.objects.get().receipt.name.endswith(".pdf")


def test_a_new_file_replaces_the_held_one(alice_client, alice_3en1):
    url = reverse("portal:work_job_create")
    data = _job_form(alice_3en1, expenses=[("Taxi", "25.00")])
    first = alice_client.post(url, data | {"expenses-0-receipt": _upload(), "add_expense": "1"})
    kept = KEPT.search(first.content.decode()).group(1)
    second = data | {
        "expenses-0-kept_receipt": kept,
        "expenses-0-receipt": _upload("autre.pdf", b"%PDF-1.4 other"),
    }
    assert alice_client.post(url, second).status_code == 302
    with JobExpense.objects.get().receipt.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 other"


def test_another_users_held_receipt_is_ignored(alice, bob, alice_client, alice_3en1):
    url = reverse("portal:work_job_create")
    data = _job_form(alice_3en1, expenses=[("Taxi", "25.00")])
    first = alice_client.post(url, data | {"expenses-0-receipt": _upload(), "add_day": "1"})
    kept = KEPT.search(first.content.decode()).group(1)
    assert held_receipts(values=[kept], by=bob) == {}
    assert set(held_receipts(values=[kept, "held:forged"], by=alice)) == {kept}
