"""What the member's shares page shows: the position, the register extract, the payments due,
the forms (more shares, a certificate, a transfer) and the one-share-per-year prompt.

The one-share-per-year prompt: a member has *used the services* in a calendar year when an
invoice (not a credit note) of a production unit they hold was issued that year (the years
come from members.selectors.years_of_use, which the invoicing side fills in). At least one
share is due per such year, counted up to last year (the current year is not over): with the
share policy's rule on, a member who used the services last year and holds (subscribed, paid
or not) fewer shares than their years of use is asked to subscribe the difference.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from .forms import CertificateRequestForm, SharesSubscribeForm, TransferRequestForm
from .models import Member
from .payment_routing import format_reference, unpaid_subscriptions
from .selectors import member_entries, member_shares, share_policy_on, shares_missing, years_of_use
from .transfer_services import shares_transferable, transfer_requests_of


@dataclass(frozen=True)
class SharePrompt:
    """The one-share-per-year rule asks this member for `missing` more shares."""

    years_of_use: int
    held: int
    missing: int


def share_prompt(*, member: Member, today: date | None = None) -> SharePrompt | None:
    """The prompt to subscribe more shares (see the module docstring), or None."""
    today = today or timezone.localdate()
    policy = share_policy_on(today)
    if policy is None or not policy.one_share_per_year_rule:
        return None
    if member.status != Member.Status.MEMBER or member.left_on is not None:
        return None
    years = years_of_use(member=member, before_year=today.year)
    if today.year - 1 not in years:
        return None
    held = member_shares(member=member, at=today).held
    missing = shares_missing(member=member, years_of_use=len(years), at=today, held=held)
    if missing <= 0:
        return None
    return SharePrompt(years_of_use=len(years), held=held, missing=missing)


def shares_context(member: Member, **forms) -> dict:
    """Everything the shares page shows; `forms`: the forms to show again with their errors."""
    prompt = share_prompt(member=member)
    subscribe_form = forms.get("subscribe_form") or SharesSubscribeForm(
        initial={"shares": prompt.missing if prompt else 1}
    )
    return {
        "member": member,
        "position": member_shares(member=member),
        "entries": [
            {
                "entry": entry,
                "shares": f"{entry.shares:+d}",
                "communication": format_reference(entry.structured_reference),
            }
            for entry in member_entries(member=member)
        ],
        "unpaid": [
            {"row": row, "qr_svg": row.instructions.qr_svg() if row.instructions else ""}
            for row in unpaid_subscriptions(member=member)
        ],
        "certificates": list(member.certificates.order_by("-created_at", "-id")[:10]),
        "prompt": prompt,
        "policy": share_policy_on(timezone.localdate()),
        "subscribe_form": subscribe_form,
        "certificate_form": forms.get("certificate_form") or CertificateRequestForm(),
        "is_active": member.status == Member.Status.MEMBER and member.left_on is None,
        **transfer_context(member, forms.get("transfer_form")),
    }


def transfer_context(member: Member, transfer_form: TransferRequestForm | None = None) -> dict:
    """What the shares page shows of transfers: the form and the member's requests."""
    return {
        "transfer_form": transfer_form or TransferRequestForm(),
        "transfer_requests": list(transfer_requests_of(member=member)[:50]),
        "transferable": shares_transferable(member=member),
    }
