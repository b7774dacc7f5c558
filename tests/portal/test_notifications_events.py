"""More events that tell the member: a 3en1 job refused, a declaration approved for another
worker (the holder hears the approval, the worker without an account nothing), an attestation
ready, and the membership decisions (a portal row; their own e-mail stays the only one)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from devtools.demo import national_number
from members.models import Member, Notification, Office, User
from members.notifications import kinds as notice
from members.selectors import documents_to_accept
from members.services import application_refuse, application_submit
from payroll.models import ContractType
from payroll.pay.attestations import attestation_request
from payroll.pay.payroll_run import payroll_run_compute
from payroll.work.declaration_services import (
    declaration_approve,
    declaration_create,
    declaration_submit,
)
from payroll.work.job_services import job_reject, job_submit
from payroll.workers.worker_services import unit_worker_add
from tests.notification_helpers import kinds_of, mails_to, set_language
from tests.pay_helpers import PERIOD, TODAY, invited_worker, october
from tests.work_helpers import MON, days, make_job, set_balance, unverified_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_refused_job_tells_the_holder_with_the_reason(
    alice, claire, alice_3en1, django_capture_on_commit_callbacks
):
    job = make_job(alice, alice_3en1, client=unverified_client(alice, alice_3en1))
    job = job_submit(job=job, by=alice)
    with django_capture_on_commit_callbacks(execute=True):
        job_reject(job=job, by=claire, reason="Le client doit être vérifié.")
    assert kinds_of(alice) == [notice.JOB_REFUSED]
    [message] = mails_to(alice)
    assert "Concert" in message.body
    assert "Le client doit être vérifié." in message.body


def test_a_declaration_for_an_invited_worker_tells_the_holder_it_is_approved(
    alice, claire, alice_activity, django_capture_on_commit_callbacks
):
    set_balance(alice_activity, "500.00", by=claire)
    chloe = invited_worker()
    unit_worker_add(unit=alice_activity, worker=chloe, by=alice)
    declaration = declaration_create(
        unit=alice_activity,
        worker=chloe,
        contract_type=ContractType.objects.get(code="trainer-fixed-term"),
        function="Formatrice",
        gross="200.00",
        days=days((MON, "8")),
        by=alice,
    )
    declaration = declaration_submit(declaration=declaration, by=alice)
    with django_capture_on_commit_callbacks(execute=True):
        declaration_approve(declaration=declaration, by=claire)
    assert kinds_of(alice) == [notice.DECLARATION_APPROVED]
    [message] = mails_to(alice)
    assert "Chloé Martin" in message.body
    # chloe has no account yet: no row for anyone else, no e-mail to her address.
    assert Notification.objects.exclude(user=alice).count() == 0
    assert not [m for m in mails_to(alice) if "chloé@example.test" in m.to]


def test_an_attestation_ready_tells_the_worker_each_reader_in_their_language(
    alice, alice_client, django_capture_on_commit_callbacks
):
    set_language(alice, "nl")
    month = october(alice)
    payroll_run_compute(period=PERIOD, today=TODAY)  # its payslips' e-mails never commit here
    with django_capture_on_commit_callbacks(execute=True):
        attestation_request(
            worker=month.alice,
            kind="income",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            by=alice,
            today=date(2027, 1, 10),
        )
    assert kinds_of(alice) == [notice.ATTESTATION_AVAILABLE]
    [message] = mails_to(alice)
    assert "jaaroverzicht van de inkomsten" in message.body  # the kind, in Dutch
    page = alice_client.get(reverse("portal:notification_list")).content.decode()
    assert "récapitulatif annuel des revenus" in page  # the page speaks French (the default)


def _application(user):
    return application_submit(
        user=user,
        by=user,
        first_name="Eva",
        last_name="Martin",
        national_number=national_number(date(1990, 5, 17), 42),
        birth_date=date(1990, 5, 17),
        gender=Member.Gender.FEMALE,
        street="Rue Neuve 3",
        postal_code="1000",
        city="Bruxelles",
        iban="BE71 0961 2345 6769",
        category=Member.Category.A,
        planned_activity="Photographe de plateau",
        office=Office.objects.get(code="bruxelles"),
        shares=2,
        accepted_documents=documents_to_accept(category="A", on=timezone.localdate()),
    )


def test_a_refused_application_shows_in_the_portal_and_sends_only_its_own_e_mail(
    claire, django_capture_on_commit_callbacks
):
    eva = User.objects.create_user(email="eva@example.test")
    application = _application(eva)
    with django_capture_on_commit_callbacks(execute=True):
        application_refuse(application=application, by=claire, reason="Activité non assurable")
    assert kinds_of(eva) == [notice.APPLICATION_REFUSED]
    assert len(mails_to(eva)) == 1  # the decision e-mail of members, not a second one
