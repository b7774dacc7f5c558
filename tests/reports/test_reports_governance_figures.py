"""The board's governance, portal and expense figures against a small known history: an
ordinary assembly with its participations by channel, board mandates started, ending and
ended, ethics cases and meetings, portal login days. Each expected value is worked out
here from the history, not from the selectors."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from governance.models import EthicsCase, EthicsMeeting, GeneralAssembly, Mandate, Participation
from reports.figures import Scope, compute
from reports.figures import base as figures_base
from reports.models import PortalLoginDay
from tests import reports_helpers as h

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)
# (how, start, end of term, ended on, reason)
MANDATES = {
    "Alma": ("elected", date(2023, 6, 1), date(2027, 6, 1), None, ""),
    "Boris": ("coopted", date(2025, 3, 1), date(2026, 6, 30), None, ""),
    "Carla": ("elected", date(2025, 6, 17), date(2029, 6, 17), None, ""),
    "Dirk": ("elected", date(2022, 6, 1), date(2028, 6, 1), date(2025, 9, 1), "resignation"),
    "Elsa": ("elected", date(2019, 6, 1), date(2025, 6, 17), date(2025, 6, 17), "term"),
}
# channel: how many members took part that way in the 2025 assembly
CHANNELS = {"online": 5, "in_person": 2, "proxy": 1}
ROLL = 20
# (received, published)
CASES = [
    (date(2025, 3, 1), date(2025, 5, 1)),
    (date(2025, 11, 1), None),
    (date(2024, 12, 1), date(2025, 2, 1)),
]
MEETINGS = [date(2024, 11, 5), date(2025, 1, 10), date(2025, 4, 2), date(2025, 10, 20)]
LOGINS = {date(2025, 3, 1): (10, 7), date(2025, 3, 2): (4, 3), date(2024, 3, 1): (2, 2)}


@pytest.fixture
def every_group(monkeypatch):
    monkeypatch.setattr(figures_base, "MIN_GROUP", 1)


@pytest.fixture
def history(db):
    for name, (how, start, end, ended_on, reason) in MANDATES.items():
        person = h.member(name, since=date(2015, 1, 1), born=date(1970, 1, 1))
        Mandate.objects.create(
            member=person, how=how, start=start, end=end, ended_on=ended_on, end_reason=reason
        )
    opens = datetime(2025, 6, 3, 9, tzinfo=UTC)
    assembly = GeneralAssembly.objects.create(
        kind="ordinary",
        title="AG 2025",
        date=date(2025, 6, 17),
        notice_date=date(2025, 5, 16),
        record_date=date(2025, 5, 1),
        voting_opens_at=opens,
        voting_closes_at=opens + timedelta(days=14),
        status="closed",
        roll_size=ROLL,
    )
    voters = (f"{channel}{i}" for channel, n in CHANNELS.items() for i in range(n))
    for channel, n in CHANNELS.items():
        for _ in range(n):
            person = h.member(next(voters), since=date(2020, 1, 1), born=date(1980, 1, 1))
            Participation.objects.create(
                assembly=assembly, member=person, channel=channel, day=date(2025, 6, 17)
            )
    for received, published in CASES:
        EthicsCase.objects.create(
            received_on=received,
            subject="case",
            confidential_text="…",
            published_at=datetime.combine(published, datetime.min.time(), UTC)
            if published
            else None,
        )
    for day in MEETINGS:
        EthicsMeeting.objects.create(date=day)
    for day, (logins, members) in LOGINS.items():
        PortalLoginDay.objects.create(day=day, logins=logins, members=members)


def blocks(key, year=2025):
    return {b.key: b.rows for b in compute(key, year=year, today=TODAY, scope=Scope()).blocks}


def headline(rows):
    return {row[0]: row[1] for row in rows}


def in_force(day):
    return [
        name
        for name, (_how, start, end, ended_on, _r) in MANDATES.items()
        if start <= day < (ended_on or end)
    ]


def test_assembly_participation_by_channel(history, every_group):
    (row,) = blocks("governance")["governance_assemblies"]
    took_part = sum(CHANNELS.values())
    assert row == [
        "AG 2025",
        ROLL,
        took_part,
        CHANNELS["online"],
        CHANNELS["in_person"],
        CHANNELS["proxy"],
        Decimal(100 * took_part / ROLL).quantize(Decimal("0.1")),
    ]


def test_board_and_mandates(history):
    board = headline(blocks("governance")["governance_board"])
    end = date(2025, 12, 31)
    now = in_force(end)
    assert board["Board members"] == len(now) == 3
    assert board["of whom co-opted"] == sum(MANDATES[n][0] == "coopted" for n in now)
    assert board["Mandates ending within a year"] == sum(
        end < MANDATES[n][2] <= end + timedelta(days=365) for n in now
    )
    started = [n for n, m in MANDATES.items() if m[1].year == 2025]
    assert board["Elected in the period"] == sum(MANDATES[n][0] == "elected" for n in started)
    assert board["Co-opted in the period"] == sum(MANDATES[n][0] == "coopted" for n in started)
    assert board["Mandates ended early"] == sum(
        1 for m in MANDATES.values() if m[3] and m[3].year == 2025 and m[4] != "term"
    )


def test_ethics_committee(history):
    ethics = headline(blocks("governance")["governance_ethics"])
    assert ethics["Cases received"] == sum(received.year == 2025 for received, _p in CASES)
    assert ethics["Opinions published"] == sum(bool(p and p.year == 2025) for _r, p in CASES)
    assert ethics["Meetings"] == sum(day.year == 2025 for day in MEETINGS)


def test_portal_logins(history):
    portal = {row[0]: row[1:3] for row in blocks("portal")["portal"]}
    this = [v for day, v in LOGINS.items() if day.year == 2025]
    last = [v for day, v in LOGINS.items() if day.year == 2024]
    assert portal["Logins"] == [sum(v[0] for v in this), sum(v[0] for v in last)]
    assert portal["Logins on the busiest day"][0] == max(v[0] for v in this)
