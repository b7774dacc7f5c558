"""Clients and invoicing: clients invoiced and new clients, documents issued, turnover,
receivables at the end of the period, clients in Belgium, Peppol's share of the documents."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Min, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from invoicing.models import Client, Invoice, Payment, Transmission

from .activity import OF_UNIT_OFFICE, OF_UNIT_SECTOR, SIGNED_NET, issued_in
from .base import (
    Cell,
    Period,
    Scope,
    SectionData,
    distribution,
    distribution_block,
    headline_block,
    headline_rows,
    money,
    share,
)

HEADLINE = headline_block(
    "clients",
    _("Clients and invoicing"),
    _(
        "Clients: different clients of the invoices issued in the period; new clients: "
        "those whose first invoice ever was issued in the period. Turnover: total excl. "
        "VAT of the invoices less the credit notes. Receivables: on the last day of the "
        "period, the totals incl. VAT of the invoices issued until then, less the payments "
        "received and the credit notes issued until then. Peppol: share of the documents "
        "issued in the period that were sent over Peppol."
    ),
)
BY_KIND = distribution_block(
    "clients_by_kind",
    _("Clients by kind"),
    _("Clients of the invoices issued in the period, by kind."),
    _("Kind"),
    _("Clients"),
)
KINDS: dict[str, str] = {
    Client.Kind.COMPANY: N_("company"),
    Client.Kind.NON_PROFIT: N_("non-profit"),
    Client.Kind.PUBLIC_BODY: N_("public body"),
    Client.Kind.PERSON: N_("private person"),
}


def receivables_on(period: Period, scope: Scope) -> Decimal:
    """What clients owed on the period's last day (see the block's definition)."""
    day = period.end
    issued = scope.apply(
        Invoice.objects.filter(status=Invoice.Status.ISSUED, issue_date__lte=day),
        OF_UNIT_OFFICE,
        OF_UNIT_SECTOR,
    )
    totals = issued.aggregate(
        invoiced=Sum("total", filter=Q(kind=Invoice.Kind.INVOICE)),
        credited=Sum("total", filter=Q(kind=Invoice.Kind.CREDIT_NOTE)),
    )
    paid = Payment.objects.filter(
        status=Payment.Status.MATCHED,
        received_on__lte=day,
        invoice__in=issued.filter(kind=Invoice.Kind.INVOICE),
    ).aggregate(total=Sum("amount"))["total"]
    return money((totals["invoiced"] or 0) - (totals["credited"] or 0) - (paid or 0))


def _headline(period: Period, scope: Scope) -> dict[str, Cell]:
    documents = issued_in(period, scope)
    clients = Client.objects.filter(pk__in=documents.values("client_id"))
    first_invoices = Client.objects.filter(pk__in=clients.values("pk")).annotate(
        first=Min("invoices__issue_date", filter=Q(invoices__status=Invoice.Status.ISSUED))
    )
    count = clients.count()
    sent = documents.filter(
        transmissions__channel=Transmission.Channel.PEPPOL,
        transmissions__status=Transmission.Status.SENT,
    )
    total_documents = documents.count()
    return {
        N_("Clients invoiced"): count,
        N_("New clients"): first_invoices.filter(first__range=period.range).count(),
        N_("Invoices issued"): documents.filter(kind=Invoice.Kind.INVOICE).count(),
        N_("Credit notes issued"): documents.filter(kind=Invoice.Kind.CREDIT_NOTE).count(),
        N_("Turnover excl. VAT (€)"): money(documents.aggregate(total=Sum(SIGNED_NET))["total"]),
        N_("Receivables at the end of the period (€)"): receivables_on(period, scope),
        N_("Clients in Belgium (%)"): share(clients.filter(country="BE").count(), count),
        N_("Documents sent over Peppol (%)"): share(sent.distinct().count(), total_documents),
    }


def clients_figure(*, period: Period, scope: Scope) -> SectionData:
    """Clients and invoicing in the period (headline compared with a year before)."""
    now, before = _headline(period, scope), _headline(period.previous, scope)
    section = SectionData("clients", period)
    section.add(HEADLINE, headline_rows(now, before))
    kinds = Client.objects.filter(pk__in=issued_in(period, scope).values("client_id")).values_list(
        "kind", flat=True
    )
    section.add(BY_KIND, distribution((KINDS[kind] for kind in kinds), list(KINDS.values())))
    return section
