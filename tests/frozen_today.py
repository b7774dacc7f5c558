"""The fixture suppliers' invoices are dated October and November 2026; purchases can be
posted until the yearly deadline of the next January. Tests of the import itself pin "today"
for the purchase rules (invoicing.inbound) so that they don't start failing in 2027."""

from datetime import date

import pytest
from django.utils import timezone as django_timezone

FIXTURE_TODAY = date(2026, 11, 23)


class _PinnedTimezone:
    """django.utils.timezone, with localdate() pinned to FIXTURE_TODAY."""

    def __getattr__(self, name):
        return getattr(django_timezone, name)

    @staticmethod
    def localdate(*args, **kwargs):
        return FIXTURE_TODAY


@pytest.fixture(autouse=True)
def _purchases_today(monkeypatch):
    from invoicing import inbound

    monkeypatch.setattr(inbound, "timezone", _PinnedTimezone())
