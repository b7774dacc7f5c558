"""What a 3en1 job and an Activité work declaration share on their way: the unit they are
written for (its holder's or an advisor's) and the worker and function they name, the reason a
refusal or a cancellation needs, the days they release, who decided, when and why
(DecisionFields), and what the unit's holder is told. job_services and declaration_services
call these; each keeps its own messages and audit actions."""

from collections.abc import Callable, Collection
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log
from core.roles import is_staff
from core.types import AnyUser
from members.models import Member
from members.notifications.services import notify
from payroll.models import Job, WorkDeclaration, Worker
from payroll.workers.worker_services import workers_of_unit
from production_units.models import ProductionUnit

Decided = TypeVar("Decided", Job, WorkDeclaration)
Cleaned = TypeVar("Cleaned")
Errors = dict[str, str | list[str]]

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


def worker_function_errors(
    *, unit: ProductionUnit, worker: Worker, function: str, no_function: str
) -> Errors:
    """What is wrong with the function (empty: `no_function`) and the worker (not one of the
    unit's) a job or a declaration names, by field (empty: nothing)."""
    errors: Errors = {}
    if not (function or "").strip():
        errors["function"] = no_function
    if not workers_of_unit(unit).filter(pk=worker.pk).exists():
        errors["worker"] = _("%(worker)s does not work for unit %(unit)s.") % {
            "worker": worker,
            "unit": unit.code,
        }
    return errors


def clean_together(
    errors: Errors, *, day_problems: list[str], clean: Callable[[], Cleaned]
) -> Cleaned:
    """What `clean()` gives, or one ValidationError naming every field in error at once:
    `errors`, the days' problems (under "days", when any) and `clean()`'s own."""
    if day_problems:
        errors["days"] = day_problems
    try:
        cleaned = clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


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


def cancel_checked(
    row: Decided,
    *,
    by: AnyUser,
    reason: object,
    no_reason: str,
    cancellable: Collection[str],
    not_cancellable: str,
    related: tuple[str, ...],
) -> tuple[Decided, str]:
    """The job or declaration its unit's holder (or an advisor) cancels, locked (with
    `related`), and the reason, stripped.

    Raises ValidationError without a reason (`no_reason`, under "reason") or for a row whose
    status is not `cancellable` (`not_cancellable`, its "%(status)s" filled in),
    PermissionDenied for another's row."""
    reason = clean_reason(reason, message=no_reason)
    row = (
        type(row)
        ._default_manager.select_for_update(of=("self",))
        .select_related(*related)
        .get(pk=row.pk)
    )
    check_holder(row.unit, by)
    if row.status not in cancellable:
        raise ValidationError(not_cancellable % {"status": row.get_status_display()})
    return row, reason


def cancel_record(
    row: Job | WorkDeclaration, *, by: AnyUser, reason: str, also: tuple[str, ...] = ()
) -> list[str]:
    """The row cancelled (who, when, why; `also` saved with them), its days under no contract
    released: the dates (ISO) it released."""
    days = days_still_booked(row)
    release_days(row)
    record_decision(row, status=type(row).Status.CANCELLED, by=by, reason=reason, also=also)
    return days


def notify_holder(row: Job | WorkDeclaration, kind: str, *, url: str, **params: object) -> None:
    """Tell the holder of the row's unit about it (`kind`, with its text's `params`), with a
    link to its page (`url`)."""
    notify(row.unit.holder, kind, url=url, pk=row.pk, params=params)


def notify_approved(
    row: Job | WorkDeclaration, kind: str, *, holder: Member, url: str, what: object
) -> None:
    """Tell the unit's `holder` the row is approved, unless they are its worker: a holder who
    is the worker hears it once, from the contract to accept."""
    if row.worker.user_id != holder.user_id:
        notify(holder, kind, url=url, pk=row.pk, params={"what": what})


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
