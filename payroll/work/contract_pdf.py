"""The contract as a PDF, in the worker's language, in the legal entity's name: the joint
committee whose agreements apply, the place and the time of work, the pay."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.pdf import render_html_to_pdf
from members.pdf import document_language
from payroll.models import Contract, JointCommittee
from payroll.parameters import contract_parameters


def contract_language(contract: Contract) -> str:
    member = contract.worker.member
    return document_language(member.preferred_language if member else None)


def hourly_rate(contract: Contract) -> Decimal | None:
    """The gross hourly rate of a contract: its gross over its hours, to the cent."""
    if not contract.hours:
        return None
    return (contract.gross / contract.hours).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _address(street: str, postal_code: str, city: str) -> str:
    return f"{street}, {postal_code} {city}".strip(", ")


def place_of_work(contract: Contract) -> str:
    """Where the work is done, in the active language: the place the member gave, else the
    client's address (a 3en1 job is done for a client), else the unit holder's address,
    else the employer's seat."""
    if contract.place_of_work:
        return contract.place_of_work
    if contract.job_id is not None:
        client = contract.job.client
        return _("At the client's: %(client)s, %(address)s") % {
            "client": client.name,
            "address": _address(client.street, client.postal_code, client.city),
        }
    holder = contract.unit.holder
    if holder.street and holder.city:
        return _address(holder.street, holder.postal_code, holder.city)
    employer = contract.legal_entity
    return _address(employer.street, employer.postal_code, employer.city)


def joint_committee(contract: Contract) -> str:
    """The joint committee's label in the active language (the contract's, else its type's
    for a contract made before it was recorded)."""
    code = contract.joint_committee or contract.contract_type.joint_committee
    return str(JointCommittee(code).label)


def render_contract_pdf(contract: Contract) -> bytes:
    language = contract_language(contract)
    with translation.override(language):
        parameters = contract_parameters(contract.contract_type.code, contract.start_date)
        html = render_to_string(
            "payroll/pdf/contract.html",
            {
                "title": (
                    _("Employment contract of indefinite duration")
                    if contract.contract_type.is_open_ended
                    else _("Fixed-term employment contract")
                ),
                "language": language,
                "cooperative": contract.legal_entity,
                "contract": contract,
                "worker": contract.worker,
                "days": list(contract.work_days.order_by("date")),
                "parameters": parameters,
                "hourly_rate": hourly_rate(contract),
                "joint_committee": joint_committee(contract),
                "place_of_work": place_of_work(contract),
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
