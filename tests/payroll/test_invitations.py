"""A unit holder invites someone to work for the unit; the invitee accepts through the
emailed link and gets an account, a worker file and the link to the unit."""

import re
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_trail
from devtools.demo import national_number
from members.models import User
from payroll.models import UnitWorker, Worker, WorkerInvitation
from payroll.workers.invitation_mail import INVITATION_VALID_DAYS, worker_invitation_send
from payroll.workers.invitation_services import (
    worker_invitation_accept,
    worker_invitation_revoke,
    worker_invitations_expire,
)
from payroll.workers.worker_services import unit_holder_worker, unit_worker_end, workers_of_unit
from production_units.services import unit_close
from tests.english import _english_pages  # noqa: F401 (an autouse fixture)
from tests.workers_helpers import (
    ZOE_EMAIL,
    ZOE_IBAN,
    ZOE_NUMBER,
    accept_url,
    declare_day,
    invite_zoe,
    zoe_form,
    zoe_identity,
)

pytestmark = pytest.mark.django_db

INVITE_FORM = {
    "first_name": "Zoé",
    "last_name": "Martin",
    "email": "Zoe.Martin@Example.org",
    "language": "nl",
}


def _accepted_zoe(alice, unit):
    invitation = invite_zoe(unit, alice)
    return worker_invitation_accept(
        invitation=invitation, identity=zoe_identity(), password="Lumiere-sur-scene-2026"
    )


# Inviting --------------------------------------------------------------------------------


def test_the_holder_invites_and_the_email_carries_the_link(
    alice_client, alice, alice_3en1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("portal:workers_invite", args=[alice_3en1.pk]), INVITE_FORM
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:workers_unit", args=[alice_3en1.pk])
    invitation = WorkerInvitation.objects.get(unit=alice_3en1)
    assert invitation.email == ZOE_EMAIL  # stored in lower case
    assert invitation.status == WorkerInvitation.Status.PENDING
    assert invitation.invited_by == alice
    assert len(invitation.token) >= 40
    assert invitation.expires_on == timezone.localdate() + timedelta(days=14)
    assert INVITATION_VALID_DAYS == 14
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ZOE_EMAIL]
    assert message.extra_headers["Content-Language"] == "nl"
    assert f"http://testserver{accept_url(invitation)}" in message.body
    assert alice_3en1.name in message.body
    assert audit_trail(invitation).filter(action="worker_invitation.created").exists()
    page = alice_client.get(reverse("portal:workers_unit", args=[alice_3en1.pk]))
    assert ZOE_EMAIL in page.content.decode()


def test_the_email_is_in_french_unless_another_language_is_asked(
    alice, alice_3en1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_zoe(alice_3en1, alice, language="de")
        invite_zoe(alice_3en1, alice, email="sam@example.org", language="en")
    assert [m.extra_headers["Content-Language"] for m in mail.outbox] == ["fr", "en"]


def test_bob_cannot_invite_for_alices_unit(bob_client, bob, alice_3en1):
    url = reverse("portal:workers_invite", args=[alice_3en1.pk])
    assert bob_client.post(url, INVITE_FORM).status_code == 404
    with pytest.raises(PermissionDenied):
        invite_zoe(alice_3en1, bob)
    assert not WorkerInvitation.objects.exists()


def test_the_advisor_following_the_unit_may_invite(claire, alice_3en1):
    assert invite_zoe(alice_3en1, claire).invited_by == claire


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"email": "ALICE@smartcoop.test"}, "email", "holder's own address"),
        ({"first_name": " "}, "first_name", "first name"),
        ({"last_name": ""}, "last_name", "last name"),
    ],
)
def test_a_refused_invitation_names_the_field(alice, alice_3en1, overrides, field, words):
    with pytest.raises(ValidationError) as refused:
        invite_zoe(alice_3en1, alice, **overrides)
    assert words in " ".join(refused.value.message_dict[field])
    assert not WorkerInvitation.objects.exists()


def test_a_second_pending_invitation_to_the_same_address_is_refused(
    alice_client, alice, alice_3en1
):
    invite_zoe(alice_3en1, alice)
    response = alice_client.post(
        reverse("portal:workers_invite", args=[alice_3en1.pk]), INVITE_FORM
    )
    assert response.status_code == 400
    assert "already waiting for an answer" in " ".join(response.context["form"].errors["email"])
    assert WorkerInvitation.objects.count() == 1


def test_an_expired_invitation_does_not_block_a_new_one(alice, alice_3en1):
    first = invite_zoe(alice_3en1, alice)
    WorkerInvitation.objects.filter(pk=first.pk).update(expires_on=date(2020, 1, 1))
    assert invite_zoe(alice_3en1, alice).pk != first.pk


def test_a_closed_unit_invites_nobody(alice, claire, alice_activity):
    unit_close(unit=alice_activity, by=claire, closed_on=timezone.localdate())
    alice_activity.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        invite_zoe(alice_activity, alice)
    assert "closed" in refused.value.message_dict["unit"][0]


def test_someone_already_working_for_the_unit_is_not_invited_again(alice, alice_3en1):
    _accepted_zoe(alice, alice_3en1)
    with pytest.raises(ValidationError) as refused:
        invite_zoe(alice_3en1, alice)
    assert "already works for this unit" in refused.value.message_dict["email"][0]


# Accepting -------------------------------------------------------------------------------


def test_an_anonymous_invitee_accepts_and_gets_account_worker_and_link(client, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    assert alice_3en1.name in page.content.decode()
    assert 'name="password"' in page.content.decode()

    response = client.post(accept_url(invitation), zoe_form())

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:workers_calendar")
    user = User.objects.get(email=ZOE_EMAIL)
    assert user.check_password("Lumiere-sur-scene-2026")
    assert not hasattr(user, "member")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (ZOE_EMAIL, True, True)
    worker = Worker.objects.get(user=user)
    assert (worker.first_name, worker.last_name) == ("Zoé", "Martin")
    assert worker.national_number == ZOE_NUMBER
    assert worker.iban == ZOE_IBAN  # compact form
    assert worker.birth_date == date(1995, 3, 8)
    assert worker.email == ZOE_EMAIL
    link = UnitWorker.objects.get(unit=alice_3en1, worker=worker)
    assert not link.is_holder and link.ended_on is None
    assert worker in workers_of_unit(alice_3en1)
    invitation.refresh_from_db()
    assert invitation.status == WorkerInvitation.Status.ACCEPTED
    assert invitation.worker == worker and invitation.accepted_at is not None
    assert audit_trail(invitation).filter(action="worker_invitation.accepted").exists()
    # Logged in as the new worker, who reaches the workers' pages without being a member.
    assert client.get(reverse("portal:workers_calendar")).status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk


def test_the_link_works_only_once(client, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    client.post(accept_url(invitation), zoe_form())
    client.logout()
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    assert 'id="invitation-gone"' in response.content.decode()
    assert User.objects.filter(email=ZOE_EMAIL).count() == 1


def test_a_national_number_known_under_another_name_is_refused(client, alice, bob, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    bob_number = national_number(date(1992, 11, 20), 33)
    Worker.objects.create(
        first_name="Bob",
        last_name="Bertrand",
        email="bob@smartcoop.test",
        national_number=bob_number,
        iban=ZOE_IBAN,
    )
    response = client.post(
        accept_url(invitation), zoe_form(national_number=bob_number, birth_date="1992-11-20")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["national_number"]
    assert "already known under another name" in " ".join(errors)
    assert not User.objects.filter(email=ZOE_EMAIL).exists()
    assert Worker.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.status == WorkerInvitation.Status.PENDING


def test_a_worker_known_under_the_same_name_is_linked_not_duplicated(alice, alice_3en1):
    known = Worker.objects.create(
        first_name="ZOE",
        last_name="martin",
        email="old@example.org",
        national_number=ZOE_NUMBER,
        iban=ZOE_IBAN,
    )
    worker = _accepted_zoe(alice, alice_3en1)
    assert worker.pk == known.pk
    assert worker.user.email == ZOE_EMAIL
    assert Worker.objects.count() == 1


def test_a_birth_date_that_contradicts_the_national_number_is_refused(client, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    response = client.post(accept_url(invitation), zoe_form(birth_date="1995-03-09"))
    assert response.status_code == 400
    assert "does not match" in response.context["form"].errors["birth_date"][0]
    assert not User.objects.filter(email=ZOE_EMAIL).exists()


def test_a_weak_password_is_refused_and_nothing_is_saved(client, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    response = client.post(
        accept_url(invitation), zoe_form(password="12345678", password_confirm="12345678")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(email=ZOE_EMAIL).exists()
    assert not Worker.objects.exists()


def test_an_expired_link_says_so_with_a_410(client, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    WorkerInvitation.objects.filter(pk=invitation.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    assert client.get(accept_url(invitation)).status_code == 410
    assert client.post(accept_url(invitation), zoe_form()).status_code == 410
    assert not User.objects.filter(email=ZOE_EMAIL).exists()
    with pytest.raises(ValidationError):
        worker_invitation_accept(invitation=invitation, identity=zoe_identity(), password="x")
    assert worker_invitations_expire() == 1
    assert worker_invitations_expire() == 0
    invitation.refresh_from_db()
    assert invitation.status == WorkerInvitation.Status.EXPIRED


def test_an_unknown_token_is_a_404(client):
    response = client.get(reverse("portal:workers_invitation_accept", args=["nope" * 5]))
    assert response.status_code == 404


def test_an_existing_account_logs_in_first_then_accepts(client, bob, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice, email="bob@smartcoop.test")
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="login-first"' in content and 'name="password"' not in content
    client.force_login(bob)
    page = client.get(accept_url(invitation))
    assert 'name="password"' not in page.content.decode()
    response = client.post(
        accept_url(invitation),
        zoe_form(
            first_name="Bob",
            last_name="Bertrand",
            national_number=national_number(date(1992, 11, 20), 33),
            birth_date="1992-11-20",
        ),
    )
    assert response.status_code == 302
    worker = Worker.objects.get(user=bob)
    assert worker.member == bob.member  # a member works under their member file
    assert UnitWorker.objects.filter(unit=alice_3en1, worker=worker).exists()


def test_another_logged_in_account_cannot_accept(bob_client, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    response = bob_client.post(accept_url(invitation), zoe_form())
    assert response.status_code == 403
    assert 'id="wrong-account"' in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == WorkerInvitation.Status.PENDING


# Revoking and ending ---------------------------------------------------------------------


def test_the_holder_revokes_a_pending_invitation(alice_client, client, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    url = reverse("portal:workers_invitation_revoke", args=[invitation.pk])
    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == WorkerInvitation.Status.REVOKED
    assert audit_trail(invitation).filter(action="worker_invitation.revoked").exists()
    assert alice_client.post(url).status_code == 400  # not pending any more
    alice_client.logout()
    assert client.get(accept_url(invitation)).status_code == 410
    assert worker_invitation_send(invitation_id=invitation.pk, language="fr") is False


def test_bob_cannot_revoke_alices_invitation(bob, alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    with pytest.raises(PermissionDenied):
        worker_invitation_revoke(invitation=invitation, by=bob)


def test_the_holder_stops_working_with_someone(alice_client, alice, alice_3en1):
    worker = _accepted_zoe(alice, alice_3en1)
    url = reverse("portal:workers_end", args=[alice_3en1.pk, worker.pk])
    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url).status_code == 302
    link = UnitWorker.objects.get(unit=alice_3en1, worker=worker)
    assert link.ended_on == timezone.localdate()
    assert worker not in workers_of_unit(alice_3en1)
    assert alice_client.post(url).status_code == 400  # already ended
    # Invited again, accepting resumes the same link.
    invitation = invite_zoe(alice_3en1, alice)
    worker_invitation_accept(invitation=invitation, identity=zoe_identity(), user=worker.user)
    link.refresh_from_db()
    assert link.ended_on is None


def test_the_holder_link_and_a_worker_with_days_ahead_are_not_ended(alice, alice_3en1):
    holder = unit_holder_worker(alice_3en1, by=alice)
    with pytest.raises(ValidationError) as refused:
        unit_worker_end(unit=alice_3en1, worker=holder, by=alice)
    assert "holder" in refused.value.message_dict["worker"][0]
    worker = _accepted_zoe(alice, alice_3en1)
    declare_day(worker, alice_3en1, timezone.localdate() + timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        unit_worker_end(unit=alice_3en1, worker=worker, by=alice)
    assert "cancel it first" in refused.value.message_dict["worker"][0]


def test_the_invitation_email_links_to_the_acceptance_page(alice, alice_3en1):
    invitation = invite_zoe(alice_3en1, alice)
    assert worker_invitation_send(
        invitation_id=invitation.pk, language="fr", base_url="https://espace.example/"
    )
    body = mail.outbox[-1].body
    links = re.findall(r"https://espace\.example/\S+", body)
    assert links == [f"https://espace.example{accept_url(invitation)}"]
