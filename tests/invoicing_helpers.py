"""Small builders for invoicing tests (go through the services, like every door)."""

from decimal import Decimal

from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.lines import LineData
from invoicing.models import Client, VatExemptionReason
from invoicing.services import client_create, client_verify


def make_client(owner, unit, *, verify_by=None, **fields):
    defaults = {
        "kind": Client.Kind.COMPANY,
        "name": "Brasserie du Coin SRL",
        "country": "BE",
        "enterprise_number": "0403170701",
        "street": "Rue de la Loi 16",
        "postal_code": "1000",
        "city": "Bruxelles",
        "email": "compta@brasserie.test",
    }
    defaults.update(fields)
    client = client_create(by=owner, units=[unit], **defaults)
    if verify_by is not None:
        client = client_verify(client=client, by=verify_by)
    return client


def line(
    description="Prestation",
    quantity="1",
    unit_price="100.00",
    category="S",
    rate="21",
    unit_code="C62",
    reason=None,
):
    if reason is None and category in {"E", "AE", "K", "G", "O"}:
        reason = VatExemptionReason.objects.filter(category=category).first()
    return LineData(
        description=description,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        vat_category=category,
        vat_rate=Decimal(rate),
        unit_code=unit_code,
        exemption_reason=reason,
    )


def issued_invoice(owner, unit, client, lines, *, by=None, **fields):
    invoice = invoice_create(by=owner, unit=unit, client=client, lines=lines, **fields)
    return invoice_issue(invoice=invoice, by=by or owner)
