"""The board's portal pages and back-office: composition, renewal, my candidacy (file, late,
refused by the limit, withdraw), the board's actions in the back-office, and the demo."""

import datetime
from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_trail
from devtools.demo_board import ensure_board_demo
from governance.board_services import candidacy_file
from governance.models import Candidacy, EthicsCase, EthicsCommitteeTerm, Mandate
from governance.selectors import board_on, pending_ratifications
from tests.conftest import _with_mfa
from tests.governance_helpers import assembly, mandate, person_member

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def board(admin_user, denis):
    """denis elected two years ago, Urbike through Renaud Sarrazin, and a co-opted member."""
    day = today()
    denis_mandate = mandate(denis.member, start=date(day.year - 2, 1, 10))
    urbike = person_member(admin_user, "", "", is_organisation=True, organisation_name="Urbike")
    urbike_mandate = mandate(
        urbike, start=date(day.year - 1, 1, 10), representative_name="Renaud Sarrazin"
    )
    coopted = mandate(
        person_member(admin_user, "Nadia", "Benali"),
        start=day - datetime.timedelta(days=30),
        years=1,
        how=Mandate.How.COOPTED,
        ratification=Mandate.Ratification.PENDING,
    )
    return denis_mandate, urbike_mandate, coopted


# --- the board page ---------------------------------------------------------------------------


def test_the_board_page_shows_the_composition_for_every_member(bob_client, board):
    denis_mandate, urbike_mandate, coopted = board
    page = bob_client.get(reverse("portal:governance_board")).content.decode()
    for row in board:
        assert f'data-mandate="{row.pk}"' in page
    assert "Denis Dubois" in page and "Urbike" in page and "Renaud Sarrazin" in page
    assert f"{denis_mandate.start:%d/%m/%Y}" in page and f"{denis_mandate.end:%d/%m/%Y}" in page
    assert 'data-ratification="pending"' in page


def test_the_board_page_shows_the_seats_to_elect_at_the_next_assembly(bob_client, board):
    denis_mandate, urbike_mandate, coopted = board
    ga = assembly(day=date(today().year + 1, 6, 15))
    page = bob_client.get(reverse("portal:governance_board")).content.decode()
    assert f"{ga.date:%d/%m/%Y}" in page
    # the co-opted member's term (one year) ends before the assembly; denis's 4-year one not.
    assert f'data-ending="{coopted.pk}"' in page
    assert f'data-ending="{denis_mandate.pk}"' not in page
    assert 'data-seats="1"' in page


# --- my candidacy -----------------------------------------------------------------------------


def test_a_member_files_a_candidacy_from_the_portal(alice_client, alice):
    response = alice_client.post(
        reverse("portal:governance_candidacy"), {"statement": "Je veux servir la coopérative"}
    )
    assert response.status_code == 302
    candidacy = Candidacy.objects.get(member=alice.member)
    assert (candidacy.status, candidacy.year) == (Candidacy.Status.FILED, today().year)
    page = alice_client.get(reverse("portal:governance_candidacy")).content.decode()
    assert f'data-candidacy="{candidacy.pk}"' in page
    assert 'name="statement"' not in page  # one candidacy per election


def test_a_late_candidacy_says_it_is_kept_for_next_year(alice_client, alice):
    ga = assembly(day=today() + datetime.timedelta(days=10))
    page = alice_client.get(reverse("portal:governance_candidacy")).content.decode()
    assert 'id="deadline"' in page and str(ga.date.year + 1) in page
    response = alice_client.post(
        reverse("portal:governance_candidacy"), {"statement": "Un peu tard"}, follow=True
    )
    candidacy = Candidacy.objects.get(member=alice.member)
    assert (candidacy.status, candidacy.year) == (Candidacy.Status.DEFERRED, ga.date.year + 1)
    (message,) = [str(m) for m in response.context["messages"]]
    assert str(ga.date.year + 1) in message


def test_the_deadline_is_shown_before_it_passes(alice_client):
    ga = assembly(day=today() + datetime.timedelta(days=60))
    deadline = ga.date - datetime.timedelta(days=30)
    page = alice_client.get(reverse("portal:governance_candidacy")).content.decode()
    assert f"{deadline:%d/%m/%Y}" in page


def test_the_limit_of_mandates_is_shown_on_the_form(alice_client, alice):
    mandate(alice.member, start=date(2012, 6, 12))
    mandate(alice.member, start=date(2016, 6, 14))
    response = alice_client.post(
        reverse("portal:governance_candidacy"), {"statement": "Encore"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "2 board mandate(s)" in response.content.decode()
    assert not Candidacy.objects.exists()


def test_an_organisation_must_name_its_representative(client, admin_user):
    from members.models import User

    user = User.objects.create_user(email="urbike@example.test", password="x")
    person_member(admin_user, "", "", is_organisation=True, organisation_name="Urbike", user=user)
    client.force_login(user)
    response = client.post(reverse("portal:governance_candidacy"), {"statement": "Mobilité"})
    assert response.status_code == 400
    assert not Candidacy.objects.exists()
    response = client.post(
        reverse("portal:governance_candidacy"),
        {"statement": "Mobilité", "representative_name": "Renaud Sarrazin"},
    )
    assert response.status_code == 302
    assert Candidacy.objects.get().representative_name == "Renaud Sarrazin"


def test_withdrawing_asks_for_confirmation(alice_client, alice):
    candidacy = candidacy_file(member=alice.member, statement="Je me présente", by=alice)
    url = reverse("portal:governance_candidacy_withdraw", args=[candidacy.pk])
    assert alice_client.get(url).status_code == 200
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.FILED
    assert alice_client.post(url).status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.WITHDRAWN
    assert alice_client.post(url).status_code == 400


# --- the back-office --------------------------------------------------------------------------


def _changelist(model):
    return reverse(f"admin:governance_{model._meta.model_name}_changelist")


@pytest.fixture
def denis_admin(client, denis):
    client.force_login(_with_mfa(denis))
    return client


def test_the_board_ends_a_mandate_then_coopts_on_the_seat(denis_admin, denis, admin_user, alice):
    seat = mandate(person_member(admin_user, "Marc", "Lejeune"), start=date(2023, 6, 13))
    url = _changelist(Mandate)
    end = {
        "action": "end_early",
        ACTION_CHECKBOX_NAME: [seat.pk],
        "apply": "1",
        "on": "01/10/2025",
        "reason": "resignation",
        "note": "Lettre du 15/09/2025",
    }
    assert denis_admin.post(url, end).status_code == 200  # the confirmation page
    assert denis_admin.post(url, {**end, "confirmed": "1"}).status_code == 302
    seat.refresh_from_db()
    assert (seat.ended_on, seat.end_reason) == (date(2025, 10, 1), "resignation")

    coopt = {
        "action": "coopt_on_vacant_seat",
        ACTION_CHECKBOX_NAME: [seat.pk],
        "apply": "1",
        "member": alice.member.number,
        "start": "15/11/2025",
        "reason": "CA du 15/11/2025",
    }
    assert denis_admin.post(url, coopt).status_code == 302
    coopted = Mandate.objects.get(replaces=seat)
    assert (coopted.member, coopted.end, coopted.recorded_by) == (alice.member, seat.end, denis)
    assert list(pending_ratifications()) == [coopted]


def test_an_advisor_reads_the_mandates_but_cannot_act(claire_client, admin_user):
    seat = mandate(person_member(admin_user, "Marc", "Lejeune"), start=date(2023, 6, 13))
    url = _changelist(Mandate)
    page = claire_client.get(url)
    assert page.status_code == 200
    assert "Marc Lejeune" in page.content.decode()
    assert 'value="end_early"' not in page.content.decode()
    claire_client.post(
        url,
        {
            "action": "end_early",
            ACTION_CHECKBOX_NAME: [seat.pk],
            "apply": "1",
            "on": "01/10/2025",
            "reason": "resignation",
            "note": "x",
            "confirmed": "1",
        },
    )
    seat.refresh_from_db()
    assert seat.ended_on is None


def test_the_board_changes_a_representative_with_a_reason(denis_admin, admin_user):
    urbike = person_member(admin_user, "", "", is_organisation=True, organisation_name="Urbike")
    seat = mandate(urbike, start=today() - datetime.timedelta(days=100), representative_name="A")
    response = denis_admin.post(
        _changelist(Mandate),
        {
            "action": "change_representative",
            ACTION_CHECKBOX_NAME: [seat.pk],
            "apply": "1",
            "name": "Lucie Verhaegen",
            "reason": "Lettre d'Urbike",
        },
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.representative_name == "Lucie Verhaegen"
    assert audit_trail(seat)[0].actor.email == "denis@smartcoop.test"


def test_the_board_refuses_a_candidacy_as_not_admissible(denis_admin, alice):
    candidacy = candidacy_file(member=alice.member, statement="Je me présente", by=alice)
    response = denis_admin.post(
        _changelist(Candidacy),
        {
            "action": "refuse_not_admissible",
            ACTION_CHECKBOX_NAME: [candidacy.pk],
            "apply": "1",
            "reason": "Parts non libérées",
        },
    )
    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert (candidacy.status, candidacy.reason) == ("refused", "Parts non libérées")


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_board_is_idempotent_and_denis_sits_on_it(denis):
    first = ensure_board_demo()
    counts = (
        Mandate.objects.count(),
        EthicsCase.objects.count(),
        EthicsCommitteeTerm.objects.count(),
    )
    ensure_board_demo()
    assert counts == (
        Mandate.objects.count(),
        EthicsCase.objects.count(),
        EthicsCommitteeTerm.objects.count(),
    )
    sitting = {m.member_id for m in board_on(today())}
    assert denis.member.pk in sitting
    assert first["mandates"]["denis"].how == Mandate.How.ELECTED
    assert first["mandates"]["marc"].end_reason == Mandate.EndReason.RESIGNATION
    assert first["mandates"]["nadia"].ratification == Mandate.Ratification.PENDING
    assert first["mandates"]["urbike"].representative_name == "Renaud Sarrazin"
    assert len(first["committee"]) == 3
    assert EthicsCase.objects.filter(published_at__isnull=False).count() == 1


@pytest.mark.parametrize("who", ["admin_user", "denis", "claire"])
def test_every_board_admin_page_opens_on_the_demo_rows(request, client, who):
    from governance.models import EthicsMeeting

    ensure_board_demo()
    client.force_login(_with_mfa(request.getfixturevalue(who)))
    for model in (Mandate, Candidacy, EthicsCommitteeTerm, EthicsCase, EthicsMeeting):
        assert client.get(_changelist(model)).status_code == 200, model
        row = model.objects.first()
        if row is not None:
            url = reverse(f"admin:governance_{model._meta.model_name}_change", args=[row.pk])
            assert client.get(url).status_code == 200, model
    term_add = client.get(reverse("admin:governance_ethicscommitteeterm_add")).status_code
    assert term_add == (403 if who == "claire" else 200)
