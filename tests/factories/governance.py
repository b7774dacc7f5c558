"""General assemblies (governance.services.assembly_create), as the board prepares them."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from governance.models import GeneralAssembly
from governance.services.assemblies import assembly_create
from tests.factories.base import ServiceFactory
from tests.factories.members import BoardMemberFactory

BRUSSELS = ZoneInfo("Europe/Brussels")


class GeneralAssemblyFactory(ServiceFactory):
    """A draft ordinary assembly of 18 June 2026 in Brussels, online vote from 4 June."""

    class Meta:
        model = GeneralAssembly

    by = factory.SubFactory(BoardMemberFactory)
    kind = GeneralAssembly.Kind.ORDINARY
    title = factory.Sequence(lambda n: f"AG {n}")
    date = dt.date(2026, 6, 18)
    place = "Bruxelles"
    notice_date = dt.date(2026, 5, 15)
    record_date = dt.date(2026, 5, 1)
    voting_opens_at = dt.datetime(2026, 6, 4, 9, 0, tzinfo=BRUSSELS)
    voting_closes_at = dt.datetime(2026, 6, 18, 12, 0, tzinfo=BRUSSELS)

    @classmethod
    def service(cls, **fields):
        return assembly_create(**fields)
