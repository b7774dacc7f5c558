"""The demo personas, shared by `seed_demo` (devtools/seed.py) and the tests' fixtures
(conftest.py), and the demo's invoices.

Every function is idempotent: calling it twice changes nothing.
"""

from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from core import roles
from invoicing.invoice_services import credit_note_create, invoice_create, invoice_issue
from invoicing.lines import LineData
from invoicing.models import Client, Invoice, VatExemptionReason
from invoicing.services import client_create, client_verify
from members.models import LegalEntity, Member, Office, User
from members.services import member_create
from production_units.models import LedgerEntry, ProductionUnit, Sector
from production_units.services import ledger_post, unit_open

DEMO_PASSWORD = "demo-smartcoop-2026"
ADMIN_EMAIL = "admin@smartcoop.test"


def national_number(birth: date, serial: int) -> str:
    """A valid Belgian national register number for a birth date and serial (odd: male)."""
    base = f"{birth:%y%m%d}{serial:03d}"
    number = int(base) if birth.year < 2000 else int("2" + base)
    return f"{base}{97 - number % 97:02d}"


def _user(email, first_name, last_name, *, staff=False, superuser=False, role=None, office=None):
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": staff or superuser,
            "is_superuser": superuser,
            "office": office,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def _member(user, *, by, **fields):
    existing = Member.objects.filter(user=user).first()
    return existing or member_create(by=by, user=user, **fields)


def _demo_member(user, *, birth, serial, office, **fields):
    """A category A member for the persona `user` (their names, born on `birth`, the national
    number's `serial`, at the office of code `office`), registered by the admin."""
    return _member(
        user,
        by=ensure_admin(),
        category=Member.Category.A,
        first_name=user.first_name,
        last_name=user.last_name,
        birth_date=birth,
        national_number=national_number(birth, serial),
        office=Office.objects.get(code=office),
        **fields,
    )


def ensure_admin():
    return _user(ADMIN_EMAIL, "Ada", "Admin", superuser=True, role=roles.ADMIN)


def ensure_claire():
    """Claire, advisor at the Brussels office."""
    office = Office.objects.get(code="bruxelles")
    return _user(
        "claire@smartcoop.test", "Claire", "Conseil", staff=True, role=roles.ADVISOR, office=office
    )


def ensure_denis():
    """Denis, board member."""
    user = _user("denis@smartcoop.test", "Denis", "Dubois", staff=True, role=roles.BOARD)
    _demo_member(
        user,
        birth=date(1970, 2, 3),
        serial=15,
        gender=Member.Gender.MALE,
        office="namur",
        member_since=date(2010, 6, 1),
        street="Rue de Fer 12",
        postal_code="5000",
        city="Namur",
    )
    return user


def ensure_bob():
    """Bob, a member with no unit yet."""
    user = _user("bob@smartcoop.test", "Bob", "Bertrand", role=roles.MEMBER)
    _demo_member(
        user,
        birth=date(1992, 11, 20),
        serial=33,
        gender=Member.Gender.MALE,
        office="bruxelles",
        advisor=ensure_claire(),
        member_since=date(2025, 3, 1),
        street="Chaussée de Wavre 100",
        postal_code="1050",
        city="Ixelles",
        iban="BE71096123456769",
    )
    return user


def ensure_alice():
    """Alice, a member holding a 3en1 unit and an Activité unit, with clients and a ledger."""
    ensure_admin()
    claire = ensure_claire()
    user = _user("alice@smartcoop.test", "Alice", "Lambert", role=roles.MEMBER)
    member = _demo_member(
        user,
        birth=date(1988, 4, 12),
        serial=24,
        gender=Member.Gender.FEMALE,
        office="bruxelles",
        advisor=claire,
        member_since=date(2019, 9, 1),
        street="Rue Haute 5",
        postal_code="1000",
        city="Bruxelles",
        iban="BE71096123456769",
        preferred_language="fr",
    )
    entity = LegalEntity.objects.get(code="smartcoop")
    three = ProductionUnit.objects.filter(code="UP-0001").first() or unit_open(
        by=claire,
        holder=member,
        code="UP-0001",
        name="Alice Lambert — concerts",
        tool=ProductionUnit.Tool.THREE_IN_ONE,
        sector=Sector.objects.get(code="musique-chanson"),
        legal_entity=entity,
        opened_on=date(2019, 9, 1),
    )
    activity = ProductionUnit.objects.filter(code="UP-0002").first() or unit_open(
        by=claire,
        holder=member,
        code="UP-0002",
        name="Atelier Lambert — formations",
        tool=ProductionUnit.Tool.ACTIVITY,
        sector=Sector.objects.get(code="formation-enseignement"),
        legal_entity=LegalEntity.objects.get(code="formateurs-associes"),
        opened_on=date(2022, 1, 10),
    )
    if not Client.objects.filter(name="Théâtre de la Place").exists():
        theatre = client_create(
            by=user,
            units=[three],
            kind=Client.Kind.NON_PROFIT,
            name="Théâtre de la Place",
            country="BE",
            enterprise_number="0403170701",
            street="Place du Marché 1",
            postal_code="4000",
            city="Liège",
            email="factures@theatre.test",
        )
        client_verify(client=theatre, by=claire)
    if not Client.objects.filter(name="Ecole des Arts Gent").exists():
        client_create(
            by=user,
            units=[activity],
            kind=Client.Kind.PUBLIC_BODY,
            name="Ecole des Arts Gent",
            country="BE",
            enterprise_number="0896755397",
            street="Kouter 10",
            postal_code="9000",
            city="Gent",
            email="boekhouding@school.test",
        )
    if not LedgerEntry.objects.filter(unit__in=[three, activity]).exists():
        _demo_ledger(three, activity, by=claire)
    return user


def _demo_ledger(three, activity, *, by):
    rows = [
        (activity, LedgerEntry.Kind.TURNOVER, "2400.00", date(2026, 9, 5), "Formation septembre"),
        (activity, LedgerEntry.Kind.TURNOVER_CONTRIBUTION, "-156.00", date(2026, 9, 30),
         "Contribution mutualisée 6,5 %"),
        (activity, LedgerEntry.Kind.PURCHASE, "-312.40", date(2026, 10, 2), "Matériel"),
        (activity, LedgerEntry.Kind.EMPLOYMENT_COST, "-1200.00", date(2026, 10, 15),
         "Salaire octobre"),
        (three, LedgerEntry.Kind.TURNOVER, "500.00", date(2026, 10, 20), "Concert 18 octobre"),
        (three, LedgerEntry.Kind.TURNOVER_CONTRIBUTION, "-32.50", date(2026, 10, 31),
         "Contribution mutualisée 6,5 %"),
    ]  # fmt: skip
    for unit, kind, amount, day, label in rows:
        ledger_post(unit=unit, kind=kind, amount=Decimal(amount), booked_on=day, label=label, by=by)


def _demo_client(owner, unit, verifier, **fields):
    client = Client.objects.filter(name=fields["name"]).first()
    if client is None:
        client = client_create(by=owner, units=[unit], **fields)
        client_verify(client=client, by=verifier)
    return client


def _line(description, quantity, price, category="S", rate="21", unit_code="C62"):
    reason = None
    if category in {"E", "AE", "K", "G", "O"}:
        reason = VatExemptionReason.objects.filter(category=category).first()
    return LineData(
        description, Decimal(quantity), Decimal(price), category, Decimal(rate), unit_code, reason
    )


# The demo's clients of alice's units (unit, fields): one per Peppol case of the tests.
DEMO_CLIENTS = [
    (
        "3en1",
        {
            "kind": Client.Kind.COMPANY,
            "name": "Brasserie du Coin SRL",
            "country": "BE",
            "enterprise_number": "0403170701",
            "email": "compta@brasserie.test",
            "street": "Rue de la Loi 16",
            "postal_code": "1000",
            "city": "Bruxelles",
        },
    ),
    (
        "3en1",
        {
            "kind": Client.Kind.COMPANY,
            "name": "Festival de Lille SAS",
            "country": "FR",
            "vat_number": "FR40303265045",
            "street": "1 rue Nationale",
            "postal_code": "59000",
            "city": "Lille",
            "email": "compta@festival.test",
        },
    ),
    (
        "3en1",
        {
            "kind": Client.Kind.COMPANY,
            "name": "Brooklyn Arts LLC",
            "country": "US",
            "street": "10 Main Street",
            "postal_code": "11201",
            "city": "New York",
            "email": "ap@brooklyn.test",
        },
    ),
    (
        "activity",
        {
            "kind": Client.Kind.PERSON,
            "name": "Marie Dupont",
            "country": "BE",
            "email": "marie@dupont.test",
            "street": "Rue Neuve 3",
            "postal_code": "5000",
            "city": "Namur",
        },
    ),
]


def ensure_demo_invoices():
    """Issue one document for every Peppol case of the tests, once (seed_demo only)."""
    alice = ensure_alice()
    claire = ensure_claire()
    if Invoice.objects.filter(unit__holder__user=alice).exists():
        return
    three = ProductionUnit.objects.get(code="UP-0001")
    activity = ProductionUnit.objects.get(code="UP-0002")
    units = {"3en1": three, "activity": activity}
    company, french, american, person = (
        _demo_client(alice, units[unit], claire, **fields) for unit, fields in DEMO_CLIENTS
    )
    school = Client.objects.get(name="Ecole des Arts Gent")
    client_verify(client=school, by=claire)
    cases = [
        (three, company, [_line("Concert privé", "1", "850.00")], "PO-2026-17"),
        (
            three,
            company,
            [
                _line("Concert", "1", "600.00"),
                _line("Captation", "1", "200", "S", "12"),
                _line("Livret", "10", "4.50", "S", "6"),
                _line("Partition offerte", "1", "0", "Z", "0"),
            ],
            "",
        ),
        (
            activity,
            school,
            [_line("Atelier musical (art. 44)", "2", "300.00", "E", "0", "DAY")],
            "",
        ),
        (three, french, [_line("Concert à Lille", "1", "1200.00", "AE", "0")], "LILLE-2026"),
        (three, american, [_line("Online masterclass", "3", "150.00", "O", "0", "HUR")], "BK-9"),
        (activity, person, [_line("Cours particulier", "4", "45.00", "S", "21", "HUR")], ""),
        (
            activity,
            school,
            [
                _line("Formation", "3", "0.333"),
                _line("Support", "7", "0.1429"),
                _line("Copies", "11", "0.0909", "S", "6"),
            ],
            "GENT-42",
        ),
    ]
    issued = []
    for unit, client, lines, reference in cases:
        draft = invoice_create(
            by=alice, unit=unit, client=client, lines=lines, buyer_reference=reference
        )
        issued.append(invoice_issue(invoice=draft, by=claire))
    credit = credit_note_create(
        invoice=issued[0], by=alice, lines=[_line("Geste commercial", "1", "100.00")]
    )
    invoice_issue(invoice=credit, by=claire)
