"""An assembly ready to vote on, for the governance tests: alice, bob and denis on the roll
(their demo shares), an information item, an ordinary resolution, a statute amendment and a
board election of one seat with two candidates."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from devtools import demo
from governance.models import AgendaItem, GeneralAssembly, Mandate
from governance.services.assemblies import agenda_item_add, assembly_create, candidate_add
from members.demo_shares import ensure_demo_shares
from members.models import Member
from members.services import member_create

BRUSSELS = ZoneInfo("Europe/Brussels")
MEETING = date(2026, 6, 18)
OPENS = datetime(2026, 6, 4, 9, 0, tzinfo=BRUSSELS)
CLOSES = datetime(2026, 6, 18, 12, 0, tzinfo=BRUSSELS)
DURING = datetime(2026, 6, 10, 15, 30, tzinfo=BRUSSELS)
AFTER = CLOSES + timedelta(minutes=1)


def member(user) -> Member:
    return user.member


def personas():
    admin = demo.ensure_admin()
    people = {
        "admin": admin,
        "claire": demo.ensure_claire(),
        "denis": demo.ensure_denis(),
        "bob": demo.ensure_bob(),
        "alice": demo.ensure_alice(),
    }
    ensure_demo_shares(by=admin)
    return people


def draft_assembly(by, *, kind=GeneralAssembly.Kind.ORDINARY, title="AG 2026") -> GeneralAssembly:
    return assembly_create(
        kind=kind,
        title=title,
        date=MEETING,
        place="Bruxelles",
        notice_date=date(2026, 5, 15),
        record_date=date(2026, 5, 1),
        voting_opens_at=OPENS,
        voting_closes_at=CLOSES,
        by=by,
    )


def full_agenda(assembly, by, candidates):
    Kind = assembly.items.model.Kind
    info = agenda_item_add(assembly=assembly, title="Activity report", kind=Kind.INFORMATION, by=by)
    accounts = agenda_item_add(
        assembly=assembly, title="Approval of the accounts", kind=Kind.ORDINARY, by=by
    )
    statutes = agenda_item_add(
        assembly=assembly, title="Article 12 amended", kind=Kind.STATUTES, by=by
    )
    election = agenda_item_add(
        assembly=assembly, title="Board election", kind=Kind.ELECTION, seats=1, by=by
    )
    lines = [candidate_add(item=election, member=m, by=by) for m in candidates]
    return info, accounts, statutes, election, lines


def ballot(*, accounts=None, statutes=None, election=None, picks=None, **_):
    """A ballot dict from items and {candidate: choice}."""
    items = {}
    if accounts is not None:
        items[str(accounts[0].pk)] = accounts[1]
    if statutes is not None:
        items[str(statutes[0].pk)] = statutes[1]
    candidates = {}
    if election is not None:
        candidates[str(election.pk)] = {str(c.pk): v for c, v in (picks or {}).items()}
    return {"items": items, "candidates": candidates}


def plain_member(
    *,
    by,
    first_name,
    last_name,
    number_shares=1,
    member_since=date(2020, 1, 1),
    paid=True,
    email=None,
):
    """A member in good standing (one share paid) without a unit; with an account if `email`."""
    from decimal import Decimal

    from members.models import User
    from members.services import member_create
    from members.share_payment_services import share_payment_record, shares_subscribe

    user = None
    if email:
        user = User.objects.create_user(
            email=email, password="x", first_name=first_name, last_name=last_name
        )
    person = member_create(
        by=by,
        user=user,
        category=Member.Category.A,
        first_name=first_name,
        last_name=last_name,
        member_since=member_since,
    )
    entry = shares_subscribe(member=person, shares=number_shares, by=by, on=member_since)
    share_payment_record(
        target=entry, amount=entry.amount if paid else Decimal("0.01"), paid_on=member_since, by=by
    )
    return person


# --- the board and the ethics committee ------------------------------------------------------


def assembly(
    *, day=date(2027, 6, 15), kind=GeneralAssembly.Kind.ORDINARY, status="draft", rules=None
) -> GeneralAssembly:
    opens = timezone.make_aware(datetime.combine(day, time(9)))
    return GeneralAssembly.objects.create(
        kind=kind,
        title=f"AG {day:%Y}",
        date=day,
        notice_date=day - timedelta(days=30),
        record_date=day - timedelta(days=31),
        voting_opens_at=opens - timedelta(days=14),
        voting_closes_at=opens + timedelta(hours=8),
        status=status,
        rules=rules or {},
    )


def item(ga: GeneralAssembly, *, kind=AgendaItem.Kind.ELECTION, mandate=None, seats=0):
    position = ga.items.count() + 1
    return AgendaItem.objects.create(
        assembly=ga,
        position=position,
        title=f"Item {position}",
        kind=kind,
        seats=seats,
        mandate=mandate,
    )


def person_member(by, first_name, last_name, *, since=date(2015, 1, 1), **fields) -> Member:
    """A member without an account (most board members in the demo and the tests)."""
    if fields.get("is_organisation"):
        fields.setdefault("category", Member.Category.C)
        return member_create(by=by, member_since=since, **fields)
    return member_create(
        by=by,
        category=fields.pop("category", Member.Category.A),
        first_name=first_name,
        last_name=last_name,
        member_since=since,
        **fields,
    )


def mandate(member, *, start, years=4, how=Mandate.How.ELECTED, **fields) -> Mandate:
    return Mandate.objects.create(
        member=member,
        how=how,
        start=start,
        end=start.replace(year=start.year + years),
        **fields,
    )
