"""The demo holds last month's work, paid (issue 16): a payslip with its PDF that alice sees
in her portal, and running the demo again adds nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import month_bounds
from devtools.seed import seed_demo
from payroll.models import Contract, PayrollRun, Payslip

pytestmark = pytest.mark.django_db


def test_last_month_is_paid_and_alice_sees_her_payslip(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        people = seed_demo()
    first, last = month_bounds(timezone.localdate().replace(day=1) - timedelta(days=1))
    run = PayrollRun.objects.get(period=first)
    assert run.status == PayrollRun.Status.CLOSED
    payslip = Payslip.objects.get(run=run, worker__user=people["alice"])
    assert payslip.gross > 0 and payslip.net > 0 and payslip.pdf
    contract = Contract.objects.get(worker__user=people["alice"], start_date__range=(first, last))
    assert contract.status == Contract.Status.ACCEPTED
    client.force_login(people["alice"])
    assert client.get(reverse("portal:pay_payslip_list")).status_code == 200
    pdf = client.get(reverse("portal:pay_payslip_pdf", args=[payslip.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()
    assert Payslip.objects.filter(worker__user=people["alice"]).count() == 1
