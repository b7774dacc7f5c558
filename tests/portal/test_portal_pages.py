"""What the member portal shows: home, unit page with its ledger and CSV, clients, layout."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.templatetags.portal import format_money, money
from invoicing.models import Client
from production_units.models import LedgerEntry, ProductionUnit
from production_units.services import ledger_post

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"

# The demo ledger of devtools/demo.py, written out again here so that the expected
# balances do not come from the code under test.
DEMO_ACTIVITY_AMOUNTS = ["2400.00", "-156.00", "-312.40", "-1200.00"]  # UP-0002
DEMO_3EN1_AMOUNTS = ["500.00", "-32.50"]  # UP-0001


def _total(amounts):
    return sum((Decimal(a) for a in amounts), Decimal("0.00"))


def _speak(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _unit_card(content, code):
    match = re.search(rf'<li class="card" data-unit="{code}">(.*?)</li>', content, re.S)
    assert match, f"no card for {code}"
    return match.group(1)


def _entry_rows(content):
    return re.findall(r'<tr data-entry="(\d+)">', content)


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _post_entries(unit, by, count, kind=LedgerEntry.Kind.TURNOVER, start=date(2026, 11, 1)):
    for i in range(count):
        ledger_post(
            unit=unit,
            kind=kind,
            amount=Decimal("1.00"),
            booked_on=start + timedelta(days=i),
            label=f"extra {i}",
            by=by,
        )


# Home


def test_home_shows_alices_two_units_with_their_exact_balances(alice_client):
    assert _total(DEMO_ACTIVITY_AMOUNTS) == Decimal("731.60")
    assert _total(DEMO_3EN1_AMOUNTS) == Decimal("467.50")
    content = _speak(alice_client, "fr").get(reverse("portal:home")).content.decode()
    activity = _unit_card(content, "UP-0002")
    three = _unit_card(content, "UP-0001")
    assert f"731,60{NBSP}€" in activity
    assert f"467,50{NBSP}€" in three
    assert "Atelier Lambert — formations" in activity
    assert "Activité" in activity
    assert "3en1" in three
    assert 'id="no-unit"' not in content


def test_home_lists_unverified_clients_but_not_verified_ones_under_attention(alice_client):
    content = alice_client.get(reverse("portal:home")).content.decode()
    attention = content.split('id="attention"', 1)[1]
    ecole = Client.objects.get(name="Ecole des Arts Gent")
    assert reverse("portal:client_detail", args=[ecole.pk]) in attention
    assert "Théâtre de la Place" not in attention


def test_home_flags_a_unit_whose_balance_is_negative(
    alice_client, alice_3en1, alice_activity, claire
):
    ledger_post(
        unit=alice_3en1,
        kind=LedgerEntry.Kind.PURCHASE,
        amount=Decimal("-500.00"),
        booked_on=date(2026, 11, 3),
        label="Sono",
        by=claire,
    )
    content = _speak(alice_client, "fr").get(reverse("portal:home")).content.decode()
    attention = content.split('id="attention"', 1)[1].split("</section>", 1)[0]
    assert reverse("portal:unit_detail", args=[alice_3en1.pk]) in attention
    assert f"-32,50{NBSP}€" in attention  # 467.50 - 500.00
    assert 'class="amount negative"' in _unit_card(content, "UP-0001")
    assert reverse("portal:unit_detail", args=[alice_activity.pk]) not in attention


def test_bob_without_unit_sees_what_to_do_and_who_his_advisor_is(bob_client):
    response = _speak(bob_client, "en").get(reverse("portal:home"))
    content = response.content.decode()
    assert response.status_code == 200
    empty = content.split('id="no-unit"', 1)[1]
    assert "You don't hold a production unit yet" in empty
    assert "Claire Conseil" in empty
    assert "mailto:claire@smartcoop.test" in empty
    assert 'id="units"' not in content


# Unit page and ledger


def test_unit_page_shows_its_balance_and_only_its_own_entries(alice_client, alice_activity):
    response = _speak(alice_client, "fr").get(
        reverse("portal:unit_detail", args=[alice_activity.pk])
    )
    content = response.content.decode()
    assert re.search(rf"data-balance>731,60{NBSP}€<", content)
    rows = _entry_rows(content)
    expected = LedgerEntry.objects.filter(unit=alice_activity).values_list("pk", flat=True)
    assert sorted(map(int, rows)) == sorted(expected)
    assert len(rows) == len(DEMO_ACTIVITY_AMOUNTS)
    assert "Concert 18 octobre" not in content  # an entry of the other unit


def test_ledger_is_paginated_by_25(alice_client, alice_3en1, claire):
    _post_entries(alice_3en1, claire, 30)
    url = reverse("portal:unit_detail", args=[alice_3en1.pk])
    first = alice_client.get(url).content.decode()
    second = alice_client.get(url, {"page": 2}).content.decode()
    assert len(_entry_rows(first)) == 25
    assert len(_entry_rows(second)) == 32 - 25
    assert not set(_entry_rows(first)) & set(_entry_rows(second))
    # Newest first: page 1 starts with the last day posted.
    assert "extra 29" in first.split("<tbody>", 1)[1].split("</tr>", 1)[0]


def test_pagination_keeps_the_filters(alice_client, alice_3en1, claire):
    _post_entries(alice_3en1, claire, 30)  # 30 turnover entries + 1 from the demo
    url = reverse("portal:unit_detail", args=[alice_3en1.pk])
    first = alice_client.get(url, {"kind": "turnover"}).content.decode()
    assert 'href="?kind=turnover&amp;page=2"' in first
    second = alice_client.get(url, {"kind": "turnover", "page": 2}).content.decode()
    assert len(_entry_rows(second)) == 31 - 25
    assert "Contribution mutualisée" not in second


@pytest.mark.parametrize("page", ["999", "abc", "-1", ""])
def test_an_out_of_range_or_garbled_page_number_is_not_an_error(alice_client, alice_3en1, page):
    url = reverse("portal:unit_detail", args=[alice_3en1.pk])
    response = alice_client.get(url, {"page": page})
    assert response.status_code == 200
    assert len(_entry_rows(response.content.decode())) == len(DEMO_3EN1_AMOUNTS)


def test_ledger_filters_by_kind_and_date_range(alice_client, alice_activity):
    url = reverse("portal:unit_detail", args=[alice_activity.pk])
    by_kind = alice_client.get(url, {"kind": "purchase"}).content.decode()
    assert len(_entry_rows(by_kind)) == 1
    assert "Matériel" in by_kind
    by_dates = alice_client.get(url, {"date_from": "2026-09-30", "date_to": "2026-10-02"})
    labels = re.findall(r'<td class="label">([^<]*)</td>', by_dates.content.decode())
    assert labels == ["Matériel", "Contribution mutualisée 6,5 %"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-13-45"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2026-10-02", "date_to": "2026-09-01"}, "date_to"),
        ({"kind": "bonus"}, "kind"),
    ],
)
def test_bad_ledger_filters_give_a_message_naming_the_field_not_an_error(
    alice_client, alice_activity, params, field
):
    url = reverse("portal:unit_detail", args=[alice_activity.pk])
    response = alice_client.get(url, params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'href="#id_{field}"' in response.content.decode()
    # The filters are not applied: the whole ledger is still shown.
    assert len(_entry_rows(response.content.decode())) == len(DEMO_ACTIVITY_AMOUNTS)

    csv_response = alice_client.get(
        reverse("portal:unit_ledger_csv", args=[alice_activity.pk]), params
    )
    assert csv_response.status_code == 400
    label = str(response.context["form"][field].label)
    assert csv_response.content.decode().startswith(f"{label}: ")


def test_csv_export_has_every_entry_oldest_first_with_exact_amounts(alice_client, alice_activity):
    response = _speak(alice_client, "en").get(
        reverse("portal:unit_ledger_csv", args=[alice_activity.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="UP-0002-ledger.csv"'
    header, *rows = _csv_rows(response)
    assert header == ["Date", "Kind", "Kind code", "Label", "Amount (EUR)"]
    assert [row[0] for row in rows] == ["05/09/2026", "30/09/2026", "02/10/2026", "15/10/2026"]
    assert [row[2] for row in rows] == [
        "turnover",
        "turnover_contribution",
        "purchase",
        "employment_cost",
    ]
    assert [row[4] for row in rows] == DEMO_ACTIVITY_AMOUNTS
    assert rows[1][3] == "Contribution mutualisée 6,5 %"
    assert _total(row[4] for row in rows) == Decimal("731.60")


def test_csv_export_applies_the_same_filters_as_the_page(alice_client, alice_activity):
    url = reverse("portal:unit_ledger_csv", args=[alice_activity.pk])
    _header, *by_kind = _csv_rows(alice_client.get(url, {"kind": "employment_cost"}))
    assert by_kind == [
        [
            "15/10/2026",
            str(LedgerEntry.Kind.EMPLOYMENT_COST.label),
            "employment_cost",
            "Salaire octobre",
            "-1200.00",
        ],
    ]
    _header, *by_dates = _csv_rows(
        alice_client.get(url, {"date_from": "2026-09-06", "date_to": "2026-10-14"})
    )
    assert [row[4] for row in by_dates] == ["-156.00", "-312.40"]
    _header, *none = _csv_rows(alice_client.get(url, {"date_from": "2027-01-01"}))
    assert none == []


def test_the_page_links_to_the_csv_with_its_filters(alice_client, alice_activity):
    url = reverse("portal:unit_detail", args=[alice_activity.pk])
    content = alice_client.get(url, {"kind": "purchase", "page": "1"}).content.decode()
    csv_url = reverse("portal:unit_ledger_csv", args=[alice_activity.pk])
    assert f'href="{csv_url}?kind=purchase"' in content


# Clients


def _client_ids(response):
    return {int(pk) for pk in re.findall(r'data-client="(\d+)"', response.content.decode())}


def test_client_list_shows_alices_clients_with_search_and_status_filter(alice_client):
    theatre = Client.objects.get(name="Théâtre de la Place")
    ecole = Client.objects.get(name="Ecole des Arts Gent")
    url = reverse("portal:client_list")
    assert _client_ids(alice_client.get(url)) == {theatre.pk, ecole.pk}
    assert _client_ids(alice_client.get(url, {"q": "arts"})) == {ecole.pk}
    assert _client_ids(alice_client.get(url, {"q": "nobody"})) == set()
    assert _client_ids(alice_client.get(url, {"status": "to_verify"})) == {ecole.pk}
    assert _client_ids(alice_client.get(url, {"status": "verified"})) == {theatre.pk}


def test_client_detail_shows_its_audit_history(alice_client):
    theatre = Client.objects.get(name="Théâtre de la Place")
    response = _speak(alice_client, "en").get(reverse("portal:client_detail", args=[theatre.pk]))
    history = response.content.decode().split('id="history-title"', 1)[1]
    assert [row["action"] for row in response.context["history"]] == [
        "verified by an advisor",
        "created",
    ]
    assert "Claire Conseil" in history
    assert "Alice Lambert" in history
    assert "0403170701" in history
    assert reverse("portal:client_edit", args=[theatre.pk]) not in response.content.decode()


def test_client_detail_shows_the_enterprise_number_formatted(alice_client):
    theatre = Client.objects.get(name="Théâtre de la Place")
    content = alice_client.get(reverse("portal:client_detail", args=[theatre.pk])).content
    assert "0403.170.701" in content.decode()


# Layout, language and allauth pages


def test_language_switch_renders_the_page_in_dutch(alice_client):
    home = reverse("portal:home")
    layout = alice_client.get(home).content.decode()
    assert f'action="{reverse("set_language")}"' in layout
    for code in ("fr", "nl", "en"):
        assert f'name="language" value="{code}"' in layout
    response = alice_client.post(reverse("set_language"), {"language": "nl", "next": home})
    assert response.status_code == 302
    assert response["Location"] == home
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    content = alice_client.get(home).content.decode()
    assert '<html lang="nl">' in content
    assert f"€{NBSP}731,60" in _unit_card(content, "UP-0002")


def test_layout_has_the_users_name_menu_mfa_and_a_post_logout(alice_client):
    content = alice_client.get(reverse("portal:home")).content.decode()
    assert "Alice Lambert" in content
    assert f'href="{reverse("portal:client_list")}"' in content
    assert f'href="{reverse("mfa_index")}"' in content
    assert re.search(rf'<form[^>]*method="post" action="{reverse("account_logout")}"', content)
    assert reverse("admin:index") not in content


def test_staff_get_a_link_to_the_back_office(claire_client):
    content = claire_client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in content


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_allauth_pages_use_the_portal_layout(client, name):
    content = client.get(reverse(name)).content.decode()
    assert "css/portal.css" in content
    assert '<html lang="fr">' in content
    assert f'action="{reverse("set_language")}"' in content


def test_mfa_settings_use_the_portal_layout(alice_client):
    response = alice_client.get(reverse("mfa_index"))
    assert response.status_code == 200
    assert "css/portal.css" in response.content.decode()


# The money filter


@pytest.mark.parametrize(
    ("amount", "language", "expected"),
    [
        ("1234.56", "fr", f"1{NBSP}234,56{NBSP}€"),
        ("1234.56", "nl", f"€{NBSP}1.234,56"),
        ("1234.56", "en", "€1,234.56"),
        ("-1234567.8", "fr", f"-1{NBSP}234{NBSP}567,80{NBSP}€"),
        ("-1234567.8", "nl", f"€{NBSP}-1.234.567,80"),
        ("-1234567.8", "en", "-€1,234,567.80"),
        ("0", "fr", f"0,00{NBSP}€"),
        ("999.995", "fr", f"1{NBSP}000,00{NBSP}€"),
        ("-0.004", "en", "€0.00"),
        ("731.600000000000", "fr", f"731,60{NBSP}€"),
    ],
)
def test_money_is_written_the_way_each_language_writes_it(amount, language, expected):
    assert format_money(Decimal(amount), language) == expected
    with translation.override(language):
        assert money(Decimal(amount)) == expected


def test_money_refuses_a_float():
    with pytest.raises(TypeError):
        format_money(1.5, "fr")


def test_money_of_nothing_is_empty():
    assert money(None) == ""


def test_unit_balance_stays_a_decimal(alice_3en1):
    balance = ProductionUnit.objects.with_balance().get(pk=alice_3en1.pk).balance
    assert isinstance(balance, Decimal)
