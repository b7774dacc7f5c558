"""Helpers of the workers' tests: an invitation, an invitee's identity, declared days."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from devtools.demo import national_number
from payroll.models import ContractType, WorkDay
from payroll.workers.invitation_services import WorkerIdentity, worker_invite

ZOE_EMAIL = "zoe.martin@example.org"
ZOE_BIRTH = date(1995, 3, 8)
ZOE_NUMBER = national_number(ZOE_BIRTH, 42)
ZOE_IBAN = "BE21001234567803"
ZOE_PASSWORD = "Lumiere-sur-scene-2026"


def invite_zoe(unit, by, **overrides):
    fields = {"email": ZOE_EMAIL, "first_name": "Zoé", "last_name": "Martin"} | overrides
    return worker_invite(unit=unit, by=by, **fields)


def accept_url(invitation) -> str:
    return reverse("portal:workers_invitation_accept", kwargs={"token": invitation.token})


def zoe_form(**overrides) -> dict:
    data = {
        "first_name": "Zoé",
        "last_name": "Martin",
        "national_number": ZOE_NUMBER,
        "birth_date": ZOE_BIRTH.isoformat(),
        "iban": "BE21 0012 3456 7803",
        "street": "Rue des Bouchers 3",
        "postal_code": "1000",
        "city": "Bruxelles",
        "country": "BE",
        "password": ZOE_PASSWORD,
        "password_confirm": ZOE_PASSWORD,
    }
    return data | overrides


def zoe_identity(**overrides) -> WorkerIdentity:
    fields = {
        "first_name": "Zoé",
        "last_name": "Martin",
        "national_number": ZOE_NUMBER,
        "birth_date": ZOE_BIRTH,
        "iban": ZOE_IBAN,
        "street": "Rue des Bouchers 3",
        "postal_code": "1000",
        "city": "Bruxelles",
    } | overrides
    return WorkerIdentity(**fields)


def declare_day(worker, unit, day: date, *, hours="8", function="Sound engineer", **fields):
    """A declared day, written with the ORM (what jobs and declarations produce)."""
    return WorkDay.objects.create(
        worker=worker,
        unit=unit,
        date=day,
        hours=Decimal(hours),
        function=function,
        contract_type=ContractType.objects.order_by("code").first(),
        **fields,
    )
