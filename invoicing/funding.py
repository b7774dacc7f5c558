"""Funding agreements (subsidies, grants) a unit receives: income of the unit. An advisor of the
unit's office records one; it is credited to the unit's ledger at once (one turnover entry,
through the one ledger writer) and counts in the turnover pillar of the mutual contribution
of the month it is received, at the rate in force that day, as an invoice does
(payroll.contributions.services reads it with the issued invoices)."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.money import is_cents, to_decimal
from core.roles import require_staff
from core.scoping import require_office
from members.models import User
from production_units.models import LedgerEntry, ProductionUnit
from production_units.services import ledger_post

from .models import FundingAgreement
from .models.funding import period_error

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")

# Checks telling whether the mutual contribution of a month (its first day) is already
# computed: a funding received in such a month would never be charged. The app that runs the
# contribution registers one at start-up (payroll.apps): invoicing can't read payroll.
_contribution_done: list[Callable[[date], bool]] = []


def register_contribution_done_check(check: Callable[[date], bool]) -> None:
    if check not in _contribution_done:
        _contribution_done.append(check)


def funding_of_units(units: QuerySet[ProductionUnit]) -> QuerySet[FundingAgreement]:
    """The funding agreements of `units`, the latest received first."""
    return FundingAgreement.objects.filter(unit__in=units).order_by("-received_on", "-id")


def _amount_errors(amount: object) -> tuple[Decimal | None, str]:
    try:
        value = to_decimal(str(amount).strip().replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        return None, _("Give the amount excl. VAT, e.g. 2500.00.")
    if not value.is_finite() or value <= 0:
        return None, _("The amount excl. VAT must be more than 0.")
    if not is_cents(value):
        return None, _("The amount is counted in cents: at most two decimals.")
    return value, ""


def _date_errors(
    received_on: object, period_start: date | None, period_end: date | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(received_on, date):
        errors["received_on"] = _("Give the date the funding was received.")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("The date received can't be in the future.")
    elif any(done(received_on.replace(day=1)) for done in _contribution_done):
        errors["received_on"] = _(
            "The mutual contribution of %(month)s is already computed: record the funding "
            "with a date of a month not yet computed."
        ) % {"month": f"{received_on:%m/%Y}"}
    if period_error(period_start, period_end):
        errors["period_end"] = period_error(period_start, period_end)
    return errors


def _document_error(document: UploadedFile | None) -> str:
    if document is None:
        return ""
    if not (document.name or "").lower().endswith(DOCUMENT_EXTENSIONS):
        return _("The document is a PDF or a picture (JPEG, PNG).")
    if document.size is not None and document.size > MAX_DOCUMENT_BYTES:
        return _("The document is larger than 10 MB.")
    return ""


@transaction.atomic
def funding_agreement_record(
    *,
    unit: ProductionUnit,
    funder: str,
    amount: object,
    received_on: date,
    by: User,
    reference: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    document: UploadedFile | None = None,
) -> FundingAgreement:
    """An advisor of the unit's office records a funding agreement: the row, its turnover
    entry in the unit's ledger (+amount on the day received), the audit. Nothing is saved
    when something is wrong.

    Raises PermissionDenied for a non-staff user, Http404 for another office's unit,
    ValidationError naming the field: no funder, an amount not positive or not in cents, a
    date in the future or in a month whose contribution is already computed, a period ending
    before it starts, a closed unit, a document of the wrong kind or too large."""
    require_staff(by)
    require_office(by, unit, "holder__office")
    errors = _date_errors(received_on, period_start, period_end)
    value, amount_error = _amount_errors(amount)
    if amount_error:
        errors["amount"] = amount_error
    if not (funder or "").strip():
        errors["funder"] = _("Name the funder (e.g. Fédération Wallonie-Bruxelles).")
    if unit.status != ProductionUnit.Status.ACTIVE:
        errors["unit"] = _("This unit is closed.")
    document_error = _document_error(document)
    if document_error:
        errors["document"] = document_error
    if errors or value is None:
        raise ValidationError(errors)
    agreement = FundingAgreement(
        unit=unit,
        funder=funder.strip()[:200],
        reference=(reference or "").strip()[:100],
        amount=value,
        received_on=received_on,
        period_start=period_start,
        period_end=period_end,
        created_by=by,
    )
    if document is not None:
        agreement.document.save(document.name or "agreement.pdf", document, save=False)
    agreement.save()
    label = _("Funding: %(funder)s") % {"funder": agreement}
    agreement.ledger_entry = ledger_post(
        unit=unit,
        kind=LedgerEntry.Kind.TURNOVER,
        amount=value,
        booked_on=received_on,
        label=label[:200],
        source=agreement,
        by=by,
    )
    agreement.save(update_fields=["ledger_entry"])
    audit_log(
        actor=by,
        action="funding_agreement.recorded",
        obj=agreement,
        changes={
            "unit": unit.pk,
            "funder": agreement.funder,
            "reference": agreement.reference,
            "amount": str(value),
            "received_on": received_on,
        },
    )
    return agreement
