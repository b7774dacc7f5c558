"""Who reaches the work pages and API routes (jobs, declarations, contracts): alice her own,
bob gets 404 on them and doesn't see them in his lists, anonymous visitors are sent to the
login page (401/403 for the API)."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from payroll.models import Contract
from payroll.work.job_services import job_submit
from tests.work_helpers import FRI, TUE, days, make_declaration, make_job, theatre

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The contract PDF route renders and stores the PDF: in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


# URL name → the kind of alice's object in its `pk` (None: no single object).
PORTAL = {
    "work_job_list": None,
    "work_job_list_csv": None,
    "work_job_create": None,
    "work_job_split": None,
    "work_job_detail": "job",
    "work_job_edit": "job",
    "work_job_submit": "job",
    "work_job_cancel": "job",
    "work_declaration_list": None,
    "work_declaration_create": None,
    "work_declaration_cost": None,
    "work_declaration_detail": "declaration",
    "work_declaration_submit": "declaration",
    "work_declaration_cancel": "declaration",
    "work_contract_list": None,
    "work_contract_detail": "contract",
    "work_contract_accept": "contract",
    "work_contract_pdf": "contract",
}
PORTAL_URLS = set(PORTAL)

# API route → (kind of object in the URL, kwarg name, method).
API = {
    "api:job-list": (None, None, "get"),
    "api:job-detail": ("job", "job_id", "get"),
    "api:job-split": (None, None, "post"),
    "api:job-submit": ("job", "job_id", "post"),
    "api:job-cancel": ("job", "job_id", "post"),
    "api:declaration-list": (None, None, "get"),
    "api:declaration-detail": ("declaration", "declaration_id", "get"),
    "api:declaration-submit": ("declaration", "declaration_id", "post"),
    "api:declaration-cancel": ("declaration", "declaration_id", "post"),
    "api:contract-list": (None, None, "get"),
    "api:contract-detail": ("contract", "contract_id", "get"),
    "api:contract-accept": ("contract", "contract_id", "post"),
}
API_ROUTES = set(API)
LISTS = {
    "api:job-list": "job",
    "api:declaration-list": "declaration",
    "api:contract-list": "contract",
}


@pytest.fixture
def world(alice, alice_3en1, alice_activity):
    validated = job_submit(job=make_job(alice, alice_3en1, work_days=days((FRI, "8"))), by=alice)
    return {
        "job": make_job(alice, alice_3en1, work_days=days((TUE, "8"))),
        "declaration": make_declaration(
            alice, alice_activity, gross="300.00", work_days=days((FRI + timedelta(days=3), "8"))
        ),
        "contract": Contract.objects.get(job=validated),
    }


def _portal_url(name, world):
    kind = PORTAL[name]
    return reverse(f"portal:{name}", kwargs={"pk": world[kind].pk} if kind else {})


def _api_url(name, world):
    kind, kwarg, _method = API[name]
    return reverse(name, kwargs={kwarg: world[kind].pk} if kind else {})


def _split_body():
    return {
        "client": theatre().pk,
        "contract_type": "artist-fixed-term",
        "lines": [
            {
                "description": "Concert",
                "quantity": "1",
                "unit_price": "500.00",
                "vat_category": "S",
                "vat_rate": "21",
            }
        ],
        "days": [{"date": FRI.isoformat(), "hours": "8"}],
    }


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_alice_reaches_every_work_page(alice_client, world, name):
    assert alice_client.get(_portal_url(name, world)).status_code == 200


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_anonymous_is_sent_to_the_login_page(client, world, name):
    url = _portal_url(name, world)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize("name", sorted(n for n, kind in PORTAL.items() if kind))
def test_bob_gets_404_on_alices_work_objects(bob_client, world, name):
    assert bob_client.get(_portal_url(name, world)).status_code == 404
    assert bob_client.post(_portal_url(name, world), {}).status_code == 404


@pytest.mark.parametrize(
    "name", ["work_job_list", "work_declaration_list", "work_contract_list", "work_job_list_csv"]
)
def test_bob_sees_his_lists_without_alices_rows(bob_client, world, name):
    response = bob_client.get(_portal_url(name, world))
    assert response.status_code == 200
    content = response.content.decode()
    for secret in ("UP-0001", "UP-0002", "Concert", world["contract"].reference):
        assert secret not in content


@pytest.mark.parametrize("name", sorted(API))
def test_alice_reaches_every_work_route(alice, world, name):
    client = HttpClient()
    client.force_login(alice)
    _kind, _kwarg, method = API[name]
    body = _split_body() if name == "api:job-split" else {}
    if name.endswith("-cancel"):
        body = {"reason": "Plans changed"}
    response = getattr(client, method)(_api_url(name, world), body, content_type="application/json")
    assert response.status_code == 200, response.content
    if name in LISTS:
        ids = {row["id"] for row in response.json()["results"]}
        assert world[LISTS[name]].pk in ids


@pytest.mark.parametrize("name", sorted(API))
def test_anonymous_is_refused_on_every_work_route(world, name):
    _kind, _kwarg, method = API[name]
    response = getattr(HttpClient(), method)(
        _api_url(name, world), {}, content_type="application/json"
    )
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("name", sorted(n for n, (kind, _k, _m) in API.items() if kind))
def test_bob_gets_404_on_alices_work_routes(bob, world, name):
    client = HttpClient()
    client.force_login(bob)
    _kind, _kwarg, method = API[name]
    response = getattr(client, method)(_api_url(name, world), {}, content_type="application/json")
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(LISTS))
def test_bob_lists_none_of_alices_rows(bob, world, name):
    client = HttpClient()
    client.force_login(bob)
    response = client.get(_api_url(name, world))
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_bob_cant_preview_a_split_with_alices_client(bob, world):
    client = HttpClient()
    client.force_login(bob)
    response = client.post(reverse("api:job-split"), _split_body(), content_type="application/json")
    assert response.status_code == 400
    assert "client" in response.json()
