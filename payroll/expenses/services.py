"""Expense claims (notes de frais): a worker files one for a unit (or a 3en1 job), an advisor
approves it (posted to the unit's ledger, paid with the next payout) or rejects it.

Rules, in one place for the portal, the API and the back-office:
- a claim of year Y is accepted until the deadline day of Y + 1 (PayrollPolicy in force on
  the day the claim is filed);
- a mileage claim is km × the mileage rate in force on the day of the trip, to the cent
  (half up), without VAT; any other claim needs its receipt (JPEG, PNG, PDF, or a supplier's
  UBL e-invoice dropped as a receipt: payroll.expenses.receipts);
- what draws on a unit's balance: every claim of an Activité unit, and a claim of a 3en1 unit
  that is not tied to a job (it is paid from what the unit kept, like an Activité unit). A
  claim tied to a 3en1 job is the job's expense: its invoice pays it, no balance check.
  A claim that draws on the balance is refused when the unit's available balance
  (production_units.selectors.unit_available_balance: the ledger balance less the budgets
  of pending work declarations and the claims still awaiting a decision) can't cover it;
  the message gives the amount missing. On approval the available balance is checked
  again (the claim itself left out); an advisor may approve over it only with an explicit
  overdraft and a reason (kept in the decision reason and the audit trail).
- an approved claim is posted (−amount, kind "expense") and gets its payout line, due the
  day of the approval: the next payout batch takes every line due by its execution date.
"""

import calendar
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.dated import in_force
from core.money import cents, is_cents, to_decimal
from core.roles import ADVISOR
from core.types import AnyUser
from members.models import User
from members.notifications import kinds as notice
from members.notifications.services import notify
from payroll.models import ExpenseCategory, ExpenseClaim, Job, PayoutLine, PayrollPolicy, Worker
from payroll.parameters import payroll_policy_on
from payroll.workers.worker_services import unit_holder_worker, worker_of_user
from production_units.models import LedgerEntry, ProductionUnit
from production_units.selectors import unit_available_balance, unit_lock
from production_units.services import ledger_post

ZERO = Decimal("0.00")
MAX_RECEIPT_SIZE = 10 * 2**20  # 10 MB: a phone photo is 2–5 MB
MAX_AMOUNT = Decimal("1000000.00")  # a note de frais, not an investment
KM_STEP = Decimal("0.1")
MAX_KM = Decimal("100000")


@dataclass(frozen=True)
class ReceiptKind:
    extension: str
    content_types: tuple[str, ...]
    magic: bytes


RECEIPT_KINDS = (
    ReceiptKind("jpg", ("image/jpeg", "image/pjpeg"), b"\xff\xd8\xff"),
    ReceiptKind("png", ("image/png",), b"\x89PNG\r\n\x1a\n"),
    ReceiptKind("pdf", ("application/pdf",), b"%PDF-"),
    # A supplier's UBL e-invoice, dropped as a receipt (payroll.expenses.receipts reads it).
    ReceiptKind("xml", ("application/xml", "text/xml"), b"<?xml"),
)
RECEIPT_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "xml": "application/xml",
}


# --- reads the services and the pages share -------------------------------------------------


def claims_of_user(user: AnyUser | None) -> QuerySet[ExpenseClaim]:
    """The claims a user owns: those they filed as the claimant, and those of the units they
    hold. Nothing for anonymous callers."""
    if not isinstance(user, User) or not user.is_authenticated:
        return ExpenseClaim.objects.none()
    return ExpenseClaim.objects.filter(Q(worker__user=user) | Q(unit__holder__user=user))


def claimable_units(user: AnyUser | None) -> QuerySet[ProductionUnit]:
    """The active units a user may file a claim for: those they hold, and those that employ
    them as a worker."""
    if not isinstance(user, User) or not user.is_authenticated:
        return ProductionUnit.objects.none()
    return (
        ProductionUnit.objects.active()
        .filter(
            Q(holder__user=user) | Q(workers__worker__user=user, workers__ended_on__isnull=True)
        )
        .distinct()
    )


def claimable_jobs(user: AnyUser | None) -> QuerySet[Job]:
    """The 3en1 jobs of those units a claim can be tied to (not cancelled nor rejected)."""
    return Job.objects.filter(
        unit__in=claimable_units(user).filter(tool=ProductionUnit.Tool.THREE_IN_ONE)
    ).exclude(status__in=[Job.Status.CANCELLED, Job.Status.REJECTED])


def expense_claimant(*, unit: ProductionUnit, user: User) -> Worker:
    """The worker record of `user` filing a claim for `unit`: the holder's (made from their
    member file the first time), or the invited worker's own.

    Raises ValidationError naming the member file's missing field (national number, IBAN),
    or the unit when the user doesn't work for it.
    """
    if unit.holder.user_id == user.pk:
        return unit_holder_worker(unit, by=user)
    worker = worker_of_user(user)
    if worker is None or not _works_for(worker, unit):
        raise ValidationError({"unit": _("You don't work for this unit.")})
    return worker


def _works_for(worker: Worker, unit: ProductionUnit) -> bool:
    return worker.units.filter(unit=unit, ended_on__isnull=True).exists()


def expense_deadline(*, year: int, policy: PayrollPolicy) -> date:
    """The last day on which expenses of `year` are accepted (a day past the end of its
    month, e.g. 31 February, is the month's last day)."""
    month = policy.expense_deadline_month
    last = calendar.monthrange(year + 1, month)[1]
    return date(year + 1, month, min(policy.expense_deadline_day, last))


def year_deadline(*, year: int, today: date) -> date:
    """The last day on which expenses of `year` (claims, and purchases charged to a unit:
    invoicing.purchase_rules) are accepted, by the payroll policy in force on `today`.
    Raises ValidationError when no policy is in force then."""
    return expense_deadline(year=year, policy=payroll_policy_on(today))


def draws_on_balance(*, unit: ProductionUnit, job: Job | None) -> bool:
    """Whether a claim is paid from the unit's balance (see the module's docstring)."""
    return unit.tool == ProductionUnit.Tool.ACTIVITY or job is None


def pending_claims_total(*, unit: ProductionUnit, exclude: Model | None = None) -> Decimal:
    """What the unit's claims awaiting a decision, that draw on its balance, add up to,
    `exclude` left out when it is a claim. The `Reservation` of expense claims (payroll.apps
    registers it in production_units.selectors)."""
    claims = ExpenseClaim.objects.filter(unit=unit, status=ExpenseClaim.Status.SUBMITTED)
    if unit.tool == ProductionUnit.Tool.THREE_IN_ONE:
        claims = claims.filter(job__isnull=True)
    if isinstance(exclude, ExpenseClaim):
        claims = claims.exclude(pk=exclude.pk)
    return cents(claims.aggregate(total=Sum("amount"))["total"] or ZERO)


def can_review_expenses(user: AnyUser | None) -> bool:
    """Advisors (and whoever may change claims, e.g. the administrators) decide on claims."""
    if not isinstance(user, User) or not user.is_staff:
        return False
    return user.has_perm("payroll.change_expenseclaim") or user.groups.filter(name=ADVISOR).exists()


# --- checks ---------------------------------------------------------------------------------


def _money(value: Decimal | str | None, field: str, errors: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = to_decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = _("Enter an amount in euros, e.g. 12.50.")
        return None
    if not amount.is_finite():
        errors[field] = _("Enter an amount in euros, e.g. 12.50.")
        return None
    if not is_cents(amount):
        errors[field] = _("Amounts are to the cent.")
        return None
    return amount


def receipt_check(upload: UploadedFile) -> ReceiptKind:
    """The kind of an uploaded receipt. Raises ValidationError (on `receipt`) for a file too
    large, empty, or that is not a JPEG, PNG or PDF by its declared type *and* its content."""
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError({"receipt": _("The receipt file is empty.")})
    if size > MAX_RECEIPT_SIZE:
        raise ValidationError(
            {
                "receipt": _("The receipt is larger than %(size)s MB: take a smaller photo.")
                % {"size": MAX_RECEIPT_SIZE // 2**20}
            }
        )
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for kind in RECEIPT_KINDS:
        if declared in kind.content_types and head.startswith(kind.magic):
            return kind
    raise ValidationError(
        {"receipt": _("A receipt is a photo (JPEG or PNG) or a PDF; this file is neither.")}
    )


@dataclass(frozen=True)
class CheckedClaim:
    amount: Decimal
    vat: Decimal
    distance_km: Decimal | None
    mileage_rate: Decimal | None
    receipt_kind: ReceiptKind | None


def _check_claim(
    *,
    unit: ProductionUnit,
    worker: Worker,
    category: ExpenseCategory,
    spent_on: date,
    description: str,
    amount: Decimal | str | None,
    vat: Decimal | str | None,
    receipt: UploadedFile | None,
    distance_km: Decimal | str | None,
    job: Job | None,
    by: User,
    today: date,
) -> CheckedClaim:
    errors: dict[str, str] = {}
    _check_parties(unit=unit, worker=worker, job=job, by=by, errors=errors)
    if not (description or "").strip():
        errors["description"] = _("Say what the expense was for.")
    spent_on_error = _spent_on_error(spent_on, today)
    if spent_on_error:
        errors["spent_on"] = spent_on_error
    checked_amount, checked_vat, distance, rate = _amounts(
        category=category,
        amount=amount,
        vat=vat,
        distance_km=distance_km,
        spent_on=spent_on,
        errors=errors,
    )
    receipt_kind = _receipt_kind(receipt, category, errors)
    if errors:
        raise ValidationError(errors)
    assert checked_amount is not None  # an amount missing is an error above
    return CheckedClaim(checked_amount, checked_vat, distance, rate, receipt_kind)


def _check_parties(
    *, unit: ProductionUnit, worker: Worker, job: Job | None, by: User, errors: dict[str, str]
) -> None:
    """The unit takes claims, from `by` for `worker`; the job is the unit's and still open."""
    if unit.status != ProductionUnit.Status.ACTIVE:
        errors["unit"] = _("This unit is closed: it takes no more expense claims.")
    elif not (unit.holder.user_id == by.pk or worker.user_id == by.pk):
        errors["unit"] = _("You can only file a claim for yourself or for a unit you hold.")
    elif not _works_for(worker, unit):
        errors["worker"] = _("This person doesn't work for this unit.")
    if job is not None:
        if job.unit_id != unit.pk:
            errors["job"] = _("This job belongs to another unit.")
        elif job.status in (Job.Status.CANCELLED, Job.Status.REJECTED):
            errors["job"] = _("This job was cancelled or rejected: it takes no expenses.")


def _spent_on_error(spent_on: object, today: date) -> str:
    """What is wrong with the expense's date (empty: nothing): a date, not in the future,
    claimed before its year's deadline."""
    if not isinstance(spent_on, date):
        return _("Enter the date of the expense.")
    if spent_on > today:
        return _("The date of the expense can't be in the future.")
    try:
        deadline = year_deadline(year=spent_on.year, today=today)
    except ValidationError as error:
        return error.messages[0]
    if today > deadline:
        return _(
            "Expenses of %(year)s could be claimed until %(deadline)s: this one is too late."
        ) % {"year": spent_on.year, "deadline": date_format(deadline, "DATE_FORMAT")}
    return ""


def _amounts(
    *,
    category: ExpenseCategory,
    amount: Decimal | str | None,
    vat: Decimal | str | None,
    distance_km: Decimal | str | None,
    spent_on: date,
    errors: dict[str, str],
) -> tuple[Decimal | None, Decimal, Decimal | None, Decimal | None]:
    """(amount, vat, distance, mileage rate) of a claim: a mileage claim's amount comes from
    its distance, the others' as typed; amount None when refused."""
    distance, rate = None, None
    if category.is_mileage:
        distance, rate, checked = _mileage(distance_km, spent_on, errors)
        checked_vat = ZERO
    else:
        checked = _money(amount, "amount", errors)
        if checked is None and "amount" not in errors:
            errors["amount"] = _("Enter the amount, VAT included.")
        typed_vat = _money(vat, "vat", errors)
        checked_vat = ZERO if typed_vat is None else typed_vat
        if not (distance_km is None or distance_km == ""):
            errors["distance_km"] = _("A distance is only for a mileage claim.")
    if checked is not None and "amount" not in errors:
        if checked <= 0:
            errors["amount"] = _("The amount must be more than zero.")
        elif checked >= MAX_AMOUNT:
            errors["amount"] = _("This amount is too large for an expense claim.")
    if "vat" not in errors and checked is not None and (checked_vat < 0 or checked_vat > checked):
        errors["vat"] = _("The VAT is between zero and the amount, VAT included.")
    return checked, checked_vat, distance, rate


def _receipt_kind(
    receipt: UploadedFile | None, category: ExpenseCategory, errors: dict[str, str]
) -> ReceiptKind | None:
    """The receipt's kind; a receipt is needed unless the claim is for mileage."""
    if receipt:
        try:
            return receipt_check(receipt)
        except ValidationError as error:
            errors["receipt"] = error.message_dict["receipt"][0]
    elif not category.is_mileage:
        errors["receipt"] = _("Add the receipt: a photo or a PDF of the ticket or invoice.")
    return None


def _mileage(
    distance_km: Decimal | str | None, spent_on: date, errors: dict[str, str]
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(distance, rate, amount) of a mileage claim; amount None when refused."""
    if distance_km is None or distance_km == "":
        errors["distance_km"] = _("Enter the distance travelled, in km.")
        return None, None, None
    try:
        distance = to_decimal(distance_km)
    except (InvalidOperation, TypeError, ValueError):
        errors["distance_km"] = _("Enter the distance in km, e.g. 123.4.")
        return None, None, None
    if not distance.is_finite() or distance <= 0 or distance >= MAX_KM:
        errors["distance_km"] = _("Enter the distance in km, e.g. 123.4.")
        return None, None, None
    if distance != distance.quantize(KM_STEP):
        errors["distance_km"] = _("The distance is to the tenth of a km.")
        return None, None, None
    if not isinstance(spent_on, date) or "spent_on" in errors:
        return distance, None, None
    try:
        policy = in_force(
            PayrollPolicy, spent_on, missing=_("No mileage rate is in force on %(day)s.")
        )
    except ValidationError as error:
        errors["spent_on"] = error.messages[0]
        return distance, None, None
    amount = cents(distance * policy.mileage_rate)
    if amount <= 0:
        errors["distance_km"] = _("This distance is too short to be reimbursed.")
    return distance, policy.mileage_rate, amount


def _missing(*, unit: ProductionUnit, amount: Decimal, exclude: Model | None = None) -> Decimal:
    """How much the unit's available balance lacks to pay `amount` (0 when it can)."""
    available = unit_available_balance(unit=unit, exclude=exclude)
    return max(amount - available, ZERO)


def _balance_message(missing: Decimal) -> str:
    return _(
        "The unit's balance can't cover this expense: %(missing)s € missing "
        "(claims awaiting a decision count as spent)."
    ) % {"missing": f"{missing:.2f}"}


# --- writes ---------------------------------------------------------------------------------


@transaction.atomic
def expense_claim_submit(
    *,
    unit: ProductionUnit,
    worker: Worker,
    category: ExpenseCategory,
    spent_on: date,
    description: str,
    amount: Decimal | str | None,
    vat: Decimal | str | None = ZERO,
    receipt: UploadedFile | None = None,
    distance_km: Decimal | str | None = None,
    job: Job | None = None,
    by: User,
    today: date | None = None,
) -> ExpenseClaim:
    """File an expense claim (status "to review") for a unit, audited.

    Raises ValidationError naming the field: unit (not the user's, closed, balance too low
    with the amount missing), worker, job, spent_on (future, past the yearly deadline),
    amount, vat, distance_km, receipt (missing, too large, not a JPEG/PNG/PDF).
    """
    today = today or timezone.localdate()
    # The unit's row is the lock that serialises the debits drawing on its balance.
    unit = unit_lock(unit_id=unit.pk)
    checked = _check_claim(
        unit=unit,
        worker=worker,
        category=category,
        spent_on=spent_on,
        description=description,
        amount=amount,
        vat=vat,
        receipt=receipt,
        distance_km=distance_km,
        job=job,
        by=by,
        today=today,
    )
    if draws_on_balance(unit=unit, job=job):
        missing = _missing(unit=unit, amount=checked.amount)
        if missing > 0:
            raise ValidationError({"amount": _balance_message(missing)})
    claim = ExpenseClaim(
        unit=unit,
        job=job,
        worker=worker,
        category=category,
        spent_on=spent_on,
        description=description.strip(),
        amount=checked.amount,
        vat=checked.vat,
        distance_km=checked.distance_km,
        mileage_rate=checked.mileage_rate,
        created_by=by,
    )
    if receipt and checked.receipt_kind is not None:
        # Stored under a name of ours: the member's file name says nothing we need.
        receipt.name = f"{uuid.uuid4().hex}.{checked.receipt_kind.extension}"
        claim.receipt = receipt
    claim.full_clean()
    claim.save()
    changes = {
        "unit": unit.code,
        "worker": worker.pk,
        "category": category.code,
        "spent_on": spent_on.isoformat(),
        "amount": str(claim.amount),
        "vat": str(claim.vat),
    }
    if claim.distance_km is not None:
        changes |= {"distance_km": str(claim.distance_km), "mileage_rate": str(claim.mileage_rate)}
    if job is not None:
        changes["job"] = job.pk
    audit_log(actor=by, action="expense_claim.submitted", obj=claim, changes=changes)
    return claim


DETAIL = "portal:expense_detail"


def _notice(claim: ExpenseClaim) -> dict[str, object]:
    """What the claimant's notification says of the claim."""
    return {"what": claim.description, "spent_day": claim.spent_on, "reason": claim.decision_reason}


def _decidable(claim: ExpenseClaim, by: User) -> ExpenseClaim:
    """Lock the claim (and its unit first, the order every writer here takes) and check that
    `by` may decide on it now."""
    if not can_review_expenses(by):
        raise PermissionDenied(_("Only an advisor decides on expense claims."))
    unit = unit_lock(unit_id=claim.unit_id)
    if not ProductionUnit.objects.followed_by(by).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("This claim belongs to a unit another office follows."))
    claim = (
        ExpenseClaim.objects.select_for_update()
        .select_related("unit", "worker", "category")
        .get(pk=claim.pk)
    )
    if claim.status != ExpenseClaim.Status.SUBMITTED:
        raise ValidationError(
            _("This claim has already been decided (%(status)s): nothing was changed.")
            % {"status": claim.get_status_display()}
        )
    return claim


@transaction.atomic
def expense_claim_approve(
    *,
    claim: ExpenseClaim,
    by: User,
    overdraft: bool = False,
    reason: str = "",
    today: date | None = None,
) -> ExpenseClaim:
    """Approve a claim: post −amount to the unit's ledger and create its payout line (due
    today, paid with the next payout batch), audited.

    Raises PermissionDenied for anyone but an advisor of the unit's office; ValidationError
    for a claim already decided, or (on `amount`) one the balance can't cover without an
    explicit overdraft, and (on `reason`) an overdraft without a reason.
    """
    today = today or timezone.localdate()
    claim = _decidable(claim, by)
    unit = claim.unit
    missing = ZERO
    if draws_on_balance(unit=unit, job=claim.job):
        missing = _missing(unit=unit, amount=claim.amount, exclude=claim)
    if missing > 0:
        if not overdraft:
            raise ValidationError(
                {
                    "amount": _(
                        "The unit's balance can't cover this expense: %(missing)s € missing. "
                        "Approve it as an overdraft, with a reason, if you agree."
                    )
                    % {"missing": f"{missing:.2f}"}
                }
            )
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the overdraft is approved.")})
    entry = ledger_post(
        unit=unit,
        kind=LedgerEntry.Kind.EXPENSE,
        amount=-claim.amount,
        booked_on=today,
        label_code="expense_claim",
        label_params={"number": claim.pk, "description": claim.description[:150]},
        source=claim,
        by=by,
        reason=reason,
    )
    worker = claim.worker
    payout = PayoutLine(
        kind=PayoutLine.Kind.EXPENSE,
        worker=worker,
        beneficiary=f"{worker.first_name} {worker.last_name}"[:140],
        iban=worker.iban,
        amount=claim.amount,
        remittance=(
            _("Expense claim %(number)s of %(day)s")
            % {
                "number": claim.pk,
                "day": claim.spent_on.isoformat(),
            }
        )[:140],
        due_on=today,
        expense_claim=claim,
    )
    payout.full_clean()
    payout.save()
    claim.status = ExpenseClaim.Status.APPROVED
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim.decision_reason = reason.strip()
    claim.ledger_entry = entry
    claim.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "ledger_entry"]
    )
    changes = {
        "status": [ExpenseClaim.Status.SUBMITTED, ExpenseClaim.Status.APPROVED],
        "amount": str(claim.amount),
        "ledger_entry": entry.pk,
        "payout_line": payout.pk,
    }
    if missing > 0:
        changes["overdraft"] = str(missing)
    audit_log(actor=by, action="expense_claim.approved", obj=claim, changes=changes, reason=reason)
    notify(claim.worker, notice.EXPENSE_APPROVED, url=DETAIL, pk=claim.pk, params=_notice(claim))
    return claim


@transaction.atomic
def expense_claim_reject(*, claim: ExpenseClaim, by: User, reason: str) -> ExpenseClaim:
    """Reject a claim with a reason the claimant reads, audited.

    Raises PermissionDenied for anyone but an advisor of the unit's office; ValidationError
    on `reason` when it is empty, or for a claim already decided.
    """
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the claim is rejected.")})
    claim = _decidable(claim, by)
    claim.status = ExpenseClaim.Status.REJECTED
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim.decision_reason = reason.strip()
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_log(
        actor=by,
        action="expense_claim.rejected",
        obj=claim,
        changes={"status": [ExpenseClaim.Status.SUBMITTED, ExpenseClaim.Status.REJECTED]},
        reason=reason.strip(),
    )
    notify(claim.worker, notice.EXPENSE_REFUSED, url=DETAIL, pk=claim.pk, params=_notice(claim))
    return claim


@transaction.atomic
def expense_claim_ask_information(*, claim: ExpenseClaim, by: User, question: str) -> ExpenseClaim:
    """Ask the claimant for information: the claim stays to review; the question is audited,
    shown in the claim's history on the claimant's page and sent to the claimant (portal and
    e-mail).

    Raises PermissionDenied for anyone but an advisor of the unit's office; ValidationError
    on `reason` without a question, or for a claim already decided.
    """
    question = (question or "").strip()
    if not question:
        raise ValidationError({"reason": _("Say what information you need.")})
    claim = _decidable(claim, by)
    audit_log(
        actor=by,
        action="expense_claim.information_requested",
        obj=claim,
        changes={"status": claim.status},
        reason=question,
    )
    notify(
        claim.worker,
        notice.INFORMATION_REQUESTED,
        url=DETAIL,
        pk=claim.pk,
        params={"what": claim.description, "question": question},
    )
    return claim
