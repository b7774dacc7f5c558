"""The back-office of workers: read-only lists scoped by office, the token never shown, the
national number masked, and the actions calling the services."""

from datetime import date

import pytest
from django.urls import reverse

from payroll.models import UnitWorker, WorkDay, Worker, WorkerInvitation
from payroll.workers.invitation_services import worker_invitation_accept
from payroll.workers.worker_services import unit_holder_worker
from tests.factories.members import AdvisorFactory, office
from tests.workers_helpers import ZOE_NUMBER, declare_day, invite_zoe, zoe_identity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def rows(alice, alice_3en1):
    holder = unit_holder_worker(alice_3en1, by=alice)
    zoe = worker_invitation_accept(
        invitation=invite_zoe(alice_3en1, alice), identity=zoe_identity(), password="Zz-9" * 4
    )
    pending = invite_zoe(alice_3en1, alice, email="sam@example.org", first_name="Sam")
    day = declare_day(holder, alice_3en1, date(2026, 7, 20))
    return {"zoe": zoe, "pending": pending, "day": day}


def _admin_url(model, view, *args):
    return reverse(f"admin:payroll_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [Worker, UnitWorker, WorkerInvitation, WorkDay])
def test_every_workers_admin_page_opens_and_has_no_add_form(admin_client, rows, model):
    assert admin_client.get(_admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(_admin_url(model, "add")).status_code == 403
    obj = model.objects.first()
    assert admin_client.get(_admin_url(model, "change", obj.pk)).status_code == 200


def test_the_national_number_is_masked_and_the_token_hidden(admin_client, rows):
    listing = admin_client.get(_admin_url(Worker, "changelist")).content.decode()
    assert f"**.**.**-***.{ZOE_NUMBER[9:]}" in listing and ZOE_NUMBER not in listing
    page = admin_client.get(_admin_url(Worker, "change", rows["zoe"].pk)).content.decode()
    assert ZOE_NUMBER not in page
    pending = rows["pending"]
    page = admin_client.get(_admin_url(WorkerInvitation, "change", pending.pk)).content.decode()
    assert pending.token not in page
    listing = admin_client.get(_admin_url(WorkerInvitation, "changelist")).content.decode()
    assert pending.token not in listing


def test_workers_are_searched_by_name_or_email(admin_client, rows):
    response = admin_client.get(_admin_url(Worker, "changelist"), {"q": "zoe.martin@example"})
    assert list(response.context["cl"].result_list) == [rows["zoe"]]


def test_the_revoke_action_revokes_pending_invitations(admin_client, rows):
    pending = rows["pending"]
    response = admin_client.post(
        _admin_url(WorkerInvitation, "changelist"),
        {"action": "revoke", "_selected_action": [pending.pk]},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == WorkerInvitation.Status.REVOKED


def test_the_end_action_ends_a_link_and_refuses_the_holders(admin_client, alice_3en1, rows):
    links = UnitWorker.objects.filter(unit=alice_3en1)
    response = admin_client.post(
        _admin_url(UnitWorker, "changelist"),
        {"action": "end_links", "_selected_action": [link.pk for link in links]},
        follow=True,
    )
    assert response.status_code == 200
    ended = dict(links.values_list("is_holder", "ended_on"))
    assert ended[True] is None  # the holder's link stays
    assert ended[False] is not None
    assert any("holder" in str(m) for m in response.context["messages"])


def test_an_advisor_of_another_office_sees_none_of_these_rows(client, rows):
    namur = AdvisorFactory(office=office("namur"))
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=namur, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(namur)
    for model in (Worker, UnitWorker, WorkerInvitation, WorkDay):
        response = client.get(_admin_url(model, "changelist"))
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [], model
