"""Who reaches the board's dashboards and exports (the board and admin everything, an advisor
their own office's sections only, members and anonymous visitors nothing), the computation on
demand, the exports, the portal login counter and the governance figures' small groups."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from governance.models import GeneralAssembly, Participation
from members.models import Office
from reports.figures import SECTIONS, Scope, compute
from reports.figures.base import SUPPRESSED
from reports.models import FigureSnapshot, PortalLoginDay
from tests import reports_helpers as h
from tests.conftest import _with_mfa

pytestmark = pytest.mark.django_db

OFFICE_SECTIONS = [key for key, section in SECTIONS.items() if section.by_office]
WHOLE_COOPERATIVE = [key for key, section in SECTIONS.items() if not section.by_office]


def urls(query=""):
    pages = [reverse("reports:index")]
    pages += [reverse("reports:section", args=[key]) for key in SECTIONS]
    pages += [
        reverse("reports:export", args=[key, fmt]) for key in SECTIONS for fmt in ("csv", "xlsx")
    ]
    return [page + query for page in pages]


@pytest.fixture
def denis_client(client, denis):
    client.force_login(_with_mfa(denis))
    return client


def test_anonymous_visitors_are_sent_to_the_login(client):
    for url in urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    assert client.post(reverse("reports:compute")).status_code == 302


def test_members_are_refused(bob_client):
    for url in urls():
        assert bob_client.get(url).status_code == 403, url
    assert bob_client.post(reverse("reports:compute")).status_code == 403


def test_the_board_and_the_admin_see_every_page(denis_client, admin_client):
    for client in (denis_client, admin_client):
        for url in urls():
            assert client.get(url).status_code == 200, url


def test_an_advisor_sees_their_own_office_only(claire_client, claire):
    own, other = claire.office, Office.objects.exclude(pk=claire.office_id).first()
    for key in OFFICE_SECTIONS:
        for url in (
            reverse("reports:section", args=[key]),
            reverse("reports:export", args=[key, "csv"]),
            reverse("reports:export", args=[key, "xlsx"]),
        ):
            assert claire_client.get(url).status_code == 200, url
            assert claire_client.get(f"{url}?office={own.pk}").status_code == 200, url
            assert claire_client.get(f"{url}?office={other.pk}").status_code == 403, url
    for key in WHOLE_COOPERATIVE:
        for url in (
            reverse("reports:section", args=[key]),
            reverse("reports:export", args=[key, "csv"]),
            reverse("reports:export", args=[key, "xlsx"]),
        ):
            assert claire_client.get(url).status_code == 403, url
    assert claire_client.get(f"{reverse('reports:index')}?office={other.pk}").status_code == 403
    assert claire_client.post(f"{reverse('reports:compute')}?office={other.pk}").status_code == 403


def test_a_fresh_database_says_how_to_compute_and_the_button_computes(
    denis_client, django_capture_on_commit_callbacks
):
    page = denis_client.get(reverse("reports:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert b"No figures have been computed" in page.content
    assert b"Compute the figures now" in page.content
    year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        response = denis_client.post(f"{reverse('reports:compute')}?year={year}")
    assert response.status_code == 302
    run_page = denis_client.get(response["Location"])
    assert run_page.status_code == 200
    assert FigureSnapshot.objects.filter(year=year, office=None).count() == len(SECTIONS)
    page = denis_client.get(reverse("reports:section", args=["units"]), HTTP_ACCEPT_LANGUAGE="en")
    assert b"computed on" in page.content
    assert b"<svg" in page.content and b"<table>" in page.content
    assert b"Active unit: at least one issued invoice" in page.content
    # Computing again replaces the snapshots.
    with django_capture_on_commit_callbacks(execute=True):
        denis_client.post(f"{reverse('reports:compute')}?year={year}")
    assert FigureSnapshot.objects.filter(year=year, office=None).count() == len(SECTIONS)


def test_an_advisor_s_computation_is_of_their_office(
    claire_client, claire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = claire_client.post(reverse("reports:compute"))
    assert response.status_code == 302
    snapshots = FigureSnapshot.objects.all()
    assert {s.office_id for s in snapshots} == {claire.office_id}
    assert {s.figure for s in snapshots} == set(OFFICE_SECTIONS)


def test_the_export_has_the_page_s_numbers(denis_client):
    ana = h.member("Ana", since=date(2020, 1, 1), born=date(1990, 1, 1))
    unit = h.unit(ana, "U1")
    h.invoice(unit, h.client("Client"), date(2025, 3, 1), "1234.50")
    csv = denis_client.get(
        reverse("reports:export", args=["units", "csv"]) + "?year=2025", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "Production units,Turnover excl. VAT (€),This year,1234.50" in text
    assert "Production units,Active units,This year,1" in text
    xlsx = denis_client.get(
        reverse("reports:export", args=["units", "xlsx"]) + "?year=2025", HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Figure", "Row", "Column", "Value"]
    assert any(row[3] == 1234.5 for row in values[1:])


def test_portal_logins_are_counted_per_day_without_who(client, alice, bob, denis):
    client.force_login(alice)
    client.force_login(alice)
    client.force_login(bob)
    client.force_login(denis)  # staff: not a portal login
    today = PortalLoginDay.objects.get(day=timezone.localdate())
    assert (today.logins, today.members) == (3, 2)
    rows = {
        row[0]: row[1]
        for row in compute(
            "portal", year=timezone.localdate().year, today=timezone.localdate(), scope=Scope()
        )
        .blocks[0]
        .rows
    }
    assert rows["Logins"] == 3


def test_assembly_channels_under_ten_people_are_not_shown(db):
    now = timezone.now()
    assembly = GeneralAssembly.objects.create(
        kind="ordinary",
        title="AG 2025",
        date=date(2025, 6, 17),
        notice_date=date(2025, 5, 1),
        record_date=date(2025, 5, 1),
        voting_opens_at=now,
        voting_closes_at=now + timedelta(days=1),
        status="closed",
        roll_size=20,
    )
    for index in range(13):
        person = h.member(f"Voter{index}", since=date(2020, 1, 1), born=date(1980, 1, 1))
        channel = Participation.Channel.ONLINE if index < 11 else Participation.Channel.IN_PERSON
        Participation.objects.create(
            assembly=assembly, member=person, channel=channel, day=date(2025, 6, 17)
        )
    rows = compute("governance", year=2025, today=date(2026, 1, 1), scope=Scope()).blocks[0].rows
    assert rows == [["AG 2025", 20, 13, 11, SUPPRESSED, 0, SUPPRESSED]]
