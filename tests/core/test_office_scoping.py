"""The office rule (core/scoping.py) and the finance role: advisors see their office, the
board and the administrators every office, the finance role every office's pay tables, and
the rows that span offices (payroll runs, payout batches and their pain.001) are for finance,
the board and the administrators only."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from core import roles
from core.audit_labels import action_label
from core.scoping import COOPERATIVE_WIDE, SPANS_OFFICES, office_scoped, require_office
from devtools import demo
from invoicing.models import Client
from members.models import Member
from payroll.models import PayoutBatch, PayoutLine, PayrollRun
from payroll.pay.payouts import next_banking_day, payout_batch_prepare
from payroll.pay.payroll_run import payroll_run_compute
from production_units.models import ProductionUnit
from tests.factories.members import AdvisorFactory, office
from tests.pay_helpers import PERIOD, TODAY, october

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea(db):
    """An advisor of the Liège office, which has no member."""
    return AdvisorFactory(
        email="lea@smartcoop.test", first_name="Léa", last_name="Liégeoise", office=office("liege")
    )


@pytest.fixture
def fanny(db):
    """The finance office: no office of her own, the pay tables of every office."""
    return demo._user("fanny@smartcoop.test", "Fanny", "Finance", staff=True, role=roles.FINANCE)


@pytest.fixture
def pay(alice, admin_user, settings, tmp_path):
    """October's payroll run for alice (Bruxelles) and a payout batch of its lines."""
    settings.MEDIA_ROOT = tmp_path / "media"
    october(alice)
    run = payroll_run_compute(period=PERIOD, today=TODAY)
    today = timezone.localdate()
    batch = payout_batch_prepare(
        due_by=today + timedelta(days=60), execution_date=next_banking_day(today), by=admin_user
    )
    return {"run": run, "batch": batch}


def _http(client, user):
    from tests.conftest import _with_mfa

    client.force_login(_with_mfa(user))
    return client


# The rule ------------------------------------------------------------------------------------


def test_an_advisor_sees_the_members_of_her_office_only(alice, bob, claire, denis, lea):
    assert set(office_scoped(Member.objects.all(), claire, "office")) == {
        alice.member,
        bob.member,
    }
    assert not office_scoped(Member.objects.all(), lea, "office").exists()


def test_the_board_and_the_superuser_see_every_office(alice, denis, admin_user):
    everyone = Member.objects.count()
    assert office_scoped(Member.objects.all(), denis, "office").count() == everyone
    assert office_scoped(Member.objects.all(), admin_user, "office").count() == everyone


def test_a_client_of_two_units_of_the_office_is_listed_once(alice, claire, alice_3en1):
    client = Client.objects.get(name="Ecole des Arts Gent")
    client.units.add(alice_3en1)
    rows = office_scoped(Client.objects.all(), claire, "units__holder__office")
    assert list(rows.filter(pk=client.pk)) == [client]


def test_an_advisor_without_office_sees_only_the_shared_rows(alice, claire):
    claire.office = None
    rows = office_scoped(Member.objects.all(), claire, "office", shared=Q(last_name="Bertrand"))
    assert not rows.exists()
    bob = demo.ensure_bob()
    rows = office_scoped(Member.objects.all(), claire, "office", shared=Q(last_name="Bertrand"))
    assert list(rows) == [bob.member]


def test_require_office_returns_the_object_or_refuses(alice_3en1, claire, lea):
    assert require_office(claire, alice_3en1, "holder__office") == alice_3en1
    with pytest.raises(Http404):
        require_office(lea, alice_3en1, "holder__office")
    with pytest.raises(PermissionDenied):
        require_office(claire, alice_3en1, SPANS_OFFICES)
    assert require_office(lea, alice_3en1, COOPERATIVE_WIDE) == alice_3en1


def test_cooperative_wide_rows_are_everyones_and_rows_spanning_offices_nobodys(claire, denis):
    units = ProductionUnit.objects.all()
    assert office_scoped(units, claire, COOPERATIVE_WIDE).count() == units.count()
    assert not office_scoped(units, claire, SPANS_OFFICES).exists()
    assert office_scoped(units, denis, SPANS_OFFICES).count() == units.count()


# The finance role ----------------------------------------------------------------------------


def test_finance_opens_the_runs_batches_and_lines_of_every_office(client, fanny, pay):
    http = _http(client, fanny)
    for model in (PayrollRun, PayoutBatch, PayoutLine):
        url = reverse(f"admin:payroll_{model._meta.model_name}_changelist")
        response = http.get(url)
        assert response.status_code == 200, model
        assert response.context["cl"].result_count == model.objects.count() > 0
    batch = pay["batch"]
    download = http.get(reverse("admin:payroll_payoutbatch_download", args=[batch.pk]))
    assert download.status_code == 200
    assert b"<Document" in b"".join(download.streaming_content)


def test_finance_prepares_a_batch_but_opens_nothing_else(client, fanny, pay):
    http = _http(client, fanny)
    assert http.get(reverse("admin:payroll_payoutbatch_prepare")).status_code == 200
    for name in ("members_member", "invoicing_invoice", "core_auditevent"):
        assert http.get(reverse(f"admin:{name}_changelist")).status_code == 403


def test_an_advisor_gets_403_on_runs_and_batches_and_404_on_their_pain001(claire_client, pay):
    for name in ("payrollrun", "payoutbatch", "contributionrun"):
        assert claire_client.get(reverse(f"admin:payroll_{name}_changelist")).status_code == 403
    batch = pay["batch"]
    download = reverse("admin:payroll_payoutbatch_download", args=[batch.pk])
    assert claire_client.get(download).status_code == 404
    assert claire_client.get(reverse("admin:payroll_payoutbatch_prepare")).status_code == 403


def test_an_advisor_still_sees_the_payslips_and_payout_lines_of_her_office(claire_client, pay):
    lines = claire_client.get(reverse("admin:payroll_payoutline_changelist"))
    assert lines.status_code == 200
    assert lines.context["cl"].result_count == PayoutLine.objects.count() > 0
    payslips = claire_client.get(reverse("admin:payroll_payslip_changelist"))
    assert payslips.context["cl"].result_count == pay["run"].payslips.count() > 0


def test_another_offices_advisor_sees_none_of_them(client, lea, pay):
    http = _http(client, lea)
    for name in ("payoutline", "payslip"):
        response = http.get(reverse(f"admin:payroll_{name}_changelist"))
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0
    line = PayoutLine.objects.first()
    response = http.get(reverse("admin:payroll_payoutline_change", args=[line.pk]))
    assert response.status_code == 302
    assert line.iban not in response.content.decode()


def test_an_advisor_opens_no_audit_event_but_reads_the_trail_on_her_offices_objects(
    claire_client, alice_3en1
):
    assert claire_client.get(reverse("admin:core_auditevent_changelist")).status_code == 403
    page = claire_client.get(
        reverse("admin:production_units_productionunit_change", args=[alice_3en1.pk])
    )
    assert page.status_code == 200
    # The trail names the action in the reader's language (core.audit_labels), not its code.
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        assert str(action_label("unit.opened")) in page.content.decode()
    assert "unit.opened" not in page.content.decode()
