"""Helpers of the board and ethics committee tests: assemblies, members, mandates."""

import datetime
from datetime import date

from django.utils import timezone

from governance.models import AgendaItem, GeneralAssembly, Mandate
from members.models import Member
from members.services import member_create


def assembly(
    *, day=date(2027, 6, 15), kind=GeneralAssembly.Kind.ORDINARY, status="draft", rules=None
) -> GeneralAssembly:
    opens = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return GeneralAssembly.objects.create(
        kind=kind,
        title=f"AG {day:%Y}",
        date=day,
        notice_date=day - datetime.timedelta(days=30),
        record_date=day - datetime.timedelta(days=31),
        voting_opens_at=opens - datetime.timedelta(days=14),
        voting_closes_at=opens + datetime.timedelta(hours=8),
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


def plain_member(by, first_name, last_name, *, since=date(2015, 1, 1), **fields) -> Member:
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
