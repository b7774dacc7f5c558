"""Clients (client_create, client_verify) and invoices, draft (invoice_create) or issued
(invoice_issue)."""

import factory

from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import Client, Invoice
from invoicing.services import client_create, client_verify
from tests.factories.base import ServiceFactory
from tests.factories.production_units import ProductionUnitFactory
from tests.invoicing_helpers import line


class ClientFactory(ServiceFactory):
    """A Belgian company, client of `unit` (a new one unless given), created by the unit's
    holder; `verified_by=` an advisor verifies it."""

    class Meta:
        model = Client

    unit = factory.SubFactory(ProductionUnitFactory)
    by = factory.LazyAttribute(lambda o: o.unit.holder.user)
    verified_by = None
    kind = Client.Kind.COMPANY
    name = factory.Sequence(lambda n: f"Client {n} SRL")
    country = "BE"
    enterprise_number = "0403170701"
    street = "Rue de la Loi 16"
    postal_code = "1000"
    city = "Bruxelles"
    email = factory.Sequence(lambda n: f"compta{n}@client.test")

    @classmethod
    def service(cls, *, unit, by, verified_by, **fields):
        client = client_create(by=by, units=[unit], **fields)
        if verified_by is not None:
            client = client_verify(client=client, by=verified_by)
        return client


class InvoiceFactory(ServiceFactory):
    """A draft invoice of `unit` to `client` (one line of 100.00 at 21 % unless `lines=`)."""

    class Meta:
        model = Invoice

    unit = factory.SubFactory(ProductionUnitFactory)
    client = factory.SubFactory(ClientFactory, unit=factory.SelfAttribute("..unit"))
    by = factory.LazyAttribute(lambda o: o.unit.holder.user)
    lines = factory.LazyFunction(lambda: [line()])

    @classmethod
    def service(cls, **fields):
        return invoice_create(**fields)


class IssuedInvoiceFactory(InvoiceFactory):
    """An issued invoice: numbered, chained, its turnover in the unit's ledger."""

    @classmethod
    def service(cls, **fields):
        return invoice_issue(invoice=invoice_create(**fields), by=fields["by"])
