"""The calendars of declared days: mine (every unit), and a unit's (every worker), a month at
a time, with Belgium's public holidays and the weekends."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import parse_month
from payroll.workers.calendar import belgian_holidays, worker_calendar
from payroll.workers.invitation_services import worker_invitation_accept
from payroll.workers.worker_services import unit_holder_worker
from tests.workers_helpers import declare_day, invite_zoe, zoe_identity

pytestmark = pytest.mark.django_db

JULY = {"month": "2026-07"}


@pytest.fixture
def alice_worker(alice, alice_3en1):
    return unit_holder_worker(alice_3en1, by=alice)


@pytest.fixture
def zoe(alice, alice_3en1):
    return worker_invitation_accept(
        invitation=invite_zoe(alice_3en1, alice),
        identity=zoe_identity(),
        password="Lumiere-sur-scene-2026",
    )


def _day(content: str, day: str) -> str:
    """The HTML of one day's cell."""
    match = re.search(rf'<li class="([^"]*)" data-date="{day}">(.*?)</li>', content, re.S)
    assert match, f"no cell for {day}"
    return f"{match.group(1)}|{match.group(2)}"


def test_belgian_public_holidays_are_named_in_the_language_asked():
    july = {"start": date(2026, 7, 1), "end": date(2026, 7, 31)}
    assert belgian_holidays(**july, language="fr") == {date(2026, 7, 21): "Fête nationale"}
    assert belgian_holidays(**july, language="nl") == {date(2026, 7, 21): "Nationale feestdag"}
    assert belgian_holidays(**july, language="en") == {date(2026, 7, 21): "National Day"}
    april = belgian_holidays(start=date(2026, 4, 1), end=date(2026, 4, 30), language="fr")
    assert april[date(2026, 4, 6)] == "Lundi de Pâques"


def test_a_month_is_parsed_or_refused_naming_the_field():
    today = date(2026, 3, 17)
    assert parse_month("2026-07", default=today) == date(2026, 7, 1)
    assert parse_month("", default=today) == date(2026, 3, 1)
    for bad in ("2026-13", "July", "2026-7", "0001-01"):
        with pytest.raises(Exception) as refused:
            parse_month(bad, default=today)
        assert "month" in refused.value.message_dict


def test_my_calendar_shows_my_days_the_holiday_and_the_weekend(
    alice_client, alice_worker, alice_3en1, alice_activity
):
    declare_day(alice_worker, alice_3en1, date(2026, 7, 20), hours="7.5", function="Régie son")
    declare_day(alice_worker, alice_activity, date(2026, 7, 22), function="Montage")
    declare_day(alice_worker, alice_3en1, date(2026, 7, 23), function="Annulé", cancelled=True)
    declare_day(alice_worker, alice_3en1, date(2026, 8, 3), function="Festival d'été")

    response = alice_client.get(reverse("portal:workers_calendar"), JULY)

    assert response.status_code == 200
    content = response.content.decode()
    monday = _day(content, "2026-07-20")
    assert "worked" in monday and "7,50 h" in monday  # French by default and "Régie son" in monday
    assert "UP-0001" in monday
    assert "UP-0002" in _day(content, "2026-07-22")
    national_day = _day(content, "2026-07-21")
    assert "holiday" in national_day and "Fête nationale" in national_day
    assert "worked" not in national_day
    assert "weekend" in _day(content, "2026-07-18") and "weekend" in _day(content, "2026-07-19")
    assert "weekend" not in monday
    assert "Annulé" not in content  # cancelled days are not shown
    assert "Festival d" not in content  # 3 August: after the weeks of July
    assert 'href="?month=2026-06"' in content and 'href="?month=2026-08"' in content
    assert "15,50" in content  # 7.5 + 8 hours declared in July, shown in French
    assert len(response.context["calendar"].worked_days) == 2


def test_the_calendar_follows_the_visitors_language(alice_client, alice_worker):
    response = alice_client.get(reverse("portal:workers_calendar"), JULY, HTTP_ACCEPT_LANGUAGE="nl")
    assert "Nationale feestdag" in response.content.decode()


def test_the_month_is_this_month_by_default_and_a_bad_one_is_a_400(alice_client, alice_worker):
    today = timezone.localdate()
    response = alice_client.get(reverse("portal:workers_calendar"))
    assert response.context["calendar"].month == today.replace(day=1)
    response = alice_client.get(reverse("portal:workers_calendar"), {"month": "2026-13"})
    assert response.status_code == 400
    assert "AAAA-MM" in response.content.decode()  # French, the default: "YYYY-MM"


def test_a_member_who_never_worked_sees_an_empty_calendar_saying_why(bob_client):
    response = bob_client.get(reverse("portal:workers_calendar"), JULY)
    assert response.status_code == 200
    content = response.content.decode()
    assert "empty-state" in content and "Fête nationale" in content


def test_the_worker_calendar_selector_counts_the_month_only(alice_worker, alice_3en1):
    declare_day(alice_worker, alice_3en1, date(2026, 6, 29))  # in July's first week, not July
    declare_day(alice_worker, alice_3en1, date(2026, 7, 1), hours="4")
    month = worker_calendar(
        worker=alice_worker, month=date(2026, 7, 1), today=date(2026, 7, 1), language="fr"
    )
    assert month.weeks[0][0].date == date(2026, 6, 29)  # weeks start on Monday
    assert [day.date for day in month.worked_days] == [date(2026, 7, 1)]
    assert str(month.total_hours) == "4.00"
    assert month.holidays == {date(2026, 7, 21): "Fête nationale"}


def test_the_unit_calendar_shows_every_workers_days_to_the_holder(
    alice_client, alice_worker, zoe, alice_3en1, alice_activity
):
    declare_day(zoe, alice_3en1, date(2026, 7, 20), function="Éclairagiste")
    declare_day(alice_worker, alice_3en1, date(2026, 7, 20), function="Régie son")
    declare_day(alice_worker, alice_activity, date(2026, 7, 24), function="Autre unité")

    response = alice_client.get(reverse("portal:workers_unit_calendar", args=[alice_3en1.pk]), JULY)

    assert response.status_code == 200
    content = response.content.decode()
    monday = _day(content, "2026-07-20")
    assert "Zoé Martin" in monday and "Éclairagiste" in monday
    assert "Alice Lambert" in monday and "Régie son" in monday
    assert "Autre unité" not in content


def test_the_invited_worker_sees_their_days_and_not_the_holders(client, zoe, alice_worker):
    declare_day(zoe, zoe.units.get().unit, date(2026, 7, 20), function="Éclairagiste")
    declare_day(alice_worker, zoe.units.get().unit, date(2026, 7, 21), function="Régie son")
    client.force_login(zoe.user)
    content = client.get(reverse("portal:workers_calendar"), JULY).content.decode()
    assert "Éclairagiste" in content and "Régie son" not in content


def test_my_days_export_as_an_icalendar_file(alice_client, alice_worker, alice_3en1):
    day = timezone.localdate()
    declare_day(alice_worker, alice_3en1, day, function="Régie son")
    response = alice_client.get(reverse("portal:workers_calendar_ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"DTSTART;VALUE=DATE:{day:%Y%m%d}" in body
    assert "Régie son" in body


def test_the_api_gives_my_days_and_the_holidays_of_a_month(alice_client, alice_worker, alice_3en1):
    declare_day(alice_worker, alice_3en1, date(2026, 7, 20), hours="7.5", function="Régie son")
    response = alice_client.get(reverse("api:my-calendar"), JULY)
    assert response.status_code == 200
    data = response.json()
    assert (data["month"], data["previous"], data["next"]) == ("2026-07", "2026-06", "2026-08")
    assert data["total_hours"] == "7.50"
    assert data["holidays"] == [{"date": "2026-07-21", "name": "Fête nationale"}]
    assert [(d["date"], d["hours"], d["unit_code"]) for d in data["days"]] == [
        ("2026-07-20", "7.50", "UP-0001")
    ]
    refused = alice_client.get(reverse("api:my-calendar"), {"month": "juillet"})
    assert refused.status_code == 400
    assert "month" in refused.json()
