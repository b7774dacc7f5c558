"""How shares are paid: the instructions a person is given (the cooperative's account, the
amount, the structured reference, an EPC QR code), and the routing of the bank lines that
come back with such a reference (the camt.053 import calls `share_payment_route`).

Shares are paid to the cooperative's own account (the legal entity `smartcoop`), with the
structured reference of the application or of the subscription, which starts with 90
(members.register_services.SHARE_REFERENCE_PREFIX): invoice references never do, so a bank line
pays one thing only.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from segno import helpers as segno_helpers
from stdnum.be import ogm_vcs

from core.money import cents

from .models import LegalEntity, MembershipApplication, ShareRegisterEntry
from .pdf import COOPERATIVE_CODE
from .register_services import normalise_reference
from .share_payment_services import (
    share_payment_match_reference,
    share_payment_record,
    subscription_unpaid,
)

# The EPC069-12 QR code: the beneficiary's name is at most 70 characters.
EPC_MAX_NAME = 70
ZERO = Decimal("0.00")


# --- payment instructions --------------------------------------------------------------------


def format_reference(reference: str) -> str:
    """Twelve digits as banks print them: +++900/0000/01234+++ ('' when not twelve digits)."""
    if len(reference or "") != 12 or not reference.isdigit():
        return ""
    return f"+++{ogm_vcs.format(reference)}+++"


@dataclass(frozen=True)
class PaymentInstructions:
    """What to transfer, to whom, with which communication."""

    beneficiary: str
    iban: str
    bic: str
    amount: Decimal
    reference: str  # twelve digits

    @property
    def communication(self) -> str:
        """The structured communication as banks print it: +++900/0000/01234+++."""
        return format_reference(self.reference)

    def qr_code(self):
        """The EPC (SEPA credit transfer) QR code, a segno QR code object.

        The Belgian structured communication is not an ISO 11649 creditor reference (all the
        EPC "reference" field takes), so it goes in the remittance text, where Belgian banking
        apps read it (as the invoices' QR codes do, invoicing.pdf)."""
        return segno_helpers.make_epc_qr(
            name=self.beneficiary[:EPC_MAX_NAME],
            iban=self.iban,
            amount=self.amount,
            text=self.communication,
            bic=self.bic or None,
        )

    def qr_svg(self) -> str:
        """The QR code as an inline SVG element."""
        return self.qr_code().svg_inline(scale=4, border=4, title=_("Payment QR code"))

    def qr_png(self) -> bytes:
        """The QR code as a PNG image (for the email)."""
        buffer = io.BytesIO()
        self.qr_code().save(buffer, kind="png", scale=6, border=4)
        return buffer.getvalue()


def cooperative_account() -> LegalEntity | None:
    """The legal entity whose shares members subscribe: its account receives the payments."""
    return LegalEntity.objects.filter(code=COOPERATIVE_CODE).first()


def payment_instructions(*, reference: str, amount: Decimal) -> PaymentInstructions | None:
    """How to pay `amount` for shares with `reference`; None when nothing is due or the
    cooperative has no account on record."""
    entity = cooperative_account()
    if entity is None or not entity.iban or amount <= 0:
        return None
    return PaymentInstructions(
        beneficiary=entity.name,
        iban=entity.iban,
        bic=entity.bic,
        amount=cents(amount),
        reference=reference,
    )


def application_amount_due(application: MembershipApplication) -> Decimal:
    """What is still to pay on an application (never below zero)."""
    return max(ZERO, cents(application.amount_due - application.paid_amount))


def application_payment_instructions(
    application: MembershipApplication,
) -> PaymentInstructions | None:
    """The instructions for what is still due on an open application (None when paid)."""
    if application.status != MembershipApplication.Status.SUBMITTED:
        return None
    return payment_instructions(
        reference=application.structured_reference, amount=application_amount_due(application)
    )


@dataclass(frozen=True)
class UnpaidSubscription:
    entry: ShareRegisterEntry
    due: Decimal
    instructions: PaymentInstructions | None


def unpaid_subscriptions(*, member) -> list[UnpaidSubscription]:
    """The member's subscriptions with something left to pay, oldest first, with how to pay.

    A member who left owes nothing any more (their shares were refunded)."""
    if member.left_on is not None:
        return []
    rows = []
    subscriptions = ShareRegisterEntry.objects.filter(
        member=member, operation=ShareRegisterEntry.Operation.SUBSCRIPTION
    ).order_by("date", "id")
    for entry in subscriptions:
        due = subscription_unpaid(entry)
        if due > 0:
            rows.append(
                UnpaidSubscription(
                    entry=entry,
                    due=due,
                    instructions=payment_instructions(
                        reference=entry.structured_reference, amount=due
                    ),
                )
            )
    return rows


# --- bank lines → share register ----------------------------------------------------------------


@dataclass(frozen=True)
class ShareRouting:
    """What happened to a bank line carrying a share reference.

    recorded: the payment is in (on the application, or in the register); otherwise it was
    left for an advisor, and `note` says why."""

    recorded: bool
    note: str


def share_payment_route(
    *, references, amount: Decimal, paid_on: date, bank_reference: str, by=None
) -> ShareRouting | None:
    """Record money received with a share structured reference (an open application's, or a
    subscription's, also the one an approved application became) through
    share_payment_record. Returns None when no reference is a share payment's: the caller
    goes on with its own matching. A payment that can't be recorded (more than due, refused
    application, member gone) writes nothing and comes back with recorded=False.

    `by`: the advisor importing, or None. The caller makes sure each bank line comes once.
    """
    if amount <= 0:
        return None
    for reference in references:
        if not normalise_reference(reference):
            continue
        target = share_payment_match_reference(reference)
        if target is None:
            return ShareRouting(
                recorded=False,
                note=_("Share reference %(reference)s: no open application or subscription.")
                % {"reference": reference},
            )
        try:
            share_payment_record(
                target=target,
                amount=amount,
                paid_on=paid_on,
                by=by,
                bank_reference=bank_reference,
            )
        except ValidationError as error:
            return ShareRouting(
                recorded=False,
                note=_("Share payment %(reference)s not recorded: %(error)s")
                % {"reference": reference, "error": " ".join(error.messages)},
            )
        return ShareRouting(recorded=True, note=_describe(target, reference))
    return None


def _describe(target, reference: str) -> str:
    if isinstance(target, MembershipApplication):
        return _("Shares: membership application %(number)s (%(reference)s)") % {
            "number": target.pk,
            "reference": reference,
        }
    return _("Shares: subscription of member %(number)s (%(reference)s)") % {
        "number": target.member.number,
        "reference": reference,
    }
