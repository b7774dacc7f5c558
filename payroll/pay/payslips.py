"""The payslip PDF: rendered once from the payslip as computed (its amounts and its lines),
in the worker's language (their member file's preferred language; French otherwise)."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from core.audit import audit_log
from core.pdf import render_html_to_pdf
from members.notifications import kinds as notice
from members.notifications.services import notify
from payroll.models import ContractType, Payslip, Worker, WorkerCategory

TEMPLATE = "payroll/pdf/payslip.html"
# The lines of a payslip that detail a contract's days: the month's, and the arrears (days of
# an earlier month paid by this payslip).
CONTRACT_KINDS = ("contract", "arrears")


DETAIL = "portal:pay_payslip_detail"


def worker_language(worker: Worker) -> str:
    """The language of a worker's documents: their member file's, else the default."""
    codes = {code for code, _name in settings.LANGUAGES}
    member = worker.member if worker.member_id else None
    language = getattr(member, "preferred_language", "") or ""
    return language if language in codes else settings.LANGUAGE_CODE


def employers(lines: list[dict]) -> list[dict]:
    """The distinct employers (legal entities) of a payslip's contracts, in order."""
    seen: dict[str, dict] = {}
    for line in lines:
        if line.get("kind") in CONTRACT_KINDS:
            seen.setdefault(
                line["enterprise_number"],
                {"name": line["employer"], "enterprise_number": line["enterprise_number"]},
            )
    return list(seen.values())


def _day(value: str | date) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def contract_type_label(line: dict) -> str:
    """The contract type of a payslip line in the active language: by its code (kept since
    the lines store it), else by the stored name of an older payslip (the name itself when no
    type has it any more)."""
    code = line.get("contract_type_code")
    kind = (
        ContractType(code=code, name=line["contract_type"])
        if code
        else ContractType.objects.filter(name=line["contract_type"]).first()
    )
    return kind.label if kind is not None else line["contract_type"]


def _contract_line(line: dict) -> dict:
    days = [
        {
            **day,
            # Stored as ISO text in the payslip's lines: a date again, for the page's format.
            "date": _day(day["date"]),
            **{
                k: Decimal(day[k])
                for k in (
                    "hours", "gross", "employer_charges", "employee_social_security",
                    "employer_charges_rate", "employee_ss_rate", "employee_ss_base_percent",
                )
            },
        }
        for day in line["days"]
    ]  # fmt: skip
    amounts = ("gross", "employer_charges", "employee_social_security")
    # The worker category whose contributions the charges are (none: the contract type's flat
    # rate, or a payslip of before the categories).
    category = line.get("worker_category") or ""
    label = WorkerCategory(category).label if category in WorkerCategory.values else ""
    return {
        **line,
        "days": days,
        "contract_type_label": contract_type_label(line),
        "worker_category_label": label,
        **{k: Decimal(line[k]) for k in amounts},
    }


def payslip_context(payslip: Payslip) -> dict:
    """What a payslip page or document shows: the contract lines with decimals, the arrears
    (per month of work: its contracts and their total), the withholding rate, the employers,
    the payslip a negative balance is brought forward from / carried forward to."""
    contracts = []
    arrears: dict[str, dict] = {}
    withholding: dict[str, object] = {"rate": None, "piece_work": False}
    for line in payslip.lines:
        if line.get("kind") == "withholding":
            withholding = {"rate": Decimal(line["rate"]), "piece_work": line["piece_work"]}
        elif line.get("kind") == "arrears":
            month = arrears.setdefault(
                line["month"],
                {
                    "month": date.fromisoformat(f"{line['month']}-01"),
                    "contracts": [],
                    "gross": Decimal("0.00"),
                },
            )
            month["contracts"].append(_contract_line(line))
            month["gross"] += Decimal(line["gross"])
        elif line.get("kind") == "contract":
            contracts.append(_contract_line(line))
    carried_to = Payslip.objects.filter(brought_forward_from=payslip).only("pk", "period").first()
    return {
        "payslip": payslip,
        "worker": payslip.worker,
        "contracts": contracts,
        "arrears": [arrears[key] for key in sorted(arrears)],
        "withholding_rate": withholding["rate"],
        "piece_work": withholding["piece_work"],
        "employers": employers(payslip.lines),
        "brought_forward_from": payslip.brought_forward_from,
        "carried_to": carried_to,
    }


def render_payslip_pdf_bytes(payslip: Payslip) -> bytes:
    payslip = Payslip.objects.select_related("worker__member").get(pk=payslip.pk)
    language = worker_language(payslip.worker)
    with translation.override(language):
        html = render_to_string(TEMPLATE, {**payslip_context(payslip), "language": language})
    return render_html_to_pdf(html)


def payslip_pdf_render(*, payslip: Payslip) -> Payslip:
    """Write the payslip's PDF if not written yet (idempotent: a written file is kept)."""
    if Payslip.objects.filter(pk=payslip.pk).exclude(pdf="").exists():
        return Payslip.objects.get(pk=payslip.pk)
    content = render_payslip_pdf_bytes(payslip)  # slow: outside the lock
    with transaction.atomic():
        payslip = Payslip.objects.select_for_update().get(pk=payslip.pk)
        if payslip.pdf:
            return payslip
        name = f"payslip-{payslip.period:%Y-%m}-{payslip.worker_id}.pdf"
        payslip.pdf.save(name, ContentFile(content), save=False)
        payslip.save(update_fields=["pdf"])
        audit_log(actor=None, action="payslip.pdf_rendered", obj=payslip, changes={"file": name})
        month = f"{payslip.period:%Y-%m}"
        notify(
            payslip.worker,
            notice.PAYSLIP_AVAILABLE,
            url=DETAIL,
            pk=payslip.pk,
            params={"month": month},
        )
    return payslip
