"""Suppliers' UBL invoices received by the cooperative, turned into purchases of a unit.

The supplier writes the code of the Activité unit (e.g. UP-0002) in the buyer reference;
the purchase is then charged to that unit at once. Anything that can't be charged with
certainty waits in an advisor's queue with the reason, and the advisor assigns it. The yearly
deadline and the available balance a purchase must fit in are in invoicing.purchase_rules.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from lxml import etree

from core.audit import account_or_none, audit_log
from core.money import CENT, cents
from production_units.models import LedgerEntry, ProductionUnit
from production_units.selectors import unit_available_balance, unit_lock
from production_units.services import ledger_post

from .models import Purchase
from .purchase_rules import (
    OVERDRAFT_APPROVED,
    balance_problem,
    deadline_problem,
    overdraft_refusal,
    purchase_missing,
)

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
INVOICE_ROOT = "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
CREDIT_NOTE_ROOT = "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
MAX_FILE_SIZE = 10 * 1024 * 1024
SUPPLIER = "cac:AccountingSupplierParty/cac:Party/"
TOTALS = "cac:LegalMonetaryTotal/"


@dataclass(frozen=True)
class InboundInvoice:
    """What the platform keeps of a supplier's invoice."""

    supplier_name: str
    supplier_vat_number: str
    supplier_invoice_number: str
    buyer_reference: str
    issue_date: date
    due_date: date | None
    currency: str
    net_total: Decimal
    vat_total: Decimal
    total: Decimal


def _parse_xml(file_bytes: bytes):
    if not file_bytes:
        raise ValidationError(_("The file is empty."))
    if len(file_bytes) > MAX_FILE_SIZE:
        raise ValidationError(_("The file is larger than 10 MB: it is not an invoice."))
    # No DTD, no entities, no network: a hostile file can't read files or blow up memory.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(file_bytes, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError(
            _("The file is not well-formed XML: %(error)s") % {"error": exc}
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise ValidationError(_("The file declares a DTD, which UBL invoices never do."))
    if root.tag == CREDIT_NOTE_ROOT:
        raise ValidationError(
            _("This is a UBL credit note, not an invoice: give it to an advisor.")
        )
    if root.tag != INVOICE_ROOT:
        raise ValidationError(
            _("This is not a UBL invoice (its root element is %(tag)s).") % {"tag": root.tag}
        )
    return root


class _Reader:
    """Reads UBL fields, collecting one clear message per problem, each naming the field."""

    def __init__(self, root):
        self.root = root
        self.errors: list[str] = []

    def text(self, path: str, label: str, *, required=False, max_length=None) -> str:
        found = self.root.xpath(f"{path}/text()", namespaces=NS)
        value = " ".join(str(found[0]).split()) if found else ""
        if required and not value:
            self.errors.append(_("%(label)s (%(path)s) is missing.") % _named(label, path))
        elif max_length and len(value) > max_length:
            self.errors.append(
                _("%(label)s (%(path)s) is longer than %(n)s characters.")
                % {**_named(label, path), "n": max_length}
            )
        return value

    def date(self, path: str, label: str, *, required=False) -> date | None:
        value = self.text(path, label, required=required)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors.append(
                _("%(label)s (%(path)s) is not a date like 2026-01-31: %(value)s")
                % {**_named(label, path), "value": value}
            )
            return None

    def amount(self, element, path: str, label: str, currency: str) -> Decimal | None:
        if element is None:
            self.errors.append(_("%(label)s (%(path)s) is missing.") % _named(label, path))
            return None
        raw = (element.text or "").strip()
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            problem = _("%(label)s (%(path)s) is not an amount: %(value)s")
        elif value != value.quantize(CENT):
            problem = _("%(label)s (%(path)s) has more than two decimals: %(value)s")
        elif value < 0:
            problem = _("%(label)s (%(path)s) is negative: %(value)s")
        elif element.get("currencyID", currency) != currency:
            problem = _("%(label)s (%(path)s) is not in the invoice's currency.")
        else:
            return value
        self.errors.append(problem % {**_named(label, path), "value": raw})
        return None

    def total(self, name: str, label: str, currency: str, *, default=None) -> Decimal | None:
        path = TOTALS + f"cbc:{name}"
        found = self.root.xpath(path, namespaces=NS)
        if not found and default is not None:
            return default
        return self.amount(found[0] if found else None, path, label, currency)


def _named(label, path) -> dict:
    return {"label": label, "path": path}


def parse_ubl_invoice(file_bytes: bytes) -> InboundInvoice:
    """Read a supplier's UBL 2.1 invoice and check what a purchase needs of it.

    Raises ValidationError (all problems at once, each naming the UBL field) when the file
    is not well-formed, not a UBL invoice, lacks a required field, is not in EUR, or its
    totals don't add up to the cent.
    """
    root = _parse_xml(file_bytes)
    read = _Reader(root)
    currency = read.text("cbc:DocumentCurrencyCode", _("Currency"), required=True).upper()
    if currency and currency != "EUR":
        read.errors.append(
            _("Only invoices in EUR can be imported; this one is in %(currency)s.")
            % {"currency": currency}
        )
    number = read.text("cbc:ID", _("Invoice number"), required=True, max_length=100)
    issue_date = read.date("cbc:IssueDate", _("Issue date"), required=True)
    due_date = read.date("cbc:DueDate", _("Due date"))
    buyer_reference = read.text("cbc:BuyerReference", _("Buyer reference"), max_length=100)
    supplier_name = read.text(
        SUPPLIER + "cac:PartyLegalEntity/cbc:RegistrationName", _("Supplier's name")
    ) or read.text(SUPPLIER + "cac:PartyName/cbc:Name", _("Supplier's name"), required=True)
    supplier_vat_number = (
        read.text(
            SUPPLIER + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
            _("Supplier's VAT number"),
            max_length=30,
        )
        .replace(" ", "")
        .replace(".", "")
    )
    net = read.total("TaxExclusiveAmount", _("Total excl. VAT"), currency)
    total = read.total("TaxInclusiveAmount", _("Total incl. VAT"), currency)
    payable = read.total("PayableAmount", _("Amount due"), currency)
    prepaid = read.total("PrepaidAmount", _("Prepaid amount"), currency, default=Decimal(0))
    rounding = read.total(
        "PayableRoundingAmount", _("Rounding amount"), currency, default=Decimal(0)
    )
    vat = _vat_total(read, currency)
    if read.errors:
        raise ValidationError(read.errors)
    # Each None above came with its error, raised just now: this only tells the type checker.
    assert issue_date is not None and net is not None and vat is not None and total is not None
    if cents(net + vat) != cents(total):
        raise ValidationError(
            _(
                "The totals don't add up: %(net)s excl. VAT + %(vat)s VAT is not the total "
                "incl. VAT %(total)s."
            )
            % {"net": net, "vat": vat, "total": total}
        )
    if prepaid is not None and rounding is not None and total - prepaid + rounding != payable:
        raise ValidationError(
            _("The amount due %(payable)s is not the total %(total)s less what was prepaid.")
            % {"payable": payable, "total": total}
        )
    return InboundInvoice(
        supplier_name=supplier_name[:200],
        supplier_vat_number=supplier_vat_number,
        supplier_invoice_number=number,
        buyer_reference=buyer_reference,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        net_total=net,
        vat_total=vat,
        total=total,
    )


def _vat_total(read: _Reader, currency: str) -> Decimal | None:
    # A second TaxTotal may give the VAT in the tax currency (without subtotals); the one
    # that counts is in the invoice's currency.
    path = "cac:TaxTotal/cbc:TaxAmount"
    found = [
        element
        for element in read.root.xpath(path, namespaces=NS)
        if element.get("currencyID", currency) == currency
    ]
    if len(found) > 1:
        read.errors.append(_("There are several VAT totals (%(path)s).") % {"path": path})
        return None
    return read.amount(found[0] if found else None, path, _("VAT total"), currency)


def unit_named_in(reference: str) -> list[ProductionUnit]:
    """The units whose code appears in a buyer reference, case-insensitively, as a whole
    word: "UP-0002", "commande 17 / up-0002" but not "UP-00021"."""
    reference = reference.upper()
    if not reference.strip():
        return []
    candidates = ProductionUnit.objects.annotate(reference=Value(reference)).filter(
        reference__contains=Upper("code")
    )
    return [
        unit
        for unit in candidates
        if re.search(rf"(?<![A-Z0-9]){re.escape(unit.code.upper())}(?![A-Z0-9])", reference)
    ]


def _why_not_postable(purchase: Purchase, unit: ProductionUnit, today: date) -> str:
    """Why the purchase can't be charged to this unit without an advisor, or ''."""
    if unit.tool != ProductionUnit.Tool.ACTIVITY:
        return _("Unit %(code)s is a 3en1 unit: only Activité units take purchases.") % {
            "code": unit.code
        }
    if unit.status != ProductionUnit.Status.ACTIVE:
        return _("Unit %(code)s is closed.") % {"code": unit.code}
    if not purchase.net_total:
        return _("The amount excl. VAT is zero: there is nothing to charge.")
    return deadline_problem(purchase=purchase, today=today) or balance_problem(
        purchase=purchase, unit=unit, available=unit_available_balance(unit=unit)
    )


def _match(purchase: Purchase, today: date) -> tuple[ProductionUnit | None, str]:
    if not purchase.buyer_reference:
        return None, _("The invoice has no buyer reference naming a unit (e.g. UP-0002).")
    units = unit_named_in(purchase.buyer_reference)
    if not units:
        return None, _("The buyer reference “%(reference)s” names no known unit.") % {
            "reference": purchase.buyer_reference
        }
    if len(units) > 1:
        return None, _("The buyer reference names several units: %(codes)s.") % {
            "codes": ", ".join(unit.code for unit in units)
        }
    unit = unit_lock(unit_id=units[0].pk)
    problem = _why_not_postable(purchase, unit, today)
    return (None, problem) if problem else (unit, "")


def _post(purchase: Purchase, unit: ProductionUnit, by, reason: str = "") -> None:
    """Charge the purchase to the unit's ledger, excluding VAT.

    The purchase is invoiced to the cooperative's legal entity, which is the VAT-registered
    taxpayer: it deducts the input VAT in its own VAT return, so the VAT is never a cost of
    the unit (just as turnover is posted excluding VAT). The unit bears the net amount. Where
    the VAT can't be deducted, an advisor posts the difference as an adjustment.
    """
    label_params = {
        "number": purchase.supplier_invoice_number[:60],
        "supplier": purchase.supplier_name[:120],
    }
    ledger_post(
        unit=unit,
        kind=LedgerEntry.Kind.PURCHASE,
        amount=-purchase.net_total,
        booked_on=purchase.issue_date,
        label_code="purchase",
        label_params=label_params,
        source=purchase,
        by=by,
        reason=reason,
    )
    purchase.unit = unit
    purchase.status = Purchase.Status.POSTED
    purchase.save(update_fields=["unit", "status"])
    audit_log(
        actor=by,
        action="purchase.posted",
        obj=purchase,
        changes={"unit": unit.code, "amount": str(-purchase.net_total)},
        reason=reason,
    )


def _refuse_duplicate(invoice: InboundInvoice, digest: str) -> None:
    if Purchase.objects.filter(file_sha256=digest).exists():
        raise ValidationError(_("This file was already imported."))
    same_supplier = (
        {"supplier_vat_number__iexact": invoice.supplier_vat_number}
        if invoice.supplier_vat_number
        else {"supplier_name__iexact": invoice.supplier_name}
    )
    earlier = (
        Purchase.objects.filter(
            supplier_invoice_number=invoice.supplier_invoice_number, **same_supplier
        )
        .exclude(status=Purchase.Status.REJECTED)
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            _("Invoice %(number)s of %(supplier)s was already imported on %(day)s.")
            % {
                "number": invoice.supplier_invoice_number,
                "supplier": invoice.supplier_name,
                "day": date_format(timezone.localtime(earlier.created_at), "SHORT_DATE_FORMAT"),
            }
        )


def inbound_ubl_import(*, file_bytes: bytes, by, today: date | None = None) -> Purchase:
    """Record a supplier's UBL invoice as a purchase, keeping the file.

    Posted (net of VAT) to the Activité unit its buyer reference names; otherwise left
    "to match" with the reason for an advisor (3en1 or closed unit, no or unknown code,
    several codes, past the yearly deadline on `today`, more than the unit's available
    balance: see invoicing.purchase_rules). Raises ValidationError, saving nothing, when the
    file is not a usable UBL invoice (see parse_ubl_invoice) or was already imported.
    """
    today = today or timezone.localdate()
    invoice = parse_ubl_invoice(file_bytes)
    digest = hashlib.sha256(file_bytes).hexdigest()
    stored = None
    try:
        with transaction.atomic():
            _refuse_duplicate(invoice, digest)
            purchase = Purchase(
                status=Purchase.Status.TO_MATCH,
                file_sha256=digest,
                created_by=account_or_none(by),
                **invoice.__dict__,
            )
            purchase.ubl.save(f"{digest[:24]}.xml", ContentFile(file_bytes), save=False)
            stored = purchase.ubl.name
            unit, purchase.problem = _match(purchase, today)
            try:
                with transaction.atomic():
                    purchase.save()
            except IntegrityError as exc:  # the same file imported at the same moment
                raise ValidationError(_("This file was already imported.")) from exc
            audit_log(
                actor=by,
                action="purchase.imported",
                obj=purchase,
                changes={"total": str(purchase.total), "sha256": digest},
                reason=purchase.problem,
            )
            if unit is not None:
                _post(purchase, unit, by)
    except BaseException:
        if stored:
            purchase.ubl.storage.delete(stored)
        raise
    return purchase


@transaction.atomic
def purchase_assign(
    *,
    purchase: Purchase,
    unit: ProductionUnit,
    by,
    overdraft_reason: str = "",
    today: date | None = None,
) -> Purchase:
    """An advisor charges a queued purchase to an Activité unit, audited.

    When the unit's available balance can't pay its total excl. VAT, only with an explicit
    `overdraft_reason` (audited as "purchase.overdraft_approved" with the amount missing, and
    kept on the ledger entry); a reason given when there is no overdraft is not recorded.

    Raises PermissionDenied (not an advisor) and ValidationError (not in the queue, a 3en1
    or closed unit, nothing to charge; on `issue_date` past the yearly deadline on `today`,
    which no reason overrides; on `overdraft_reason` an overdraft without a reason, naming
    the amount missing). Nothing is saved when it raises.
    """
    today = today or timezone.localdate()
    if not getattr(by, "is_staff", False):
        raise PermissionDenied(_("Only an advisor can assign a purchase."))
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    if purchase.status != Purchase.Status.TO_MATCH:
        raise ValidationError(_("This purchase is not waiting for a unit any more."))
    unit = unit_lock(unit_id=unit.pk)
    if unit.tool != ProductionUnit.Tool.ACTIVITY:
        raise ValidationError({"unit": _("Only an Activité unit takes purchases.")})
    if unit.status != ProductionUnit.Status.ACTIVE:
        raise ValidationError({"unit": _("This unit is closed.")})
    if not purchase.net_total:
        raise ValidationError(_("The amount excl. VAT is zero: there is nothing to charge."))
    late = deadline_problem(purchase=purchase, today=today)
    if late:
        raise ValidationError({"issue_date": late})
    available = unit_available_balance(unit=unit)
    missing = purchase_missing(purchase=purchase, available=available)
    reason = ""
    if missing:
        reason = (overdraft_reason or "").strip()
        if not reason:
            raise ValidationError(
                {
                    "overdraft_reason": overdraft_refusal(
                        purchase=purchase, unit=unit, available=available
                    )
                }
            )
    audit_log(actor=by, action="purchase.assigned", obj=purchase, changes={"unit": unit.code})
    if missing:
        audit_log(
            actor=by,
            action=OVERDRAFT_APPROVED,
            obj=purchase,
            changes={"unit": unit.code, "overdraft": str(missing), "available": str(available)},
            reason=reason,
        )
    _post(purchase, unit, by, reason=reason)
    return purchase


@transaction.atomic
def purchase_reject(*, purchase: Purchase, by, reason: str) -> Purchase:
    """An advisor refuses a queued purchase (not the cooperative's, a duplicate…), with why."""
    if not getattr(by, "is_staff", False):
        raise PermissionDenied(_("Only an advisor can reject a purchase."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is rejected.")})
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    if purchase.status != Purchase.Status.TO_MATCH:
        raise ValidationError(_("This purchase is not waiting for a unit any more."))
    purchase.status = Purchase.Status.REJECTED
    purchase.save(update_fields=["status"])
    audit_log(actor=by, action="purchase.rejected", obj=purchase, reason=reason)
    return purchase
