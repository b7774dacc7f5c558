"""Shares for the demo personas (called by seed_demo). Idempotent: a persona whose register
already has entries is left as it is."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from .models import Member, ShareRegisterEntry, User
from .share_payment_services import share_payment_record, shares_subscribe

# persona email → [(subscription date, shares, paid on, amount paid or None for all)]
DEMO_SHARES: dict[str, list[tuple[date, int, date, Decimal | None]]] = {
    "denis@smartcoop.test": [(date(2016, 6, 1), 10, date(2016, 6, 8), None)],
    "alice@smartcoop.test": [
        (date(2019, 9, 1), 1, date(2019, 9, 5), None),
        (date(2024, 1, 15), 2, date(2024, 1, 20), None),
    ],
    # Bob paid one of his three shares so far: he votes (one share fully paid), owes 60 €.
    "bob@smartcoop.test": [(date(2025, 3, 1), 3, date(2025, 3, 10), Decimal("30.00"))],
}


@transaction.atomic
def ensure_demo_shares(*, by: User) -> None:
    """Give alice, bob and denis their demo shares once. `by`: a staff user (the admin)."""
    for email, subscriptions in DEMO_SHARES.items():
        member = Member.objects.filter(user__email=email).first()
        if member is None or ShareRegisterEntry.objects.filter(member=member).exists():
            continue
        for subscribed_on, shares, paid_on, paid in subscriptions:
            on = max(subscribed_on, member.member_since or subscribed_on)
            entry = shares_subscribe(member=member, shares=shares, by=by, on=on)
            share_payment_record(
                target=entry,
                amount=entry.amount if paid is None else paid,
                paid_on=max(paid_on, on),
                by=by,
            )
