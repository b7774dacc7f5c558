"""Rows for the payout tests: workers, payout lines, refunds and expense claims, written
directly (the services that create them in real life belong to other areas)."""

from datetime import date
from decimal import Decimal

from lxml import etree

from core.encryption import lookup_hash
from devtools.demo import national_number
from members.models import Member, RefundPayout
from payroll.models import ExpenseCategory, ExpenseClaim, PayoutLine, Worker

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
SMARTCOOP_IBAN = "BE15068211111130"  # members migration 0002
SMARTCOOP_BIC = "GKCCBEBB"
IBAN_A = "BE71096123456769"
IBAN_B = "BE62510007547061"
IBAN_C = "BE43068999999501"


def make_worker(first_name="Elise", last_name="Dupont", iban=IBAN_A, serial=41) -> Worker:
    number = national_number(date(1990, 5, 17), serial)
    worker, _created = Worker.objects.get_or_create(
        national_number_hash=lookup_hash(number),
        defaults={
            "national_number": number,
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{first_name.lower()}@example.test",
            "iban": iban,
        },
    )
    return worker


def make_line(*, amount, due_on, kind=PayoutLine.Kind.SALARY_ADVANCE, worker=None, **fields):
    worker = worker or make_worker()
    values = {
        "kind": kind,
        "worker": worker,
        "beneficiary": str(worker),
        "iban": worker.iban,
        "amount": Decimal(amount),
        "remittance": f"{kind} {worker}",
        "due_on": due_on,
    }
    values.update(fields)
    return PayoutLine.objects.create(**values)


def make_refund(member_user, *, amount="60.00", status=RefundPayout.Status.PENDING):
    member = Member.objects.get(user=member_user)
    return RefundPayout.objects.create(
        member=member,
        amount=Decimal(amount),
        beneficiary=member.display_name,
        iban=IBAN_C,
        remittance=f"Remboursement parts {member.number}",
        status=status,
        paid_on=date(2026, 1, 5) if status == RefundPayout.Status.PAID else None,
    )


def make_claim(unit, worker, created_by, *, amount="42.10", status=ExpenseClaim.Status.APPROVED):
    return ExpenseClaim.objects.create(
        unit=unit,
        worker=worker,
        category=ExpenseCategory.objects.order_by("pk").first(),
        spent_on=date(2026, 2, 3),
        description="Train Bruxelles-Liège",
        amount=Decimal(amount),
        status=status,
        created_by=created_by,
    )


def parse(content: bytes):
    return etree.fromstring(content)


def text(root, path: str) -> str:
    return root.findtext(path, namespaces=NS)


def transactions(root) -> list[dict]:
    rows = []
    for tx in root.iterfind(".//p:CdtTrfTxInf", NS):
        rows.append(
            {
                "end_to_end": tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
                "amount": Decimal(tx.findtext("p:Amt/p:InstdAmt", namespaces=NS)),
                "currency": tx.find("p:Amt/p:InstdAmt", NS).get("Ccy"),
                "name": tx.findtext("p:Cdtr/p:Nm", namespaces=NS),
                "iban": tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
                "remittance": tx.findtext("p:RmtInf/p:Ustrd", namespaces=NS),
            }
        )
    return rows
