"""The contract as a PDF, in the worker's language, in the legal entity's name."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.pdf import render_html_to_pdf
from members.pdf import document_language
from payroll.models import Contract
from payroll.parameters import contract_parameters


def contract_language(contract: Contract) -> str:
    member = contract.worker.member
    return document_language(member.preferred_language if member else None)


def hourly_rate(contract: Contract) -> Decimal | None:
    """The gross hourly rate of a contract: its gross over its hours, to the cent."""
    if not contract.hours:
        return None
    return (contract.gross / contract.hours).quantize(Decimal("0.01"), ROUND_HALF_UP)


def render_contract_pdf(contract: Contract) -> bytes:
    language = contract_language(contract)
    with translation.override(language):
        parameters = contract_parameters(contract.contract_type.code, contract.start_date)
        html = render_to_string(
            "payroll/pdf/contract.html",
            {
                "title": _("Employment contract"),
                "language": language,
                "cooperative": contract.legal_entity,
                "contract": contract,
                "worker": contract.worker,
                "days": list(contract.work_days.order_by("date")),
                "parameters": parameters,
                "hourly_rate": hourly_rate(contract),
            },
        )
    return render_html_to_pdf(html)


def contract_pdf_store(*, contract: Contract) -> Contract:
    """Render and store the contract's PDF once (idempotent: a stored PDF is kept, the
    document the worker accepted never changes)."""
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.pdf:
            return contract
        content = render_contract_pdf(contract)
        contract.pdf.save(f"{contract.reference}.pdf", ContentFile(content), save=False)
        contract.save(update_fields=["pdf"])
    return contract
