"""What a 3en1 job and an Activité work declaration share on their way: the unit they are
written for (its holder's or an advisor's), the reason a refusal or a cancellation needs, the
days they release, and who decided, when and why (DecisionFields). job_services and
declaration_services call these; each keeps its own messages and audit actions."""

from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.roles import is_staff
from core.types import AnyUser
from payroll.models import Job, WorkDeclaration
from production_units.models import ProductionUnit

Decided = TypeVar("Decided", Job, WorkDeclaration)

MAX_REASON = 500


def check_holder(unit: ProductionUnit, by: AnyUser) -> None:
    """PermissionDenied unless `by` holds the unit or is an advisor."""
    if not is_staff(by) and unit.holder.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("This unit is not yours."))


def check_unit(unit: ProductionUnit, by: AnyUser, *, tool: str, wrong_tool: str) -> None:
    """The unit is `by`'s (or `by` is an advisor), of `tool` (else `wrong_tool` under "unit"),
    and active."""
    check_holder(unit, by)
    if unit.tool != tool:
        raise ValidationError({"unit": wrong_tool})
    if unit.status != ProductionUnit.Status.ACTIVE:
        raise ValidationError({"unit": _("This unit is closed.")})


def clean_reason(reason: object, *, message: str) -> str:
    """A required reason, stripped; ValidationError under "reason" otherwise."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({"reason": message})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("The reason is at most %(max)s characters.") % {"max": MAX_REASON}}
        )
    return reason


def days_still_booked(row: Job | WorkDeclaration) -> list[str]:
    """The dates (ISO) of the row's days that are booked and under no contract yet."""
    days = row.work_days.filter(cancelled=False, contract__isnull=True)
    return [day.isoformat() for day in days.values_list("date", flat=True)]


def release_days(row: Job | WorkDeclaration) -> None:
    """The row's days under no contract are cancelled: the worker's dates are free again."""
    row.work_days.filter(contract__isnull=True).update(cancelled=True)


def record_decision(
    row: Job | WorkDeclaration,
    *,
    status: str,
    by: AnyUser,
    reason: str = "",
    also: tuple[str, ...] = (),
) -> None:
    """The row's new status, with who decided (None for a task), when and why; saves those
    fields and `also`."""
    row.status = status
    row.decided_by = account_or_none(by)
    row.decided_at = timezone.now()
    row.decision_reason = reason
    row.save(update_fields=["status", *also, "decided_by", "decided_at", "decision_reason"])


@transaction.atomic
def reject_submitted(
    row: Decided,
    *,
    by: AnyUser,
    reason: str,
    action: str,
    not_allowed: str,
    no_reason: str,
    not_submitted: str,
) -> Decided:
    """An advisor sends a submitted job or declaration back with a reason: its days are
    released. `action` is the audit action; the messages are the row's own.

    Raises PermissionDenied (`not_allowed`) for a non-advisor, ValidationError without a
    reason (`no_reason`, under "reason") or for a row that is not submitted."""
    if not is_staff(by):
        raise PermissionDenied(not_allowed)
    if not (reason or "").strip():
        raise ValidationError({"reason": no_reason})
    row = type(row)._default_manager.select_for_update().get(pk=row.pk)
    if row.status != type(row).Status.SUBMITTED:
        raise ValidationError(not_submitted)
    record_decision(row, status=type(row).Status.REJECTED, by=by, reason=reason.strip())
    release_days(row)
    audit_log(
        actor=by,
        action=action,
        obj=row,
        changes={"status": "rejected"},
        reason=reason.strip(),
    )
    return row


@transaction.atomic
def ask_information(
    row: Decided,
    *,
    by: AnyUser,
    question: str,
    action: str,
    not_allowed: str,
    not_submitted: str,
) -> Decided:
    """An advisor asks the member a question on a submitted job or declaration: it stays in
    the queue, submitted; the question is audited (`action`, the question as its reason) and
    shown in the row's history on the member's page.

    Raises PermissionDenied (`not_allowed`) for a non-advisor, ValidationError under
    "reason" without a question, or (`not_submitted`) for a row that is not submitted."""
    if not is_staff(by):
        raise PermissionDenied(not_allowed)
    question = clean_reason(question, message=_("Say what information you need."))
    row = type(row)._default_manager.select_for_update().get(pk=row.pk)
    if row.status != type(row).Status.SUBMITTED:
        raise ValidationError(not_submitted)
    audit_log(actor=by, action=action, obj=row, changes={"status": row.status}, reason=question)
    return row
