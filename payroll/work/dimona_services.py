"""The advisors' corrections of Dimona declarations: a refused declaration sent again."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.roles import require_staff
from core.scoping import UNIT_OFFICE, require_office
from members.models import User
from payroll.models import Contract, DimonaDeclaration

from .dimona import dimona_record, live_in
from .tasks import send_pending_dimonas


@transaction.atomic
def dimona_retry(
    *, declaration: DimonaDeclaration, by: User, reason: str = ""
) -> DimonaDeclaration:
    """An advisor of the contract's office sends a refused declaration again, once its cause
    is corrected: a new declaration with the contract's and the worker's data as they are now
    (the refused one stays, refused, in the contract's history). Once only per refusal.

    Raises PermissionDenied for a non-staff user, Http404 for another office's contract,
    ValidationError when the declaration is not refused, was already sent again, or no longer
    fits the contract (an IN or OUT of a cancelled contract, a CANCEL of a live one)."""
    require_staff(by)
    require_office(by, declaration.contract, UNIT_OFFICE)
    declaration = DimonaDeclaration.objects.select_for_update().get(pk=declaration.pk)
    contract = declaration.contract
    if declaration.status != DimonaDeclaration.Status.REFUSED:
        raise ValidationError(
            _("Only a refused declaration can be sent again: this one is %(status)s.")
            % {"status": declaration.get_status_display()}
        )
    if DimonaDeclaration.objects.filter(retry_of=declaration).exists():
        raise ValidationError(_("This refused declaration was already sent again."))
    cancelled = contract.status == Contract.Status.CANCELLED
    if (declaration.kind == DimonaDeclaration.Kind.CANCEL) != cancelled:
        raise ValidationError(
            _("Contract %(reference)s is %(status)s: this declaration no longer applies.")
            % {"reference": contract.reference, "status": contract.get_status_display()}
        )
    if (
        contract.dimonas.filter(kind=declaration.kind)
        .exclude(status__in=DimonaDeclaration.CLOSED)
        .exists()
    ):
        raise ValidationError(
            _("Contract %(reference)s already has a %(kind)s declaration that stands.")
            % {"reference": contract.reference, "kind": declaration.get_kind_display()}
        )
    in_declaration = None if declaration.kind == DimonaDeclaration.Kind.IN else live_in(contract)
    if declaration.kind != DimonaDeclaration.Kind.IN and in_declaration is None:
        raise ValidationError(
            _("Contract %(reference)s has no IN that stands: there is nothing to end or cancel.")
            % {"reference": contract.reference}
        )
    retry = dimona_record(
        contract=contract,
        kind=declaration.kind,
        in_declaration=in_declaration,
        retry_of=declaration,
    )
    audit_log(
        actor=by,
        action="dimona.retried",
        obj=retry,
        changes={"retry_of": declaration.pk, "kind": retry.kind},
        reason=reason,
    )
    transaction.on_commit(_send_later)
    return retry


def _send_later() -> None:
    send_pending_dimonas.delay()
