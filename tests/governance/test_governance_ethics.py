"""The ethics committee: three members, cases whose text only the committee reads (never the
board, an advisor or a superuser, in the portal or the back-office), published opinions, the
yearly figures of the cooperative-principles report."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core import roles
from core.audit import audit_trail
from core.models import AuditEvent
from governance.ethics_services import (
    ethics_case_opinion_publish,
    ethics_case_receive,
    ethics_meeting_record,
    ethics_term_record,
    ethics_term_update,
    ethics_year_figures,
    is_ethics_committee,
)
from governance.models import EthicsCase, EthicsCommitteeTerm, EthicsMeeting
from members.models import User
from tests.conftest import _with_mfa
from tests.governance_helpers import person_member

pytestmark = pytest.mark.django_db

CONFIDENTIAL = "Zorglub a harcelé un client"
NOTES = "Délibération sur Zorglub"


@pytest.fixture
def helene(admin_user):
    """A committee member with a staff account (she works in the back-office)."""
    user = User.objects.create_user(email="helene@example.test", password="x", is_staff=True)
    member = person_member(admin_user, "Hélène", "Dupont", user=user)
    ethics_term_record(member=member, start=date(2024, 1, 1), user_access=user, by=admin_user)
    return _with_mfa(User.objects.get(pk=user.pk))


@pytest.fixture
def case(helene):
    received = ethics_case_receive(
        received_on=date(2024, 3, 12),
        subject="Relations avec un client",
        confidential_text=CONFIDENTIAL,
        by=helene,
    )
    return ethics_case_opinion_publish(
        case=received, opinion="Le comité recommande une charte.", by=helene
    )


@pytest.fixture
def meeting(helene):
    return ethics_meeting_record(day=date(2024, 4, 2), notes=NOTES, by=helene)


def test_only_the_committee_records_cases(denis, admin_user):
    for user in (denis, admin_user):
        with pytest.raises(PermissionDenied):
            ethics_case_receive(
                received_on=date(2024, 3, 12), subject="x", confidential_text="y", by=user
            )


def test_the_access_follows_the_term_and_the_account(helene):
    assert is_ethics_committee(helene, date(2024, 1, 1))
    assert not is_ethics_committee(helene, date(2023, 12, 31))
    helene.is_active = False
    helene.save()
    assert not is_ethics_committee(helene, date(2024, 6, 1))


def test_the_committee_has_three_members_at_most(admin_user, helene):
    for name in ("Karim", "Lise"):
        ethics_term_record(
            member=person_member(admin_user, name, "Membre"), start=date(2024, 1, 1), by=admin_user
        )
    with pytest.raises(ValidationError, match="3 members"):
        ethics_term_record(
            member=person_member(admin_user, "Quatre", "Membre"),
            start=date(2025, 1, 1),
            by=admin_user,
        )


def test_the_yearly_figures_count_cases_received_and_meetings(helene, case, meeting):
    ethics_meeting_record(day=date(2024, 9, 1), by=helene)
    ethics_meeting_record(day=date(2025, 1, 15), by=helene)
    assert ethics_year_figures(2024) == (1, 2)
    cases, meetings = ethics_year_figures(2025)
    assert (cases, meetings) == (0, 1)


def test_the_published_opinion_is_in_the_portal_without_the_case(bob_client, case):
    page = bob_client.get(reverse("portal:governance_ethics")).content.decode()
    assert "Le comité recommande une charte." in page
    assert CONFIDENTIAL not in page


def test_nothing_confidential_goes_to_the_audit_trail(case, meeting):
    assert [e.action for e in audit_trail(case)] == [
        "ethics_case.opinion_published",
        "ethics_case.received",
    ]
    for event in AuditEvent.objects.all():
        assert "Zorglub" not in f"{event.changes} {event.reason} {event.object_repr}"


def _admin_pages(case, meeting):
    return [
        reverse("admin:governance_ethicscase_changelist"),
        reverse("admin:governance_ethicscase_change", args=[case.pk]),
        reverse("admin:governance_ethicscase_history", args=[case.pk]),
        reverse("admin:governance_ethicsmeeting_changelist"),
        reverse("admin:governance_ethicsmeeting_change", args=[meeting.pk]),
        reverse("admin:index"),
        reverse("admin:core_auditevent_changelist"),
    ]


@pytest.mark.parametrize("who", ["claire", "denis", "admin_user"])
def test_the_confidential_text_never_shows_to_someone_outside_the_committee(
    request, client, case, meeting, who
):
    user = request.getfixturevalue(who)
    client.force_login(_with_mfa(user))
    for url in _admin_pages(case, meeting):
        response = client.get(url)
        assert response.status_code in (200, 403), url
        assert "Zorglub" not in response.content.decode(), url
    if who != "claire":  # claire has no member profile: no portal
        page = client.get(reverse("portal:governance_ethics")).content.decode()
        assert "Zorglub" not in page


@pytest.mark.parametrize("who", ["denis", "admin_user"])
def test_the_list_cannot_be_filtered_on_the_confidential_text(request, client, case, who):
    """A filter in the URL would tell, case by case, whether the text contains a word."""
    client.force_login(_with_mfa(request.getfixturevalue(who)))
    url = reverse("admin:governance_ethicscase_changelist")
    for lookup in ("confidential_text__contains", "confidential_text__startswith"):
        response = client.get(url, {lookup: "Zorglub"})
        assert response.status_code == 400
        assert "Relations avec un client" not in response.content.decode()


def test_the_committee_reads_the_text_in_the_back_office(client, helene, case, meeting):
    client.force_login(helene)
    page = client.get(reverse("admin:governance_ethicscase_change", args=[case.pk]))
    assert page.status_code == 200
    assert CONFIDENTIAL in page.content.decode()
    notes = client.get(reverse("admin:governance_ethicsmeeting_change", args=[meeting.pk]))
    assert NOTES in notes.content.decode()


def test_the_committee_records_a_case_in_the_back_office(client, helene):
    client.force_login(helene)
    response = client.post(
        reverse("admin:governance_ethicscase_add"),
        {"received_on": "12/03/2024", "subject": "Un sujet", "confidential_text": "Le texte"},
    )
    assert response.status_code == 302
    case = EthicsCase.objects.get()
    assert (case.subject, case.confidential_text) == ("Un sujet", "Le texte")
    assert [e.action for e in audit_trail(case)] == ["ethics_case.received"]


def test_the_board_cannot_record_a_case_or_a_meeting(client, denis):
    client.force_login(_with_mfa(denis))
    assert client.get(reverse("admin:governance_ethicscase_add")).status_code == 403
    assert client.get(reverse("admin:governance_ethicsmeeting_add")).status_code == 403
    assert not EthicsMeeting.objects.exists()


def test_the_board_names_and_ends_terms_in_the_back_office(client, denis, admin_user, helene):
    client.force_login(_with_mfa(denis))
    karim = person_member(admin_user, "Karim", "El Idrissi")
    response = client.post(
        reverse("admin:governance_ethicscommitteeterm_add"),
        {"member": karim.pk, "start": "01/01/2024", "end": "", "user_access": ""},
    )
    assert response.status_code == 302
    term = EthicsCommitteeTerm.objects.get(member=karim)
    response = client.post(
        reverse("admin:governance_ethicscommitteeterm_change", args=[term.pk]),
        {"end": "31/12/2025", "user_access": ""},
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.end == date(2025, 12, 31)
    assert [e.action for e in audit_trail(term)] == [
        "ethics_term.updated",
        "ethics_term.recorded",
    ]


def test_a_fourth_member_is_refused_in_the_back_office(client, denis, admin_user, helene):
    client.force_login(_with_mfa(denis))
    for name in ("Karim", "Lise"):
        ethics_term_record(
            member=person_member(admin_user, name, "Membre"), start=date(2024, 1, 1), by=denis
        )
    fourth = person_member(admin_user, "Quatre", "Membre")
    response = client.post(
        reverse("admin:governance_ethicscommitteeterm_add"),
        {"member": fourth.pk, "start": "01/06/2025", "end": "", "user_access": ""},
    )
    assert response.status_code == 400
    assert not EthicsCommitteeTerm.objects.filter(member=fourth).exists()


def test_the_search_does_not_look_into_the_confidential_text(client, denis, case):
    client.force_login(_with_mfa(denis))
    url = reverse("admin:governance_ethicscase_changelist")
    assert list(client.get(url, {"q": "Zorglub"}).context["cl"].result_list) == []
    assert list(client.get(url, {"q": "Relations"}).context["cl"].result_list) == [case]


def test_a_term_gives_the_committee_pages_and_its_end_takes_them_back(helene, admin_user):
    assert helene.groups.filter(name=roles.ETHICS).exists()
    term = EthicsCommitteeTerm.objects.get(user_access=helene)
    ethics_term_update(term=term, end=date(2025, 12, 31), user_access=helene, by=admin_user)
    assert not helene.groups.filter(name=roles.ETHICS).exists()
