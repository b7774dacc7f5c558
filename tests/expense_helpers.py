"""Shared pieces of the expense-claim tests: receipts as uploads, alice's claims."""

from datetime import date, timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payroll.expenses.services import expense_claim_submit
from payroll.models import ExpenseCategory
from payroll.workers.worker_services import unit_holder_worker

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def jpeg(name="ticket.jpg"):
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def pdf(name="facture.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def category(code="material") -> ExpenseCategory:
    return ExpenseCategory.objects.get(code=code)


def recent_day() -> date:
    """A day of this year in the past (the deadline of this year's claims is next year)."""
    today = timezone.localdate()
    return max(today - timedelta(days=3), date(today.year, 1, 1))


def alice_claim(alice, unit, *, amount="25.00", vat="4.34", **extra):
    """A claim alice files for herself on one of her units, with a JPEG receipt."""
    fields = {
        "unit": unit,
        "worker": unit_holder_worker(unit, by=alice),
        "category": category(),
        "spent_on": recent_day(),
        "description": "Câbles XLR",
        "amount": Decimal(amount),
        "vat": Decimal(vat),
        "receipt": jpeg(),
        "by": alice,
    }
    fields.update(extra)
    return expense_claim_submit(**fields)


def with_mfa(user):
    """A staff user with a TOTP authenticator, as if enrolled (the back-office asks for it)."""
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    return user
