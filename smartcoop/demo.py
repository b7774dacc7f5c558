"""The demo personas, shared by `seed_demo` and the tests' fixtures (conftest.py).

Every function is idempotent: calling it twice changes nothing.
"""

from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from invoicing.models import Client
from invoicing.services import client_create, client_verify
from members.models import LegalEntity, Member, Office, User
from members.services import member_create
from production_units.models import LedgerEntry, ProductionUnit, Sector
from production_units.services import ledger_post, unit_open
from smartcoop import roles

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
    _member(
        user,
        by=ensure_admin(),
        category=Member.Category.A,
        first_name="Denis",
        last_name="Dubois",
        birth_date=date(1970, 2, 3),
        national_number=national_number(date(1970, 2, 3), 15),
        gender=Member.Gender.MALE,
        office=Office.objects.get(code="namur"),
        member_since=date(2010, 6, 1),
        street="Rue de Fer 12",
        postal_code="5000",
        city="Namur",
    )
    return user


def ensure_bob():
    """Bob, a member with no unit yet."""
    user = _user("bob@smartcoop.test", "Bob", "Bertrand", role=roles.MEMBER)
    _member(
        user,
        by=ensure_admin(),
        category=Member.Category.A,
        first_name="Bob",
        last_name="Bertrand",
        birth_date=date(1992, 11, 20),
        national_number=national_number(date(1992, 11, 20), 33),
        gender=Member.Gender.MALE,
        office=Office.objects.get(code="bruxelles"),
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
    admin = ensure_admin()
    claire = ensure_claire()
    user = _user("alice@smartcoop.test", "Alice", "Lambert", role=roles.MEMBER)
    member = _member(
        user,
        by=admin,
        category=Member.Category.A,
        first_name="Alice",
        last_name="Lambert",
        birth_date=date(1988, 4, 12),
        national_number=national_number(date(1988, 4, 12), 24),
        gender=Member.Gender.FEMALE,
        office=Office.objects.get(code="bruxelles"),
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


@transaction.atomic
def seed_demo() -> dict:
    """Create the demo personas and their data; running it twice changes nothing."""
    return {
        "admin": ensure_admin(),
        "claire": ensure_claire(),
        "denis": ensure_denis(),
        "bob": ensure_bob(),
        "alice": ensure_alice(),
    }
