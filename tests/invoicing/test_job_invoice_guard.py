"""The invoice of a 3en1 job changes only through its job: the invoice pages, the API and the
invoicing services refuse to edit, submit or delete it (400, nothing changed)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from invoicing.invoice_services import invoice_delete_draft, invoice_submit, invoice_update
from invoicing.models import Invoice
from production_units.models import ProductionUnit
from tests.english import _english_pages  # noqa: F401 (an autouse fixture)
from tests.invoicing_helpers import line
from tests.work_helpers import make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(alice):
    return make_job(alice, ProductionUnit.objects.get(code="UP-0001"))


def test_the_services_refuse_to_touch_a_jobs_invoice(job, alice):
    invoice = job.invoice
    for call in (
        lambda: invoice_update(invoice=invoice, by=alice, lines=[line(unit_price="1.00")]),
        lambda: invoice_submit(invoice=invoice, by=alice),
        lambda: invoice_delete_draft(invoice=invoice, by=alice),
    ):
        with pytest.raises(ValidationError, match="belongs to a job"):
            call()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT
    assert invoice.net_total == job.invoice.net_total


def test_the_invoice_pages_answer_400_not_500(job, alice_client):
    invoice = job.invoice
    for name in ("invoice_delete", "invoice_submit"):
        response = alice_client.post(reverse(f"portal:{name}", args=[invoice.pk]))
        assert response.status_code == 400, name
        assert "belongs to a job" in response.content.decode()
    assert Invoice.objects.filter(pk=invoice.pk).exists()
