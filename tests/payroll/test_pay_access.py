"""Every payslip and attestation URL, portal and API: the worker (alice) reaches her own, bob
gets 404 on them and never sees them in his lists, anonymous visitors are sent to the login
page (API: 401/403), an account without a worker file gets an empty state saying what to do."""

from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from payroll.models import Attestation, Payslip
from payroll.pay.attestations import attestation_request
from payroll.pay.payroll_run import payroll_run_compute
from tests.pay_helpers import PERIOD, TODAY, invited_worker, october

pytestmark = pytest.mark.django_db

PORTAL_URLS = {
    "pay_payslip_list": None,
    "pay_payslip_list_csv": None,
    "pay_payslip_detail": "payslip",
    "pay_payslip_pdf": "payslip",
    "pay_attestation_list": None,
    "pay_attestation_create": None,
    "pay_attestation_pdf": "attestation",
}
API_ROUTES = {
    "api:pay-payslip-list": None,
    "api:pay-payslip-detail": "payslip_id",
    "api:pay-payslip-pdf": "payslip_id",
    "api:pay-attestation-list": None,
    "api:pay-attestation-detail": "attestation_id",
    "api:pay-attestation-pdf": "attestation_id",
}
OBJECT_URLS = sorted(name for name, kind in PORTAL_URLS.items() if kind)
LIST_URLS = sorted(name for name, kind in PORTAL_URLS.items() if not kind)
SECRETS = ("C-A", "1 017,28", "1017.28", "779,87", "779.87")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(alice, django_capture_on_commit_callbacks):
    month = october(alice)
    with django_capture_on_commit_callbacks(execute=True):
        run = payroll_run_compute(period=PERIOD, today=TODAY)
        ready = attestation_request(
            worker=month.alice,
            kind=Attestation.Kind.EMPLOYMENT,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            by=alice,
        )
    pending = Attestation.objects.create(
        worker=month.alice,
        kind=Attestation.Kind.YEARLY_INCOME,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        requested_by=alice,
    )
    ready.refresh_from_db()
    assert ready.status == Attestation.Status.READY
    return {
        "month": month,
        "payslip": Payslip.objects.get(run=run, worker=month.alice),
        "attestation": ready,
        "pending": pending,
    }


def portal_url(name, world, **overrides):
    kind = PORTAL_URLS[name]
    if not kind:
        return reverse(f"portal:{name}")
    return reverse(f"portal:{name}", kwargs={"pk": overrides.get(kind, world[kind]).pk})


def api_url(name, world):
    kwarg = API_ROUTES[name]
    if not kwarg:
        return reverse(name)
    obj = world["payslip"] if kwarg == "payslip_id" else world["attestation"]
    return reverse(name, kwargs={kwarg: obj.pk})


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# --- portal ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_alice_reaches_every_pay_page(alice_client, world, name):
    assert alice_client.get(portal_url(name, world)).status_code == 200


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_anonymous_is_sent_to_the_login_page(client, world, name):
    url = portal_url(name, world)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_bob_gets_404_on_alices_payslips_and_attestations(bob_client, world, name):
    assert bob_client.get(portal_url(name, world)).status_code == 404
    assert bob_client.post(portal_url(name, world)).status_code == 404


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_bob_with_his_own_worker_file_still_gets_404(bob_client, bob, world, name):
    worker = invited_worker("Bob", "Bertrand", 52)
    worker.user = bob
    worker.save()
    assert bob_client.get(portal_url(name, world)).status_code == 404


@pytest.mark.parametrize("name", LIST_URLS)
def test_bob_sees_none_of_alices_pay_in_his_pages(bob_client, world, name):
    response = bob_client.get(portal_url(name, world))
    assert response.status_code == 200
    content = body(response)
    for secret in SECRETS:
        assert secret not in content


@pytest.mark.parametrize(
    "name", ["pay_payslip_list", "pay_attestation_list", "pay_attestation_create"]
)
def test_a_member_without_worker_file_is_told_what_to_do(bob_client, world, name):
    response = bob_client.get(portal_url(name, world))
    assert response.status_code == 200
    assert 'id="no-worker"' in body(response)


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_staff_without_member_or_worker_file_get_the_portal_refusal(claire_client, world, name):
    response = claire_client.get(portal_url(name, world))
    assert response.status_code == 403
    assert 'id="no-member"' in body(response)
    for secret in SECRETS:
        assert secret not in body(response)


def test_an_invited_worker_without_member_file_reaches_their_payslips(client, world):
    from members.models import User

    chloe = world["month"].chloe
    chloe.user = User.objects.create(email="chloe@example.test", first_name="Chloé")
    chloe.save()
    client.force_login(chloe.user)
    payslip = Payslip.objects.get(worker=chloe)
    response = client.get(reverse("portal:pay_payslip_detail", args=[payslip.pk]))
    assert response.status_code == 200
    # Her own net salary, as the page writes amounts (1 234,56).
    assert payslip.net == payslip.taxable - payslip.withholding > 0
    net = f"{payslip.net:,.2f}".replace(",", " ").replace(".", ",")
    assert net in body(response).replace("\u00a0", " ")
    assert client.get(portal_url("pay_payslip_detail", world)).status_code == 404


def test_a_missing_payslip_is_404(alice_client, world):
    missing = Payslip(pk=999_999)
    assert (
        alice_client.get(portal_url("pay_payslip_detail", world, payslip=missing)).status_code
        == 404
    )


def test_an_attestation_being_prepared_leads_back_to_the_list(alice_client, world):
    url = portal_url("pay_attestation_pdf", world, attestation=world["pending"])
    response = alice_client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:pay_attestation_list")
    assert response.status_code == 200


# --- API ------------------------------------------------------------------------------------


def api_client(user=None) -> APIClient:
    http = APIClient()
    if user is not None:
        http.force_authenticate(user)
    return http


@pytest.mark.parametrize("name", sorted(API_ROUTES))
def test_alice_reads_every_pay_route(alice, world, name):
    response = api_client(alice).get(api_url(name, world))
    assert response.status_code == 200
    if not API_ROUTES[name]:
        ids = {row["id"] for row in response.json()["results"]}
        assert ids == (
            {world["payslip"].pk}
            if "payslip" in name
            else {world["attestation"].pk, world["pending"].pk}
        )


@pytest.mark.parametrize("name", sorted(API_ROUTES))
def test_anonymous_is_refused_by_every_pay_route(world, name):
    assert api_client().get(api_url(name, world)).status_code in (401, 403)
    assert api_client().post(api_url(name, world), {}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("name", sorted(API_ROUTES))
def test_bob_gets_404_or_an_empty_list(bob, world, name):
    response = api_client(bob).get(api_url(name, world))
    if API_ROUTES[name]:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert response.json()["results"] == []


def test_alice_asks_for_an_attestation_through_the_api(
    alice, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(alice).post(
            reverse("api:pay-attestation-list"),
            {"kind": "income", "period_start": "2025-01-01", "period_end": "2025-12-31"},
            format="json",
        )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"  # as answered; rendered after commit
    attestation = Attestation.objects.get(pk=response.json()["id"])
    assert attestation.status == Attestation.Status.READY


def test_an_account_without_worker_file_cannot_ask_for_one(bob, world):
    response = api_client(bob).post(
        reverse("api:pay-attestation-list"),
        {"kind": "income", "period_start": "2025-01-01", "period_end": "2025-12-31"},
        format="json",
    )
    assert response.status_code == 403
    assert Attestation.objects.count() == 2


def test_the_pdf_of_an_attestation_being_prepared_is_409(alice, world):
    url = reverse("api:pay-attestation-pdf", kwargs={"attestation_id": world["pending"].pk})
    assert api_client(alice).get(url).status_code == 409
