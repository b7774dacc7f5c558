"""The membership figures of a year (yearly report, CNC report), against computations done
here by hand or independently of the selectors."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from devtools.demo import national_number
from members.demo_shares import ensure_demo_shares
from members.exit_services import member_exit
from members.models import Member, ShareRegisterEntry
from members.selectors import documents_to_accept, yearly_figures
from members.services import (
    application_approve,
    application_refuse,
    application_submit,
    member_create,
)
from members.share_payment_services import share_payment_record, shares_subscribe
from members.share_services import member_category_change

pytestmark = pytest.mark.django_db

D = Decimal
SERIALS = iter(range(100, 999))


def person(by, name, since, born, category="A"):
    return member_create(
        by=by,
        category=category,
        first_name=name,
        last_name="Figures",
        national_number=national_number(born, next(SERIALS)),
        birth_date=born,
        member_since=since,
        iban="BE71096123456769",
    )


def subscribe(member, shares, on, by, paid=None):
    entry = shares_subscribe(member=member, shares=shares, by=by, on=on)
    amount = entry.amount if paid is None else D(paid)
    if amount:
        share_payment_record(target=entry, amount=amount, paid_on=on, by=by)
    return entry


def paper_application(by, name, born, submitted_on, shares=2):
    return application_submit(
        by=by,
        on=submitted_on,
        email=f"{name.lower()}@figures.test",
        first_name=name,
        last_name="Applicant",
        national_number=national_number(born, next(SERIALS)),
        birth_date=born,
        gender="X",
        street="Rue 1",
        postal_code="5000",
        city="Namur",
        iban="BE71096123456769",
        category="C",
        shares=shares,
        accepted_documents=documents_to_accept(category="C", on=submitted_on),
    )


@pytest.fixture
def year_2024(claire):
    a1 = person(claire, "Anne", date(2019, 5, 1), date(1980, 6, 15))
    subscribe(a1, 2, date(2019, 5, 1), claire)
    subscribe(a1, 3, date(2024, 3, 1), claire, paid="60.00")
    a2 = person(claire, "Arno", date(2024, 2, 10), date(1995, 12, 31))
    subscribe(a2, 1, date(2024, 2, 10), claire)
    b = person(claire, "Bea", date(2021, 1, 1), date(1970, 1, 1), category="B")
    subscribe(b, 4, date(2021, 1, 1), claire)
    c = member_create(
        by=claire,
        category="C",
        is_organisation=True,
        organisation_name="Coopérative Amie",
        member_since=date(2022, 7, 1),
    )
    subscribe(c, 10, date(2022, 7, 1), claire)
    changer = person(claire, "Chloé", date(2022, 1, 1), date(2000, 2, 29))
    subscribe(changer, 1, date(2022, 1, 1), claire)
    member_category_change(member=changer, category="B", by=claire, on=date(2024, 10, 1))
    resigned = person(claire, "Rémi", date(2020, 1, 1), date(1960, 3, 3))
    subscribe(resigned, 2, date(2020, 1, 1), claire)
    member_exit(member=resigned, by=claire, kind="resignation", on=date(2024, 5, 1))
    excluded = person(claire, "Xavier", date(2023, 1, 1), date(1990, 7, 7))
    subscribe(excluded, 1, date(2023, 1, 1), claire)
    member_exit(
        member=excluded,
        by=claire,
        kind="exclusion",
        on=date(2024, 9, 1),
        decision_reference="CA-2024-09",
        reason="Statuts",
    )
    earlier = person(claire, "Emile", date(2018, 1, 1), date(1975, 5, 5))
    subscribe(earlier, 1, date(2018, 1, 1), claire)
    member_exit(member=earlier, by=claire, kind="resignation", on=date(2023, 6, 1))
    later = person(claire, "Lina", date(2025, 1, 10), date(1999, 9, 9))
    subscribe(later, 1, date(2025, 1, 10), claire)
    approved = paper_application(claire, "Paula", date(1985, 8, 20), date(2024, 3, 15))
    share_payment_record(target=approved, amount=D("60.00"), paid_on=date(2024, 3, 20))
    application_approve(application=approved, by=claire, on=date(2024, 4, 1))
    for name, submitted, decided in [
        ("Quentin", date(2024, 1, 5), date(2024, 1, 20)),
        ("Rosa", date(2024, 11, 2), date(2024, 12, 31)),
        ("Sven", date(2023, 12, 1), date(2023, 12, 15)),
    ]:
        refused = paper_application(claire, name, date(1988, 1, 1), submitted)
        application_refuse(application=refused, by=claire, reason="Incomplet", on=decided)


def test_yearly_figures_match_the_figures_worked_out_by_hand(year_2024):
    figures = yearly_figures(2024)
    # On 31 December 2024: Anne 5 (30 € unpaid), Arno 1, Bea 4 (B), Coopérative Amie 10 (C),
    # Chloé 1 (B since October), Paula 2 (C, admitted 1 April). Rémi and Xavier left, Emile
    # in 2023, Lina joins in 2025.
    assert figures.joined == 2  # Arno, Paula
    assert figures.refused == 2  # Quentin, Rosa (Sven in 2023)
    assert (figures.resigned, figures.excluded, figures.deceased) == (1, 1, 0)
    assert figures.members == 6
    assert figures.members_by_category == {"A": 2, "B": 2, "C": 2}
    assert figures.shares == 23
    assert figures.equity == D("690.00")
    assert figures.paid_up_equity == D("660.00")
    assert figures.average_shares == D("3.83")  # 23 / 6
    assert figures.average_amount == D("115.00")  # 690 / 6
    assert figures.maximum_shares == 10
    assert figures.shares_refunded == 3  # Rémi 2, Xavier 1
    assert figures.amount_refunded == D("90.00")
    # Completed years on 31 December 2024: 5 + 0 + 3 + 2 + 2 + 0 = 12, over 6 members.
    assert figures.average_seniority == D("2.0")
    # Ages of the five people (the organisation has none): 44, 29, 54, 24, 39 → 190 / 5.
    assert figures.average_age == D("38.0")
    assert figures.voters == 6


def test_a_year_with_nothing_gives_zeros():
    figures = yearly_figures(2010)
    assert (figures.members, figures.shares, figures.equity) == (0, 0, D("0"))
    assert figures.average_shares == D("0.00") and figures.average_age == D("0.0")
    assert figures.members_by_category == {"A": 0, "B": 0, "C": 0}


def _independent_figures(year):
    """Members and shares on 31 December from the raw rows, without the selectors."""
    end = date(year, 12, 31)
    held, nominal, category = Counter(), Counter(), {}
    for entry in ShareRegisterEntry.objects.order_by("date", "id"):
        if entry.date <= end:
            held[entry.member_id] += entry.shares
            nominal[entry.member_id] += entry.amount
            category[entry.member_id] = entry.category
    counted = [
        member
        for member in Member.objects.all()
        if member.member_since
        and member.member_since <= end
        and (member.left_on is None or member.left_on > end)
        and held[member.pk] > 0
    ]
    return {
        "members": len(counted),
        "by_category": Counter(category[m.pk] for m in counted),
        "shares": sum(held[m.pk] for m in counted),
        "equity": sum((nominal[m.pk] for m in counted), D("0")),
        "joined": sum(
            1 for m in Member.objects.all() if m.member_since and m.member_since.year == year
        ),
        "ages": [
            end.year - m.birth_date.year  # on 31 December, this year's birthday has passed
            for m in counted
            if m.birth_date
        ],
    }


def test_yearly_figures_on_the_demo_data_match_an_independent_computation(
    alice, bob, denis, admin_user
):
    ensure_demo_shares(by=admin_user)
    for year in (2019, 2024, 2025):
        figures = yearly_figures(year)
        expected = _independent_figures(year)
        assert figures.members == expected["members"]
        assert figures.shares == expected["shares"]
        assert figures.equity == expected["equity"]
        assert figures.joined == expected["joined"]
        assert {k: v for k, v in figures.members_by_category.items() if v} == dict(
            expected["by_category"]
        )
        ages = expected["ages"]
        average_age = (D(sum(ages)) / len(ages)).quantize(D("0.1")) if ages else D("0.0")
        assert figures.average_age == average_age
    # 2025: Denis 10, Alice 3, Bob 3 (one paid: he votes too).
    assert (yearly_figures(2025).shares, yearly_figures(2025).voters) == (16, 3)
