"""Cancelling a draft job or a draft declaration: a confirmation page (GET shows what is
cancelled, POST does it with a reason), the API action, the same service; only the owner's
drafts (another's: 404, covered in tests/payroll/test_work_access.py; not a draft: 400)."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import AuditEvent
from invoicing.models import Invoice
from payroll.models import Job, WorkDay, WorkDeclaration
from payroll.work.declaration_services import declaration_cancel, declaration_submit
from payroll.work.job_services import job_cancel, job_submit
from tests.english import _english_pages, speak_english  # noqa: F401 (an autouse fixture)
from tests.work_helpers import FRI, MON, TUE, days, make_declaration, make_job, set_balance

pytestmark = pytest.mark.django_db


def _api(user):
    client = speak_english(HttpClient())
    client.force_login(user)
    return client


def _snapshot(obj):
    obj.refresh_from_db()
    return (obj.status, obj.decision_reason, WorkDay.objects.filter(cancelled=False).count())


# --- jobs -----------------------------------------------------------------------------------


def test_the_page_shows_what_is_cancelled_then_cancels_with_the_reason(
    alice, alice_client, alice_3en1
):
    job = make_job(alice, alice_3en1, work_days=days((TUE, "8")))
    invoice_pk = job.invoice_id
    url = reverse("portal:work_job_cancel", args=[job.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cancel this job?" in html
    assert "Théâtre de la Place" in html and "500.00" in html
    assert 'name="reason"' in html

    response = alice_client.post(url, {"reason": "  Le concert est annulé.  "})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:work_job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert (job.decided_by, job.decision_reason) == (alice, "Le concert est annulé.")
    assert job.decided_at is not None
    assert job.invoice is None and not Invoice.objects.filter(pk=invoice_pk).exists()
    assert not job.work_days.filter(cancelled=False).exists()
    event = AuditEvent.objects.get(action="job.cancelled", object_id=str(job.pk))
    assert (event.actor, event.reason) == (alice, "Le concert est annulé.")
    assert event.changes["days_released"] == [TUE.isoformat()]
    assert event.changes["invoice_deleted"] == invoice_pk
    detail = alice_client.get(response["Location"]).content.decode()
    assert 'id="cancelled"' in detail and "Le concert est annulé." in detail
    # The day is free again.
    make_job(alice, alice_3en1, work_days=days((TUE, "8")))


def test_a_cancel_without_reason_is_a_400_naming_the_field(alice, alice_client, alice_3en1):
    job = make_job(alice, alice_3en1)
    before = _snapshot(job)
    response = alice_client.post(reverse("portal:work_job_cancel", args=[job.pk]), {"reason": " "})
    assert response.status_code == 400
    assert "Reason" in response.content.decode()
    assert _snapshot(job) == before
    assert job.invoice_id is not None


def test_a_job_that_is_not_a_draft_is_not_cancelled(alice, alice_client, alice_3en1):
    job = job_submit(job=make_job(alice, alice_3en1), by=alice)
    assert job.status == Job.Status.VALIDATED
    url = reverse("portal:work_job_cancel", args=[job.pk])
    page = alice_client.get(url)
    assert page.status_code == 400
    assert "Only a draft job can be cancelled" in page.content.decode()
    before = _snapshot(job)
    response = alice_client.post(url, {"reason": "Trop tard"})
    assert response.status_code == 400
    assert "Only a draft job can be cancelled" in response.content.decode()
    assert _snapshot(job) == before
    with pytest.raises(Exception, match="Only a draft job"):
        job_cancel(job=job, by=alice, reason="Trop tard")
    assert not AuditEvent.objects.filter(action="job.cancelled").exists()


def test_another_members_job_is_refused_by_the_service(alice, bob, alice_3en1):
    from django.core.exceptions import PermissionDenied

    job = make_job(alice, alice_3en1)
    with pytest.raises(PermissionDenied):
        job_cancel(job=job, by=bob, reason="Not mine")
    job.refresh_from_db()
    assert job.status == Job.Status.DRAFT


def test_the_api_cancels_a_draft_job(alice, alice_3en1):
    job = make_job(alice, alice_3en1)
    url = reverse("api:job-cancel", kwargs={"job_id": job.pk})
    client = _api(alice)
    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 400 and "reason" in missing.json()
    blank = client.post(url, {"reason": ""}, content_type="application/json")
    assert blank.status_code == 400
    assert "Say why the job is cancelled." in str(blank.json())
    response = client.post(url, {"reason": "Client parti"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    again = client.post(url, {"reason": "Encore"}, content_type="application/json")
    assert again.status_code == 400
    assert "Only a draft job can be cancelled" in str(again.json())


# --- declarations ---------------------------------------------------------------------------


def test_a_draft_declaration_is_cancelled_from_its_page(alice, alice_client, alice_activity):
    declaration = make_declaration(alice, alice_activity, work_days=days((MON, "8"), (FRI, "8")))
    url = reverse("portal:work_declaration_cancel", args=[declaration.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert "Cancel this declaration?" in page.content.decode()
    response = alice_client.post(url, {"reason": "Formation reportée"})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == WorkDeclaration.Status.CANCELLED
    assert (declaration.decided_by, declaration.decision_reason) == (alice, "Formation reportée")
    assert not declaration.work_days.filter(cancelled=False).exists()
    event = AuditEvent.objects.get(action="work_declaration.cancelled")
    assert (event.actor, event.reason) == (alice, "Formation reportée")


def test_a_submitted_declaration_is_not_cancelled(alice, claire, alice_client, alice_activity):
    set_balance(alice_activity, "1000.00", by=claire)
    declaration = declaration_submit(declaration=make_declaration(alice, alice_activity), by=alice)
    url = reverse("portal:work_declaration_cancel", args=[declaration.pk])
    assert alice_client.get(url).status_code == 400
    response = alice_client.post(url, {"reason": "Non"})
    assert response.status_code == 400
    assert "Only a draft declaration can be cancelled" in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.status == WorkDeclaration.Status.SUBMITTED
    api = _api(alice).post(
        reverse("api:declaration-cancel", kwargs={"declaration_id": declaration.pk}),
        {"reason": "Non"},
        content_type="application/json",
    )
    assert api.status_code == 400
    with pytest.raises(Exception, match="Only a draft declaration"):
        declaration_cancel(declaration=declaration, by=alice, reason="Non")


def test_the_api_cancels_a_draft_declaration(alice, alice_activity):
    declaration = make_declaration(alice, alice_activity)
    response = _api(alice).post(
        reverse("api:declaration-cancel", kwargs={"declaration_id": declaration.pk}),
        {"reason": "Plus besoin"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    declaration.refresh_from_db()
    assert declaration.decision_reason == "Plus besoin"
