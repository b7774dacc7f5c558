"""Production units (production_units.services.unit_open)."""

from datetime import date
from decimal import Decimal

import factory

from members.models import LegalEntity
from production_units.models import LedgerEntry, ProductionUnit, Sector
from production_units.services import ledger_post, unit_open
from tests.factories.base import ServiceFactory
from tests.factories.members import MemberFactory


class ProductionUnitFactory(ServiceFactory):
    """An Activité unit of a new member (pass `holder=` a Member, `tool=` for a 3en1 unit);
    `balance=` an amount puts that much in its ledger (a manual adjustment, with its reason)."""

    class Meta:
        model = ProductionUnit

    by = None
    holder = factory.SubFactory(MemberFactory)
    code = factory.Sequence(lambda n: f"UP-F{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Unité {o.code}")
    tool = ProductionUnit.Tool.ACTIVITY
    sector = factory.LazyFunction(lambda: Sector.objects.get(code="musique-chanson"))
    legal_entity = factory.LazyFunction(lambda: LegalEntity.objects.get(code="smartcoop"))
    opened_on = date(2025, 1, 1)
    balance = None

    @classmethod
    def service(cls, *, balance, **fields):
        unit = unit_open(**fields)
        if balance:
            ledger_post(
                unit=unit,
                kind=LedgerEntry.Kind.ADJUSTMENT,
                amount=Decimal(balance),
                booked_on=fields["opened_on"],
                label="Opening balance",
                by=fields["by"],
                reason="Test: the unit's opening balance",
            )
        return unit
