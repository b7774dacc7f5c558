"""Stored files (a contract PDF carries a national number) are never served from a public
media URL, even with DEBUG on: only through a view that checks who may see the row."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client as HttpClient
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from core.files import file_fields
from payroll.models import ContractType
from payroll.split import Pay
from payroll.work.contract_services import contract_create
from payroll.work.work_days import DayInput
from payroll.workers.worker_services import unit_holder_worker
from production_units.models import ProductionUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_urls(settings):
    """The URLconf as `make run` builds it (DEBUG on), restored afterwards."""
    import smartcoop.urls

    settings.DEBUG = True
    importlib.reload(smartcoop.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(smartcoop.urls)
    clear_url_caches()


@pytest.fixture
def contract(alice, django_capture_on_commit_callbacks):
    """A contract of alice (holder of UP-0002 and its worker), its PDF rendered."""
    unit = ProductionUnit.objects.get(code="UP-0002")
    gross = Decimal("150.00")
    pay = Pay(
        gross=gross,
        employer_charges=Decimal("0.00"),
        employment_cost=gross,
        employment_contribution=Decimal("0.00"),
        budget=gross,
        employee_social_security=Decimal("0.00"),
        taxable=gross,
        withholding_rate=Decimal("0"),
        withholding=Decimal("0.00"),
        net=Decimal("0.00"),
        days=1,
        minimum_gross=Decimal("0.00"),
        gross_missing=Decimal("0.00"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        contract = contract_create(
            unit=unit,
            worker=unit_holder_worker(unit),
            contract_type=ContractType.objects.get(code="employee-fixed-term"),
            function="Régisseur",
            days=[DayInput(timezone.localdate() + timedelta(days=2), Decimal("8"))],
            pay=pay,
            by=alice,
        )
    contract.refresh_from_db()
    assert contract.pdf
    return contract


def _as(user=None, *, mfa=False):
    http = HttpClient()
    if user is not None:
        if mfa:
            Authenticator.objects.get_or_create(
                user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
            )
        http.force_login(user)
    return http


def test_the_public_media_url_serves_nothing_even_with_debug(debug_urls, contract, alice, bob):
    url = f"/media/{contract.pdf.name}"
    for http in (_as(), _as(bob), _as(alice)):
        assert http.get(url).status_code == 404


def test_a_file_url_points_to_the_checked_view(contract):
    assert contract.pdf.url == reverse("private_file", args=[contract.pdf.name])
    assert not contract.pdf.url.startswith("/media/")


def test_the_owner_gets_the_file(contract, alice):
    response = _as(alice).get(contract.pdf.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]


def test_an_anonymous_visitor_is_sent_to_the_login_page(contract):
    response = _as().get(contract.pdf.url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_member_gets_404(contract, bob):
    assert _as(bob).get(contract.pdf.url).status_code == 404


def test_staff_get_it_through_the_admins_rules_and_only_with_a_second_factor(
    contract, claire, admin_user
):
    assert _as(admin_user).get(contract.pdf.url).status_code == 404  # no TOTP yet
    assert _as(admin_user, mfa=True).get(contract.pdf.url).status_code == 200


def test_a_path_outside_the_media_folder_is_refused(contract, admin_user):
    http = _as(admin_user, mfa=True)
    for name in ("../smartcoop/settings.py", "contracts/../../smartcoop/settings.py"):
        assert http.get(f"/files/{name}").status_code == 404


def test_every_file_field_is_served_through_the_checked_view():
    """A new FileField is private too: the default storage is the checked one."""
    fields = list(file_fields())
    assert len(fields) >= 12
    for _model, field in fields:
        url = field.storage.url("some/file.pdf")
        assert url == reverse("private_file", args=["some/file.pdf"]), field


def test_the_admin_links_the_file_through_the_checked_view(contract, admin_user):
    page = _as(admin_user, mfa=True).get(
        reverse("admin:payroll_contract_change", args=[contract.pk])
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert f'href="{contract.pdf.url}"' in body
    assert "/media/" not in body
