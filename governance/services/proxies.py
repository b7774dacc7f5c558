"""Proxies: a member on the roll asks another to vote for them; the holder accepts (within the
statutes' cap) or declines; an advisor validates or refuses; the giver may take it back while
it is not used. A giver who takes part themselves (online or in the room) cancels it."""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.roles import require_staff
from members.emails import member_address, send_on_commit
from members.models import Member, User

from ..models import GeneralAssembly, Participation, Proxy
from .base import EMAILS, lock_assembly, resolve_now
from .roll import on_roll, why_not_on_roll

Status = GeneralAssembly.Status
PROXY_WINDOW = (Status.CONVENED, Status.VOTING_OPEN)
HELD = [Proxy.Status.ACCEPTED, Proxy.Status.VALIDATED, Proxy.Status.USED]


def _proxy_window_message() -> str:
    return _("Proxies can be given between convening and closing.")


def _has_given(assembly: GeneralAssembly, member: Member) -> bool:
    return Proxy.objects.filter(
        assembly=assembly, giver=member, status__in=[*Proxy.ACTIVE, Proxy.Status.USED]
    ).exists()


def _check_give(assembly: GeneralAssembly, giver: Member, holder: Member, now: datetime) -> None:
    if assembly.status not in PROXY_WINDOW or now >= assembly.voting_closes_at:
        raise ValidationError(_proxy_window_message())
    if giver.pk == holder.pk:
        raise ValidationError({"holder": _("You can't give a proxy to yourself.")})
    if not on_roll(assembly, giver):
        raise ValidationError(why_not_on_roll(assembly, giver))
    if not on_roll(assembly, holder):
        raise ValidationError({"holder": _("This member is not on the voter roll.")})
    if Participation.objects.filter(assembly=assembly, member=giver).exists():
        raise ValidationError(_("You have already voted."))
    if _has_given(assembly, giver):
        raise ValidationError(_("You have already given a proxy for this assembly."))
    if _has_given(assembly, holder):
        raise ValidationError({"holder": _("This member has given their own proxy.")})
    _check_cap(assembly, holder)


def proxy_give(
    *, assembly: GeneralAssembly, giver: Member, holder: Member, now: datetime | None = None
) -> Proxy:
    """The giver asks `holder` to vote for them. Both must be on the roll and not have voted;
    the holder may hold at most the statutes' cap of proxies."""
    now = resolve_now(now)
    with transaction.atomic():
        assembly = lock_assembly(assembly)
        _check_give(assembly, giver, holder, now)
        proxy = Proxy.objects.create(assembly=assembly, giver=giver, holder=holder)
        audit_log(actor=giver.user, action="proxy_given", obj=proxy)
    send_on_commit(
        folder=EMAILS,
        template="proxy_asked",
        to=member_address(holder),
        language=holder.preferred_language,
        context={"assembly": assembly, "giver": giver},
    )
    return proxy


def _check_cap(assembly: GeneralAssembly, holder: Member, exclude: Proxy | None = None) -> None:
    held = Proxy.objects.filter(assembly=assembly, holder=holder, status__in=HELD)
    if exclude is not None:
        held = held.exclude(pk=exclude.pk)
    cap = int(assembly.rules.get("proxy_cap", 1))
    if held.count() >= cap:
        raise ValidationError(
            {"holder": _("A member can hold %(cap)s proxies at most (statutes).") % {"cap": cap}}
        )


def _proxy_locked(proxy: Proxy, expected: Sequence[str]) -> tuple[GeneralAssembly, Proxy]:
    assembly = lock_assembly(proxy.assembly)
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if proxy.status not in expected:
        raise ValidationError(
            _("This proxy is %(status)s.") % {"status": proxy.get_status_display()}
        )
    if assembly.status not in PROXY_WINDOW:
        raise ValidationError(_proxy_window_message())
    return assembly, proxy


def proxy_answer(
    *, proxy: Proxy, holder: Member, accept: bool, now: datetime | None = None
) -> Proxy:
    """The holder accepts (within the cap) or declines a proxy given to them."""
    if proxy.holder_id != holder.pk:
        raise PermissionDenied(_("This proxy was not given to you."))
    with transaction.atomic():
        assembly, proxy = _proxy_locked(proxy, [Proxy.Status.GIVEN])
        if accept:
            _check_cap(assembly, holder, exclude=proxy)
        proxy.status = Proxy.Status.ACCEPTED if accept else Proxy.Status.DECLINED
        proxy.save(update_fields=["status"])
        audit_log(
            actor=holder.user, action="proxy_accepted" if accept else "proxy_declined", obj=proxy
        )
    return proxy


def proxy_decide(
    *, proxy: Proxy, by: User, validate: bool, reason: str = "", now: datetime | None = None
) -> Proxy:
    """An advisor validates an accepted proxy (before the window closes), or refuses it with a
    reason."""
    require_staff(by)
    now = resolve_now(now)
    if not validate and not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the proxy is refused.")})
    with transaction.atomic():
        assembly, proxy = _proxy_locked(proxy, [Proxy.Status.ACCEPTED])
        if now >= assembly.voting_closes_at:
            raise ValidationError(_("The vote is closed: proxies can no longer be validated."))
        if (
            validate
            and Participation.objects.filter(assembly=assembly, member=proxy.giver).exists()
        ):
            raise ValidationError(_("The giver has already voted."))
        proxy.status = Proxy.Status.VALIDATED if validate else Proxy.Status.REFUSED
        proxy.decided_at = now
        proxy.decided_by = by
        proxy.reason = (reason or "").strip()
        proxy.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        audit_log(
            actor=by,
            action="proxy_validated" if validate else "proxy_refused",
            obj=proxy,
            reason=proxy.reason,
        )
    return proxy


def proxy_cancel(*, proxy: Proxy, giver: Member, now: datetime | None = None) -> Proxy:
    """The giver takes their proxy back while it is not used."""
    if proxy.giver_id != giver.pk:
        raise PermissionDenied(_("This proxy is not yours."))
    with transaction.atomic():
        _assembly, proxy = _proxy_locked(proxy, Proxy.ACTIVE)
        proxy.status = Proxy.Status.CANCELLED
        proxy.decided_at = resolve_now(now)
        proxy.save(update_fields=["status", "decided_at"])
        audit_log(actor=giver.user, action="proxy_cancelled", obj=proxy)
    return proxy


def proxies_given_cancel(
    *,
    assembly: GeneralAssembly,
    giver: Member,
    reason: str,
    by: User | None,
    now: datetime | None = None,
) -> None:
    """The giver takes part themselves: the proxies they gave and that are not used yet are
    cancelled (with the day of the decision when `now` is given). Call it with the assembly
    locked."""
    fields = ["status", "reason"] + (["decided_at"] if now is not None else [])
    for given in Proxy.objects.select_for_update().filter(
        assembly=assembly, giver=giver, status__in=Proxy.ACTIVE
    ):
        given.status = Proxy.Status.CANCELLED
        given.reason = reason
        if now is not None:
            given.decided_at = now
        given.save(update_fields=fields)
        audit_log(actor=by, action="proxy_cancelled", obj=given, reason=reason)
