"""Writes about members and membership applications.

The share register is written by the *_services modules around members.register_services.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from stdnum.be import nn

from core.audit import audit_log, diff, snapshot
from core.counters import counter_next
from core.dates import format_day
from core.encryption import lookup_hash
from core.roles import require_staff

from .emails import email_language, send_on_commit
from .models import (
    DocumentAcceptance,
    Member,
    MembershipApplication,
    MembershipDocument,
    SharePolicy,
    ShareRegisterEntry,
    User,
)
from .notifications import kinds as notice
from .notifications.services import notify
from .payment_routing import application_amount_due, application_payment_instructions
from .register_services import entry_append, entry_audit, payout_create, share_reference_next
from .selectors import documents_to_accept, share_policy_on

# Who a person is and where they live: the same fields on a member and on an application.
IDENTITY_FIELDS = [
    "national_number",
    "birth_date",
    "gender",
    "street",
    "postal_code",
    "city",
    "country",
    "iban",
    "preferred_language",
]

MEMBER_FIELDS = [
    "category",
    "status",
    "is_organisation",
    "first_name",
    "last_name",
    "organisation_name",
    *IDENTITY_FIELDS,
    "office",
    "advisor",
    "member_since",
]


@transaction.atomic
def member_create(*, by: User | None, user: User | None = None, **fields: object) -> Member:
    """Create a member (validated) with the next member number, and audit it."""
    # A member created directly (back-office, import, demo) is admitted: category A may open
    # production units unless told otherwise.
    fields.setdefault("may_open_units", fields.get("category") == Member.Category.A)
    member = Member(user=user, **fields)
    member.full_clean(exclude=["number"])
    member.number = counter_next("member.number")
    member.save()
    audit_log(actor=by, action="member.created", obj=member, changes={"number": member.number})
    return member


@transaction.atomic
def member_update(*, member: Member, by: User | None, reason: str = "", **fields: object) -> Member:
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


# --- membership applications -----------------------------------------------------------------

APPLICATION_FIELDS = [
    "first_name",
    "last_name",
    *IDENTITY_FIELDS,
    "category",
    "planned_activity",
    "office",
]


@transaction.atomic
def application_submit(
    *,
    user: User | None = None,
    email: str = "",
    shares: int,
    accepted_documents: list[MembershipDocument],
    by: User | None = None,
    on: date | None = None,
    source: str = MembershipApplication.Source.PORTAL,
    **fields: object,
) -> MembershipApplication:
    """Record a membership application with a structured reference to pay its shares.

    `fields`: the identity and request (see APPLICATION_FIELDS). `email`: the account's when
    not given. `source`: the portal, or a paper application an advisor enters (dated `on`,
    the letter's date). `accepted_documents`: the versions accepted, which must include every
    document in force that the category requires. Raises ValidationError naming each faulty field
    (national number, IBAN, birth date against the national number, duplicates by national
    number or email, shares below the minimum, documents not accepted); nothing is saved.
    """
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown application fields: {sorted(unknown)}")
    today = timezone.localdate()
    if on is not None and on != today and not getattr(by, "is_staff", False):
        raise PermissionDenied(_("Only an advisor can date an application (a paper one)."))
    if source not in MembershipApplication.Source.values:
        raise ValueError(f"Unknown application source: {source!r}")
    if source == MembershipApplication.Source.PAPER and not getattr(by, "is_staff", False):
        raise PermissionDenied(_("Only an advisor can enter a paper application."))
    on = on or today
    if on > today:
        raise ValidationError({"on": _("The date can't be in the future.")})
    email = (email or getattr(user, "email", "") or "").strip()
    policy = share_policy_on(on)
    application = MembershipApplication(
        user=user,
        email=email,
        submitted_on=on,
        source=source,
        shares=shares,
        share_price=policy.share_price if policy else 0,
        structured_reference="000000000000",
        **fields,
    )
    errors = _application_errors(application, policy)
    accepted = {document.pk for document in accepted_documents or []}
    missing = [
        str(document)
        for document in documents_to_accept(category=application.category, on=on)
        if document.pk not in accepted
    ]
    if missing and "category" not in errors:
        errors["accepted_documents"] = [
            _("Read and accept: %(documents)s.") % {"documents": ", ".join(missing)}
        ]
    if errors:
        raise ValidationError(errors)
    application.structured_reference = share_reference_next()
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        # Another application for the same person was saved at the same moment.
        raise ValidationError(
            {"national_number": [_("An application for this person is already open.")]}
        ) from None
    DocumentAcceptance.objects.bulk_create(
        [DocumentAcceptance(application=application, document_id=pk) for pk in sorted(accepted)]
    )
    audit_log(
        actor=by or user,
        action="membership_application.submitted",
        obj=application,
        changes={
            "category": application.category,
            "shares": application.shares,
            "documents": sorted(accepted),
            "source": application.source,
        },
    )
    return application


def _application_errors(application: MembershipApplication, policy: SharePolicy | None) -> dict:
    """Field errors of an application not yet saved: validity, consistency, duplicates."""
    errors: dict[str, list] = {}
    try:
        application.full_clean(exclude=["structured_reference"], validate_constraints=False)
    except ValidationError as exc:
        errors = dict(exc.message_dict)
    if policy is None:
        errors.setdefault("shares", []).append(_("No share policy is in force today."))
    elif "shares" not in errors and application.shares < policy.minimum_shares:
        errors["shares"] = [
            _("Subscribe at least %(minimum)s share(s).") % {"minimum": policy.minimum_shares}
        ]
    _consistency_errors(application, errors)
    if "national_number" not in errors:
        _duplicate_errors(
            errors,
            "national_number",
            Member.objects.filter(national_number_hash=lookup_hash(application.national_number)),
            MembershipApplication.objects.filter(
                national_number_hash=lookup_hash(application.national_number)
            ),
            _("A member with this national register number already exists."),
            _("An application with this national register number is already open."),
        )
    if "email" not in errors and application.email:
        _duplicate_errors(
            errors,
            "email",
            Member.objects.filter(user__email__iexact=application.email),
            MembershipApplication.objects.filter(email__iexact=application.email),
            _("A member with this email address already exists."),
            _("An application with this email address is already open."),
        )
    return errors


def _consistency_errors(application: MembershipApplication, errors: dict[str, list]) -> None:
    """The birth date against the national number; category A's activity and office."""
    if "national_number" not in errors and "birth_date" not in errors:
        born = nn.get_birth_date(application.national_number)
        if born is not None and born != application.birth_date:
            errors["birth_date"] = [
                _("The birth date does not match the national register number.")
            ]
    if application.category == Member.Category.A and "category" not in errors:
        if not application.planned_activity.strip():
            errors["planned_activity"] = [_("Describe the activity you plan to develop.")]
        if application.office_id is None:
            errors["office"] = [_("Choose the office that will follow your activity.")]


def _duplicate_errors(
    errors: dict[str, list],
    key: str,
    members: QuerySet[Member],
    applications: QuerySet[MembershipApplication],
    member_message: str,
    open_message: str,
) -> None:
    if members.exists():
        errors[key] = [member_message]
    elif applications.filter(status=MembershipApplication.Status.SUBMITTED).exists():
        errors[key] = [open_message]


def _decision_date(application: MembershipApplication, on: date | None) -> date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"on": _("The decision date can't be in the future.")})
    if on < application.submitted_on:
        raise ValidationError({"on": _("The decision can't be dated before the application.")})
    return on


def _open_application(application: MembershipApplication) -> MembershipApplication:
    application = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != MembershipApplication.Status.SUBMITTED:
        raise ValidationError(
            {
                "status": _("This application was already %(status)s.")
                % {"status": application.get_status_display()}
            }
        )
    return application


def application_still_due(application: MembershipApplication) -> Decimal:
    """What is left to pay on an application's shares (never below zero)."""
    return max(Decimal("0.00"), application.amount_due - application.paid_amount)


@transaction.atomic
def application_approve(
    *,
    application: MembershipApplication,
    by: User | None,
    on: date | None = None,
    reason: str = "",
    unpaid_reason: str = "",
) -> Member:
    """Admit the applicant on `on` (today by default): a member with the next member number,
    member since that day, the subscription in the register (and the money already received
    as a payment), and for category A the right to open production units. The applicant is
    told by e-mail once it is committed.

    Only a fully paid application is approved, unless `unpaid_reason` says why the advisor
    approves it anyway: then the amount still due and the reason are kept with the decision,
    on the subscription entry and in the audit trail.

    Raises PermissionDenied (not an advisor) or ValidationError (`status` already decided,
    `on` in the future or before the application, a member with the same national number,
    `unpaid_reason` when money is still due and no reason is given).
    """
    require_staff(by)
    application = _open_application(application)
    on = _decision_date(application, on)
    if Member.objects.filter(
        national_number_hash=lookup_hash(application.national_number)
    ).exists():
        raise ValidationError(
            {"national_number": _("A member with this national register number already exists.")}
        )
    still_due = application_still_due(application)
    unpaid_reason = (unpaid_reason or "").strip() if still_due > 0 else ""
    if still_due > 0 and not unpaid_reason:
        raise ValidationError(
            {
                "unpaid_reason": _(
                    "%(due)s € of %(amount)s € is still due on this application: approve it "
                    "once it is fully paid, or give the reason to approve it anyway."
                )
                % {"due": still_due, "amount": application.amount_due}
            }
        )
    override = ""
    if unpaid_reason:
        override = _("Approved with %(due)s € still due: %(reason)s") % {
            "due": still_due,
            "reason": unpaid_reason,
        }
    decision = "\n".join(text for text in [(reason or "").strip(), override] if text)
    member = member_create(
        by=by,
        user=application.user,
        member_since=on,
        status=Member.Status.MEMBER,
        may_open_units=application.category == Member.Category.A,
        **{
            name: getattr(application, name)
            for name in APPLICATION_FIELDS
            if name != "planned_activity"
        },
    )
    application.status = MembershipApplication.Status.APPROVED
    application.member = member
    application.decided_by = by
    application.decided_at = timezone.now()
    application.decided_on = on
    application.reason = decision
    application.save(
        update_fields=["status", "member", "decided_by", "decided_at", "decided_on", "reason"]
    )
    subscription = entry_append(
        member=member,
        operation=ShareRegisterEntry.Operation.SUBSCRIPTION,
        on=on,
        by=by,
        shares=application.shares,
        unit_price=application.share_price,
        amount=application.amount_due,
        structured_reference=application.structured_reference,
        note="\n".join(text for text in [_("Subscription at admission"), override] if text),
    )
    entry_audit(subscription, by=by, action="shares.subscribed")
    if application.paid_amount > 0:
        payment = entry_append(
            member=member,
            operation=ShareRegisterEntry.Operation.PAYMENT,
            on=on,
            by=by,
            paid_amount=application.paid_amount,
            related_entry=subscription,
            structured_reference=application.structured_reference,
            note=_("Received on %(day)s, before admission")
            % {"day": format_day(application.paid_on) if application.paid_on else "?"},
        )
        entry_audit(payment, by=by, action="shares.paid")
    changes = {"member": member.number, "decided_on": on.isoformat()}
    if unpaid_reason:
        changes.update(still_due=str(still_due), unpaid_reason=unpaid_reason)
    audit_log(
        actor=by,
        action="membership_application.approved",
        obj=application,
        changes=changes,
        reason=decision,
    )
    send_on_commit(
        template="application_approved",
        to=application.email,
        language=application.preferred_language,
        context={"application": application, "member": member, "still_due": still_due},
    )
    notify(application.user, notice.APPLICATION_APPROVED, url="portal:membership_shares")
    return member


@transaction.atomic
def application_refuse(
    *, application: MembershipApplication, by: User | None, reason: str, on: date | None = None
) -> MembershipApplication:
    """Refuse an application with a reason; money already received waits as a payout back to
    the applicant's IBAN.

    Raises PermissionDenied or ValidationError naming `reason`, `status` or `on`.
    """
    require_staff(by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the application is refused.")})
    application = _open_application(application)
    on = _decision_date(application, on)
    application.status = MembershipApplication.Status.REFUSED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.decided_on = on
    application.reason = reason.strip()
    application.save(update_fields=["status", "decided_by", "decided_at", "decided_on", "reason"])
    if application.paid_amount > 0:
        payout_create(
            amount=application.paid_amount,
            beneficiary=f"{application.first_name} {application.last_name}",
            iban=application.iban,
            remittance=_("Refund of your payment for shares, application %(number)s")
            % {"number": application.pk},
            application=application,
        )
    audit_log(
        actor=by,
        action="membership_application.refused",
        obj=application,
        changes={"decided_on": on.isoformat(), "refunded": str(application.paid_amount)},
        reason=application.reason,
    )
    send_on_commit(
        template="application_refused",
        to=application.email,
        language=application.preferred_language,
        context={"application": application},
    )
    notify(application.user, notice.APPLICATION_REFUSED, url="portal:membership_application")
    return application


@transaction.atomic
def application_ask_information(
    *, application: MembershipApplication, by: User | None, question: str
) -> MembershipApplication:
    """Ask the applicant for information: the application stays to decide; the question is
    audited and e-mailed to the applicant in their language.

    Raises PermissionDenied, or ValidationError naming `reason` (no question) or `status`.
    """
    require_staff(by)
    question = (question or "").strip()
    if not question:
        raise ValidationError({"reason": _("Say what information you need.")})
    application = _open_application(application)
    audit_log(
        actor=by,
        action="membership_application.information_requested",
        obj=application,
        changes={"status": application.status},
        reason=question,
    )
    send_on_commit(
        template="application_question",
        to=application.email,
        language=application.preferred_language,
        context={"application": application, "question": question},
    )
    return application


# --- the portal's joining door -------------------------------------------------------------

APPLICATION_EMAIL_SUBJECT = "members/email/application_submitted_subject.txt"
APPLICATION_EMAIL_BODY = "members/email/application_submitted.txt"


def application_apply(
    *,
    user: User | None = None,
    shares: int,
    accepted_documents: list[MembershipDocument],
    by: User | None = None,
    **fields: Any,
) -> MembershipApplication:
    """A person applies from the portal (`user`), or an advisor (`by`) enters an application
    received on paper (source=paper, on=the letter's date, email given): application_submit,
    then (after commit) the email with the payment instructions. Raises what
    application_submit raises; nothing is sent when nothing was saved."""
    with transaction.atomic():
        application = application_submit(
            user=user,
            by=by or user,
            shares=shares,
            accepted_documents=accepted_documents,
            **fields,
        )
        transaction.on_commit(
            lambda: application_instructions_send(application=application), robust=True
        )
    return application


def application_instructions_email(*, application: MembershipApplication) -> EmailMessage:
    """The email telling an applicant what to pay and how (in their language), with the EPC
    QR code as a PNG attachment."""
    language = email_language(application.preferred_language)
    instructions = application_payment_instructions(application)
    context = {
        "application": application,
        "instructions": instructions,
        "amount_due": application_amount_due(application),
    }
    with translation.override(language):
        subject = render_to_string(APPLICATION_EMAIL_SUBJECT, context)
        body = render_to_string(APPLICATION_EMAIL_BODY, context)
    message = EmailMessage(subject=" ".join(subject.split()), body=body, to=[application.email])
    if instructions is not None:
        message.attach("payment-qr-code.png", instructions.qr_png(), "image/png")
    return message


def application_instructions_send(*, application: MembershipApplication) -> None:
    """Send the payment instructions of an application (after the commit that saved it)."""
    application_instructions_email(application=application).send()
