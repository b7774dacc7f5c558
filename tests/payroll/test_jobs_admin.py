"""The advisors' queues in the back-office: jobs validated in bulk, rejected with a reason,
a declaration's overdraft approved with a reason, office scoping."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from members.models import Office, User
from payroll.models import Contract, Job, WorkDeclaration
from payroll.work.declaration_services import declaration_submit
from payroll.work.job_services import job_submit
from tests.work_helpers import FRI, MON, TUE, days, make_declaration, make_job, set_balance
from tests.work_helpers import unverified_client as new_client

pytestmark = pytest.mark.django_db


def _submitted_jobs(alice, unit):
    client = new_client(alice, unit)
    return [
        job_submit(job=make_job(alice, unit, client=client, work_days=days((day, "8"))), by=alice)
        for day in (MON, TUE, FRI)
    ]


def test_an_advisor_validates_jobs_in_bulk(admin_client, alice, alice_3en1):
    jobs = _submitted_jobs(alice, alice_3en1)
    url = reverse("admin:payroll_job_changelist")
    assert admin_client.get(url + "?status__exact=submitted").status_code == 200
    selection = {"action": "validate_selected", ACTION_CHECKBOX_NAME: [j.pk for j in jobs[:2]]}
    page = admin_client.post(url, selection)
    assert page.status_code == 200  # the intermediate page
    response = admin_client.post(url, {**selection, "apply": "1", "reason": ""})
    assert response.status_code == 302
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert [statuses[j.pk] for j in jobs] == ["validated", "validated", "submitted"]
    assert Contract.objects.filter(job__in=jobs[:2]).count() == 2


def test_an_advisor_rejects_a_job_with_a_reason(admin_client, alice, alice_3en1):
    job = _submitted_jobs(alice, alice_3en1)[0]
    url = reverse("admin:payroll_job_changelist")
    selection = {"action": "reject_with_reason", ACTION_CHECKBOX_NAME: [job.pk], "apply": "1"}
    response = admin_client.post(url, {**selection, "reason": ""})
    assert response.status_code == 400  # the reason is required
    response = admin_client.post(url, {**selection, "reason": "Add the client's PO number."})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.decision_reason) == ("rejected", "Add the client's PO number.")


def test_an_overdraft_is_approved_from_the_queue(admin_client, alice, alice_activity, admin_user):
    set_balance(alice_activity, "500.00", by=admin_user)
    declaration = declaration_submit(declaration=make_declaration(alice, alice_activity), by=alice)
    set_balance(alice_activity, "400.00", by=admin_user)
    url = reverse("admin:payroll_workdeclaration_changelist")
    selection = {ACTION_CHECKBOX_NAME: [declaration.pk]}
    admin_client.post(url, {**selection, "action": "approve_selected", "apply": "yes"})
    declaration.refresh_from_db()
    assert declaration.status == WorkDeclaration.Status.SUBMITTED  # over the balance: refused
    response = admin_client.post(
        url,
        {
            **selection,
            "action": "approve_overdraft",
            "apply": "1",
            "reason": "Big invoice paid next week.",
        },
    )
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == WorkDeclaration.Status.APPROVED
    assert declaration.overdraft_amount == Decimal("54.58")
    assert declaration.overdraft_approved_by == admin_user


def test_an_advisor_of_another_office_doesnt_see_the_job(alice, alice_3en1, claire):
    job = _submitted_jobs(alice, alice_3en1)[0]
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = claire
    model_admin = admin.site._registry[Job]
    assert job in model_admin.get_queryset(request)
    claire.office = Office.objects.get(code="namur")
    claire.save()
    request.user = User.objects.get(pk=claire.pk)
    assert job not in model_admin.get_queryset(request)
