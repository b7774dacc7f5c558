"""Writes about members."""

from django.db import transaction

from smartcoop.audit import audit_log, diff, snapshot
from smartcoop.counters import counter_next

from .models import Member

MEMBER_FIELDS = [
    "category",
    "status",
    "is_organisation",
    "first_name",
    "last_name",
    "organisation_name",
    "national_number",
    "birth_date",
    "gender",
    "street",
    "postal_code",
    "city",
    "country",
    "iban",
    "preferred_language",
    "office",
    "advisor",
    "member_since",
]


@transaction.atomic
def member_create(*, by, user=None, **fields) -> Member:
    """Create a member (validated) with the next member number, and audit it."""
    member = Member(user=user, **fields)
    member.full_clean(exclude=["number"])
    member.number = counter_next("member.number")
    member.save()
    audit_log(actor=by, action="member.created", obj=member, changes={"number": member.number})
    return member


@transaction.atomic
def member_update(*, member: Member, by, reason: str = "", **fields) -> Member:
    """Change a member's data (validated) and audit what changed."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = snapshot(member, MEMBER_FIELDS)
    for name, value in fields.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    changes = diff(member, MEMBER_FIELDS, before)
    if "national_number" in changes:
        changes["national_number"] = ["***", "***"]
    changes = {k: [str(v[0]), str(v[1])] for k, v in changes.items()}
    audit_log(actor=by, action="member.updated", obj=member, changes=changes, reason=reason)
    return member
