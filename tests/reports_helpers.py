"""A small known history for the board's figures, written straight to the tables (the
services that write them are tested elsewhere): members, units, invoices, work, payments,
contributions."""

from datetime import date
from decimal import Decimal
from itertools import count

from django.utils import timezone

from devtools.demo import national_number
from invoicing.models import Client, Invoice, Payment
from members.models import LegalEntity, Member, Office, ShareRegisterEntry
from payroll.models import (
    Contract,
    ContractType,
    ContributionPosting,
    ContributionRun,
    WorkDay,
    Worker,
)
from production_units.models import LedgerEntry, ProductionUnit, Sector

D = Decimal
SERIALS = count(101, 2)
NUMBERS = count(1)


def office(code):
    return Office.objects.get(code=code)


def member(
    name,
    *,
    since,
    born,
    gender="F",
    shares=2,
    category="A",
    office_code="bruxelles",
    left=None,
    status=Member.Status.MEMBER,
    postal_code="1000",
    country="BE",
):
    person = Member.objects.create(
        category=category,
        status=status,
        first_name=name,
        last_name="Reports",
        national_number=national_number(born, next(SERIALS)),
        birth_date=born,
        gender=gender,
        office=office(office_code),
        member_since=since,
        left_on=left,
        postal_code=postal_code,
        country=country,
    )
    ShareRegisterEntry.objects.create(
        member=person,
        operation=ShareRegisterEntry.Operation.SUBSCRIPTION,
        date=since,
        shares=shares,
        unit_price=D("30.00"),
        amount=D(30 * shares),
        category=category,
    )
    return person


def refund(person, on, shares):
    return ShareRegisterEntry.objects.create(
        member=person,
        operation=ShareRegisterEntry.Operation.REFUND,
        date=on,
        shares=-shares,
        unit_price=D("30.00"),
        amount=D(-30 * shares),
        paid_amount=D(0),
        category=person.category,
    )


def unit(holder, code, *, opened=date(2020, 1, 1), tool="3en1", sector="musique-chanson"):
    return ProductionUnit.objects.create(
        code=code,
        name=code,
        tool=tool,
        holder=holder,
        sector=Sector.objects.get(code=sector),
        legal_entity=LegalEntity.objects.get(code="smartcoop"),
        opened_on=opened,
    )


def client(name, *, country="BE", kind=Client.Kind.COMPANY):
    return Client.objects.create(
        kind=kind, name=name, country=country, street="Rue 1", postal_code="1000", city="X"
    )


def invoice(unit, client, on, net, *, credited=None):
    number = next(NUMBERS)
    return Invoice.objects.create(
        kind=Invoice.Kind.CREDIT_NOTE if credited else Invoice.Kind.INVOICE,
        credited_invoice=credited,
        status=Invoice.Status.ISSUED,
        unit=unit,
        client=client,
        legal_entity=unit.legal_entity,
        year=on.year,
        number=number,
        issue_date=on,
        due_date=on,
        net_total=D(net),
        total=D(net),
        hash=f"{number:064d}",
    )


def payment(invoice, on, amount):
    return Payment.objects.create(
        invoice=invoice,
        status=Payment.Status.MATCHED,
        source=Payment.Source.MANUAL,
        amount=D(amount),
        received_on=on,
    )


def worker(name, born, person=None):
    return Worker.objects.create(
        member=person,
        first_name=name,
        last_name="Reports",
        email=f"{name.lower()}@reports.test",
        national_number=national_number(born, next(SERIALS)),
        iban="BE71096123456769",
    )


def work(worker, unit, days, hours, *, gross="1000.00", charges="300.00"):
    """A contract over `days` (dates) of `hours` each, and its declared work days."""
    kind = ContractType.objects.get(code="artist-fixed-term")
    contract = Contract.objects.create(
        reference=f"C-{next(NUMBERS)}",
        legal_entity=unit.legal_entity,
        unit=unit,
        worker=worker,
        contract_type=kind,
        function="artist",
        start_date=min(days),
        end_date=max(days),
        days=len(days),
        hours=D(hours) * len(days),
        gross=D(gross),
        employer_charges=D(charges),
        status=Contract.Status.ACCEPTED,
    )
    for day in days:
        WorkDay.objects.create(
            worker=worker,
            unit=unit,
            date=day,
            hours=D(hours),
            function="artist",
            contract_type=kind,
            contract=contract,
        )
    return contract


def contribution(unit, period, pillar, amount):
    run, _ = ContributionRun.objects.get_or_create(period=period)
    entry = LedgerEntry.objects.create(
        unit=unit,
        kind=f"{pillar}_contribution",
        amount=-D(amount),
        booked_on=period,
        label="contribution",
    )
    return ContributionPosting.objects.create(
        run=run,
        unit=unit,
        pillar=pillar,
        period=period,
        base=D(amount) * 10,
        amount=D(amount),
        ledger_entry=entry,
    )


def now():
    return timezone.now()
