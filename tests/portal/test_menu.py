"""The main menu offers only what applies: a member without a unit is not offered invoices,
quotes, clients, declarations, expenses or accounts, and is told on the home what to do first;
an invited worker sees their calendar and pay only. One rule, `portal.menu.menu_entries_for`."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payroll.models import Worker
from portal.menu import menu_entries_for
from tests.factories.production_units import ProductionUnitFactory
from tests.pay_helpers import invited_worker

pytestmark = pytest.mark.django_db

EVERYTHING = [
    "home", "clients", "quotes", "invoices", "work", "calendar", "accounts", "expenses", "pay",
    "shares", "assemblies",
]  # fmt: skip
UNIT_ENTRIES = {"clients", "quotes", "invoices", "work", "accounts", "expenses"}


def keys(**facts) -> list[str]:
    return [entry.key for entry in menu_entries_for(**facts)]


def test_a_unit_holder_gets_every_entry_in_order():
    assert keys(is_member=True, holds_unit=True, is_worker=False) == EVERYTHING


def test_a_member_without_unit_gets_no_unit_entry_nor_calendar_or_pay():
    assert keys(is_member=True, holds_unit=False, is_worker=False) == [
        "home",
        "shares",
        "assemblies",
    ]


def test_a_member_without_unit_who_worked_for_a_unit_keeps_calendar_and_pay():
    assert keys(is_member=True, holds_unit=False, is_worker=True) == [
        "home",
        "calendar",
        "pay",
        "shares",
        "assemblies",
    ]


def test_a_worker_who_is_not_a_member_gets_calendar_and_pay_only():
    assert keys(is_member=False, holds_unit=False, is_worker=True) == ["calendar", "pay"]


def test_an_account_neither_member_nor_worker_gets_no_entry():
    assert keys(is_member=False, holds_unit=False, is_worker=False) == []


def menu_of(response) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', response.content.decode(), re.S)
    return re.findall(r'data-menu="(\w+)"', nav.group(0)) if nav else []


def test_alice_who_holds_units_sees_the_whole_menu_and_the_current_page(alice_client):
    response = alice_client.get(reverse("portal:invoice_list"))
    assert menu_of(response) == EVERYTHING
    assert re.search(r'data-menu="invoices" aria-current="page"', response.content.decode())
    assert 'aria-controls="site-menu"' in response.content.decode()


def test_bob_without_unit_sees_no_unit_entry_and_the_home_says_what_to_do_first(bob_client, bob):
    response = bob_client.get(reverse("portal:home"))
    assert response.status_code == 200
    listed = menu_of(response)
    assert listed[0] == "home"
    assert not UNIT_ENTRIES & set(listed)
    content = response.content.decode()
    assert 'id="no-unit"' in content
    advisor = bob.member.advisor
    assert advisor is not None
    assert f'href="mailto:{advisor.email}"' in content


def test_an_invited_worker_sees_calendar_and_pay(client):
    worker = invited_worker()
    worker.user = get_user_model().objects.create_user(
        email="chloe@example.test", password="x-long-password-1"
    )
    worker.save()
    client.force_login(worker.user)
    response = client.get(reverse("portal:workers_calendar"))
    assert response.status_code == 200
    assert menu_of(response) == ["calendar", "pay"]


def test_the_menu_follows_a_unit_opened_or_removed_and_a_worker_added(bob_client, bob, claire):
    home = reverse("portal:home")
    assert not UNIT_ENTRIES & set(menu_of(bob_client.get(home)))
    # Served again from the cache: no query on the units nor the workers.
    with CaptureQueriesContext(connection) as queries:
        assert not UNIT_ENTRIES & set(menu_of(bob_client.get(reverse("portal:membership_shares"))))
    read = " ".join(query["sql"] for query in queries)
    assert f'"{Worker._meta.db_table}"' not in read

    unit = ProductionUnitFactory(by=claire, holder=bob.member)
    assert set(menu_of(bob_client.get(home))) >= UNIT_ENTRIES

    unit.delete()
    assert not UNIT_ENTRIES & set(menu_of(bob_client.get(home)))

    worker = invited_worker()
    worker.user = bob
    worker.save()
    assert {"calendar", "pay"} <= set(menu_of(bob_client.get(home)))
