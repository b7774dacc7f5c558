"""Workers: the people a unit declares work for. A unit holder's Worker record is made from
their member file; invited workers get theirs when they accept
(payroll.workers.invitation_services)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.dates import format_day
from core.types import AnyUser
from members.models import Member, User
from payroll.models import UnitWorker, WorkDay, Worker
from production_units.models import ProductionUnit


@transaction.atomic
def worker_for_member(member: Member, *, by: User | None = None) -> Worker:
    """The Worker record of a member (created from their member file the first time).

    Raises ValidationError naming the member file's missing field (national number, IBAN):
    the cooperative can't employ or pay someone without them.
    """
    existing = Worker.objects.filter(member=member).first()
    if existing is not None:
        return existing
    # Two first requests of the same member (e.g. two claims at once) queue on the member row:
    # the second finds the worker the first created.
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    existing = Worker.objects.filter(member=member).first()
    if existing is not None:
        return existing
    errors = {}
    if not member.national_number:
        errors["national_number"] = _(
            "Your member file has no national register number: it is needed for a contract."
        )
    if not member.iban:
        errors["iban"] = _("Your member file has no IBAN: it is needed to pay your salary.")
    if errors:
        raise ValidationError(errors)
    worker = Worker(
        user=member.user,
        member=member,
        first_name=member.first_name,
        last_name=member.last_name,
        email=member.user.email if member.user is not None else "",
        national_number=member.national_number,
        birth_date=member.birth_date,
        iban=member.iban,
        street=member.street,
        postal_code=member.postal_code,
        city=member.city,
        country=member.country,
    )
    worker.full_clean()
    worker.save()
    audit_log(actor=by, action="worker.created", obj=worker, changes={"member": member.pk})
    return worker


@transaction.atomic
def unit_worker_add(
    *,
    unit: ProductionUnit,
    worker: Worker,
    is_holder: bool = False,
    by: User | None = None,
    on: date | None = None,
) -> UnitWorker:
    """Let `unit` declare work for `worker` (idempotent)."""
    link, created = UnitWorker.objects.get_or_create(
        unit=unit,
        worker=worker,
        defaults={"is_holder": is_holder, "added_on": on or timezone.localdate()},
    )
    if created:
        audit_log(
            actor=by,
            action="unit_worker.added",
            obj=unit,
            changes={"worker": worker.pk, "holder": is_holder},
        )
    return link


def unit_holder_worker(unit: ProductionUnit, *, by: User | None = None) -> Worker:
    """The holder of `unit` as a worker of it (created on first use)."""
    worker = worker_for_member(unit.holder, by=by)
    unit_worker_add(unit=unit, worker=worker, is_holder=True, by=by)
    return worker


def workers_of_unit(unit: ProductionUnit) -> QuerySet[Worker]:
    """The workers `unit` may declare work for today (holder and invited workers)."""
    return Worker.objects.filter(units__unit=unit, units__ended_on__isnull=True).order_by(
        "last_name", "first_name"
    )


def worker_of_user(user: AnyUser | None) -> Worker | None:
    """The Worker record of a logged-in user, if any (member or invited worker)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    return Worker.objects.filter(user=user).first()


def unit_managed_by(unit: ProductionUnit, user: AnyUser | None) -> bool:
    """May `user` manage who works for `unit`: its holder, or staff who follow it."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if unit.holder.user_id is not None and unit.holder.user_id == user.pk:
        return True
    return (
        bool(user.is_staff) and ProductionUnit.objects.followed_by(user).filter(pk=unit.pk).exists()
    )


@transaction.atomic
def unit_worker_end(
    *, unit: ProductionUnit, worker: Worker, by: User, on: date | None = None, reason: str = ""
) -> UnitWorker:
    """Stop declaring work for `worker` in `unit` from `on` (today by default).

    Raises PermissionDenied unless `by` manages the unit; ValidationError when the worker is
    the holder, has already left, or still has declared days after `on` (cancel them first).
    """
    if not unit_managed_by(unit, by):
        raise PermissionDenied(_("Only the unit's holder can change who works for it."))
    link = UnitWorker.objects.select_for_update().filter(unit=unit, worker=worker).first()
    if link is None:
        raise ValidationError({"worker": _("This person does not work for this unit.")})
    if link.is_holder:
        raise ValidationError({"worker": _("The unit's holder always works for their unit.")})
    if link.ended_on is not None:
        raise ValidationError(
            {"worker": _("%(name)s already stopped working for this unit.") % {"name": worker}}
        )
    day = on or timezone.localdate()
    later = WorkDay.objects.filter(unit=unit, worker=worker, date__gt=day, cancelled=False)
    if later.exists():
        raise ValidationError(
            {
                "worker": _(
                    "%(name)s still has work declared after %(day)s in this unit: cancel it first."
                )
                % {"name": worker, "day": format_day(day)}
            }
        )
    link.ended_on = max(day, link.added_on)
    link.save(update_fields=["ended_on"])
    audit_log(
        actor=by,
        action="unit_worker.ended",
        obj=unit,
        changes={"worker": worker.pk, "ended_on": link.ended_on.isoformat()},
        reason=reason,
    )
    return link
