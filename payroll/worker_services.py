"""Workers: the people a unit declares work for. A unit holder's Worker record is made from
their member file; invited workers get theirs when they accept (payroll.invitation_services)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from production_units.models import ProductionUnit
from smartcoop.audit import audit_log

from .models import UnitWorker, Worker


@transaction.atomic
def worker_for_member(member, *, by=None) -> Worker:
    """The Worker record of a member (created from their member file the first time).

    Raises ValidationError naming the member file's missing field (national number, IBAN):
    the cooperative can't employ or pay someone without them.
    """
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
        email=member.user.email if member.user_id else "",
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
    by=None,
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


def unit_holder_worker(unit: ProductionUnit, *, by=None) -> Worker:
    """The holder of `unit` as a worker of it (created on first use)."""
    worker = worker_for_member(unit.holder, by=by)
    unit_worker_add(unit=unit, worker=worker, is_holder=True, by=by)
    return worker


def workers_of_unit(unit: ProductionUnit):
    """The workers `unit` may declare work for today (holder and invited workers)."""
    return Worker.objects.filter(units__unit=unit, units__ended_on__isnull=True).order_by(
        "last_name", "first_name"
    )


def worker_of_user(user) -> Worker | None:
    """The Worker record of a logged-in user, if any (member or invited worker)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.filter(user=user).first()
