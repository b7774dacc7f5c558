"""The back-office of work and pay: parameters, payroll and contribution runs, payouts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_trail
from members.models import LegalEntity, Member
from payroll.models import (
    ContractType,
    ContractTypeParameters,
    ContributionRun,
    EmploymentCost,
    ExpenseCategory,
    PayoutBatch,
    PayoutLine,
    PayrollPolicy,
    PayrollRun,
    Payslip,
    UnitWorker,
    WithholdingTaxScale,
)
from payroll.pay.payouts import next_banking_day, payout_batch_prepare
from production_units.models import ContributionRate, ProductionUnit, Sector
from production_units.services import unit_open
from tests.payouts_helpers import make_line, make_worker

pytestmark = pytest.mark.django_db

MODELS = [
    ContractType,
    WithholdingTaxScale,
    PayrollPolicy,
    ExpenseCategory,
    ContributionRate,
    PayrollRun,
    Payslip,
    EmploymentCost,
    ContributionRun,
    PayoutBatch,
    PayoutLine,
]
SPANS_OFFICES = {PayrollRun, ContributionRun, PayoutBatch}


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _employee():
    return ContractType.objects.get(code="employee-fixed-term")


@pytest.fixture
def pay_rows(alice_3en1, admin_user):
    """A computed payroll run with one payslip and its employment cost, and a payout line,
    of a worker of alice's unit (Bruxelles)."""
    worker = make_worker()
    UnitWorker.objects.create(unit=alice_3en1, worker=worker, added_on=date(2026, 1, 5))
    run = PayrollRun.objects.create(period=date(2026, 2, 1), computed_by=admin_user)
    payslip = Payslip.objects.create(
        run=run,
        worker=worker,
        period=run.period,
        days=1,
        gross=Decimal("150.00"),
        employee_social_security=Decimal("19.61"),
        taxable=Decimal("130.39"),
        withholding=Decimal("0.00"),
        net=Decimal("130.39"),
        employer_charges=Decimal("37.50"),
    )
    EmploymentCost.objects.create(
        unit=alice_3en1,
        contract_type=_employee(),
        work_date=date(2026, 2, 10),
        gross=Decimal("150.00"),
        employer_charges=Decimal("37.50"),
        payslip=payslip,
    )
    ContributionRun.objects.create(period=date(2026, 2, 1))
    line = make_line(amount="130.39", due_on=timezone.localdate(), worker=worker)
    return {"run": run, "payslip": payslip, "line": line}


@pytest.fixture
def batch(django_capture_on_commit_callbacks, pay_rows, admin_user):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        return payout_batch_prepare(
            due_by=today, execution_date=next_banking_day(today), by=admin_user
        )


# Pages open ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_client", "claire_client"])
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_the_payroll_pages_open_for_the_administrator_and_the_advisor(
    request, pay_rows, batch, persona, model
):
    client = request.getfixturevalue(persona)
    response = client.get(_url(model, "changelist"))
    if persona == "claire_client" and model in SPANS_OFFICES:
        # Every office's at once: finance, the board, administrators (test_office_scoping).
        assert response.status_code == 403
        return
    assert response.status_code == 200
    obj = model.objects.order_by("pk").first()
    assert client.get(_url(model, "change", obj.pk)).status_code == 200


def test_members_do_not_get_into_the_payroll_back_office(alice_client):
    response = alice_client.get(_url(PayoutBatch, "changelist"))
    assert response.status_code == 302
    assert "login" in response.url


def test_an_advisor_sees_the_employment_costs_of_her_office_only(claire_client, pay_rows, denis):
    namur_unit = unit_open(
        by=None,
        holder=Member.objects.get(user=denis),
        code="UP-NAM7",
        name="Denis — théâtre",
        tool=ProductionUnit.Tool.THREE_IN_ONE,
        sector=Sector.objects.order_by("code").first(),
        legal_entity=LegalEntity.objects.get(code="smartcoop"),
        opened_on=date(2026, 1, 5),
    )
    EmploymentCost.objects.create(
        unit=namur_unit,
        contract_type=_employee(),
        work_date=date(2026, 2, 11),
        gross=Decimal("200.00"),
        employer_charges=Decimal("50.00"),
    )
    response = claire_client.get(_url(EmploymentCost, "changelist"))
    units = {cost.unit.code for cost in response.context["cl"].result_list}
    assert units == {"UP-0001"}
    assert EmploymentCost.objects.filter(unit=namur_unit).exists()


# Payouts --------------------------------------------------------------------------------------


def test_preparing_a_batch_from_the_back_office(
    django_capture_on_commit_callbacks, admin_client, admin_user, pay_rows
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:payroll_payoutbatch_prepare"),
            {"due_by": today.isoformat(), "execution_date": next_banking_day(today).isoformat()},
        )
    batch = PayoutBatch.objects.get()
    assert response.status_code == 302
    assert response.url == _url(PayoutBatch, "change", batch.pk)
    assert batch.count == 1
    assert batch.total == Decimal("130.39")
    assert batch.created_by == admin_user
    assert batch.file
    page = admin_client.get(_url(PayoutBatch, "change", batch.pk))
    assert [event.action for event in page.context["audit_trail"]] == ["payout_batch.prepared"]
    inline = page.context["inline_admin_formsets"][0].formset
    assert [form.instance for form in inline.forms] == [pay_rows["line"]]


def test_the_prepare_page_proposes_the_next_run_and_banking_day(admin_client):
    changelist = admin_client.get(_url(PayoutBatch, "changelist")).content.decode()
    assert f'href="{reverse("admin:payroll_payoutbatch_prepare")}"' in changelist
    response = admin_client.get(reverse("admin:payroll_payoutbatch_prepare"))
    assert response.status_code == 200
    form = response.context["form"]
    today = timezone.localdate()
    assert form.initial["execution_date"] == next_banking_day(today)
    assert form.initial["due_by"] > today


def test_the_prepare_page_refuses_a_past_execution_date_naming_the_field(admin_client, pay_rows):
    today = timezone.localdate()
    response = admin_client.post(
        reverse("admin:payroll_payoutbatch_prepare"),
        {"due_by": today.isoformat(), "execution_date": (today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert "execution_date" in response.context["form"].errors
    assert not PayoutBatch.objects.exists()


def test_the_prepare_page_says_when_nothing_is_due(admin_client):
    today = timezone.localdate()
    response = admin_client.post(
        reverse("admin:payroll_payoutbatch_prepare"),
        {"due_by": today.isoformat(), "execution_date": next_banking_day(today).isoformat()},
    )
    assert response.status_code == 302
    assert response.url == _url(PayoutBatch, "changelist")
    assert _messages(response) == [f"Nothing is due by {today}: no batch was prepared."]


def test_an_advisor_may_look_but_not_prepare_or_send(claire_client, claire, batch):
    changelist = claire_client.get(_url(PayoutBatch, "changelist")).content.decode()
    assert reverse("admin:payroll_payoutbatch_prepare") not in changelist
    assert claire_client.get(reverse("admin:payroll_payoutbatch_prepare")).status_code == 403
    request = RequestFactory().get("/")
    request.user = claire
    assert "mark_sent" not in admin.site._registry[PayoutBatch].get_actions(request)


def test_the_pain001_file_downloads(admin_client, batch, pay_rows):
    response = admin_client.get(reverse("admin:payroll_payoutbatch_download", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert f'filename="{batch.reference}.xml"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert f"<EndToEndId>SCPAY-{pay_rows['line'].pk}</EndToEndId>".encode() in content


def test_marking_sent_asks_for_confirmation_first(admin_client, batch):
    url = _url(PayoutBatch, "changelist")
    data = {"action": "mark_sent", "_selected_action": [batch.pk]}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "confirm" in response.context["form"].fields
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PREPARED

    refused = admin_client.post(url, {**data, "apply": "yes"})
    assert refused.status_code == 400
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PREPARED

    done = admin_client.post(url, {**data, "apply": "yes", "confirm": "on"})
    assert done.status_code == 302
    assert _messages(done) == ["1 batch marked sent."]
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.SENT
    assert audit_trail(batch).first().action == "payout_batch.sent"


def test_the_payout_lines_filter_by_batched_and_kind(admin_client, batch, pay_rows):
    waiting = make_line(
        amount="5.00",
        due_on=timezone.localdate() + timedelta(days=20),
        kind=PayoutLine.Kind.EXPENSE,
    )
    url = _url(PayoutLine, "changelist")
    shown = admin_client.get(url + "?batched=no").context["cl"].result_list
    assert list(shown) == [waiting]
    shown = admin_client.get(url + "?batched=yes").context["cl"].result_list
    assert list(shown) == [pay_rows["line"]]
    shown = admin_client.get(url + "?kind__exact=expense").context["cl"].result_list
    assert list(shown) == [waiting]
    shown = admin_client.get(url + "?due=later").context["cl"].result_list
    assert list(shown) == [waiting]


def test_closing_a_payroll_run_goes_through_the_service(admin_client, pay_rows, admin_user):
    run = pay_rows["run"]
    response = admin_client.post(
        _url(PayrollRun, "changelist"), {"action": "close_selected", "_selected_action": [run.pk]}
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == PayrollRun.Status.CLOSED
    assert run.closed_by == admin_user
    assert audit_trail(run).first().action == "payroll_run.closed"


def test_payslips_filter_by_period_and_search_by_worker(admin_client, pay_rows):
    url = _url(Payslip, "changelist")
    shown = admin_client.get(url + "?period=2026-02-01").context["cl"].result_list
    assert list(shown) == [pay_rows["payslip"]]
    assert not admin_client.get(url + "?period=2026-03-01").context["cl"].result_list
    shown = admin_client.get(url + "?q=Dupont").context["cl"].result_list
    assert list(shown) == [pay_rows["payslip"]]


# Parameters -----------------------------------------------------------------------------------


def _parameters(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def _row(valid_from, valid_to=""):
    return {
        "valid_from": valid_from,
        "valid_to": valid_to,
        "employer_charges_rate": "25.00",
        "employee_ss_rate": "13.07",
        "employee_ss_base_percent": "100",
        "employment_coefficient": "1.3300",
        "minimum_daily_gross": "100.00",
    }


def _new_type(client) -> ContractType:
    response = client.post(
        _url(ContractType, "add"), {"code": "intern", "name": "Stagiaire", "joint_committee": "200"}
    )
    assert response.status_code == 302, response.context["errors"]
    return ContractType.objects.get(code="intern")


def test_a_new_contract_type_and_its_periods_are_audited(admin_client, admin_user):
    kind = _new_type(admin_client)
    rows = [_row("2026-01-01", "2026-06-30"), _row("2026-07-01")]
    response = admin_client.post(
        _url(ContractType, "change", kind.pk),
        {"name": "Stagiaire", "joint_committee": "200", **_parameters("parameters", rows)},
    )
    assert response.status_code == 302, response.context["errors"]
    assert kind.parameters.count() == 2
    actions = sorted(event.action for event in audit_trail(kind))
    assert actions == [
        "contracttype.created",
        "contracttypeparameters.created",
        "contracttypeparameters.created",
    ]
    assert all(event.actor == admin_user for event in audit_trail(kind))


def test_two_overlapping_periods_typed_together_are_refused(admin_client):
    kind = _new_type(admin_client)
    rows = [_row("2026-01-01", "2026-06-30"), _row("2026-06-01")]
    response = admin_client.post(
        _url(ContractType, "change", kind.pk),
        {"name": "Stagiaire", "joint_committee": "200", **_parameters("parameters", rows)},
    )
    assert response.status_code == 400
    formset = response.context["inline_admin_formsets"][0].formset
    assert "overlaps" in " ".join(formset.forms[1].errors["valid_from"])
    assert not kind.parameters.exists()


def test_a_period_overlapping_a_saved_one_is_refused_on_its_field(admin_client):
    kind = _employee()
    existing = list(kind.parameters.all())
    data = {"name": kind.name, "joint_committee": kind.joint_committee}
    rows = [
        {"id": str(row.pk), "contract_type": str(kind.pk), **_row(f"{row.valid_from}")}
        for row in existing
    ]
    rows.append({"contract_type": str(kind.pk), **_row("2026-01-01")})
    data.update(_parameters("parameters", rows, initial=len(existing)))
    response = admin_client.post(_url(ContractType, "change", kind.pk), data)
    assert response.status_code == 400
    formset = response.context["inline_admin_formsets"][0].formset
    assert "overlaps" in " ".join(formset.forms[-1].errors["valid_from"])
    assert kind.parameters.count() == len(existing)
    assert ContractTypeParameters.objects.filter(valid_from=date(2026, 1, 1)).count() == 0


def test_a_contribution_rate_overlapping_the_one_in_force_is_refused(admin_client):
    before = ContributionRate.objects.count()
    response = admin_client.post(
        _url(ContributionRate, "add"), {"rate": "7.00", "valid_from": "2027-01-01", "label": "x"}
    )
    assert response.status_code == 400
    assert "overlaps" in " ".join(response.context["adminform"].form.errors["valid_from"])
    assert ContributionRate.objects.count() == before


def test_a_contribution_rate_after_the_current_one_ended_is_saved_and_audited(admin_client):
    current = ContributionRate.objects.get(valid_to__isnull=True)
    current.valid_to = date(2026, 12, 31)
    current.save()
    response = admin_client.post(
        _url(ContributionRate, "add"), {"rate": "7.00", "valid_from": "2027-01-01", "label": "x"}
    )
    assert response.status_code == 302
    rate = ContributionRate.objects.get(valid_from=date(2027, 1, 1))
    assert rate.rate == Decimal("7.00")
    assert audit_trail(rate).first().action == "contributionrate.created"
