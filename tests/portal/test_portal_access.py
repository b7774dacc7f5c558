"""Every portal URL: alice reaches her own objects, bob gets 404 on them, anonymous users
are sent to the login page, and an account without a member profile gets a friendly refusal.

The table CASES must name every URL of the `portal` namespace: a new portal URL fails
test_every_portal_url_has_an_access_case until someone says which object it shows.
"""

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.lines import LineData
from invoicing.models import Client
from invoicing.quote_services import quote_accept, quote_create, quote_mark_sent
from production_units.models import ProductionUnit
from tests.access_registry import covered_portal_urls

pytestmark = pytest.mark.django_db

# URL name → the kind of alice's object in its `pk` (None: the URL shows no single object).
CASES = {
    "home": None,
    "unit_detail": "unit",
    "unit_ledger_csv": "unit",
    "client_list": None,
    "client_create": None,
    "client_detail": "client",
    "client_edit": "client",
    "branding_edit": "unit",
    "invoice_list": None,
    "invoice_list_csv": None,
    "invoice_create": None,
    "lines_totals": None,
    "invoice_detail": "invoice",
    "invoice_edit": "invoice",
    "invoice_delete": "invoice",
    "invoice_submit": "invoice",
    "invoice_pdf": "issued_invoice",
    "invoice_preview": "invoice",
    "invoice_ubl": "issued_invoice",
    "credit_note_create": "issued_invoice",
    "invoice_duplicate": "issued_invoice",
    "quote_list": None,
    "quote_create": None,
    "quote_detail": "quote",
    "quote_edit": "quote",
    "quote_pdf": "quote",
    "quote_mark_sent": "quote",
    "quote_accept": "sent_quote",
    "quote_refuse": "sent_quote",
    "quote_to_invoice": "accepted_quote",
}
OBJECT_CASES = sorted(name for name, kind in CASES.items() if kind)
PAGE_CASES = sorted(name for name, kind in CASES.items() if not kind)


def _names(resolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern.name


def portal_url_names() -> set[str]:
    _prefix, resolver = get_resolver().namespace_dict["portal"]
    return set(_names(resolver))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Downloads render and store the PDF and UBL: in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alices(alice, claire):
    """One of alice's objects per kind; the client is the unverified one (editable), the
    invoice and the quote are drafts, the other documents in the state their pages need."""
    unit = ProductionUnit.objects.get(code="UP-0001")
    theatre = Client.objects.get(name="Théâtre de la Place")
    lines = [LineData("Concert", Decimal("1"), Decimal("500.00"))]

    def quote(*steps):
        document = quote_create(by=alice, unit=unit, client=theatre, lines=lines)
        for step in steps:
            document = step(quote=document, by=alice)
        return document

    issued = invoice_create(by=alice, unit=unit, client=theatre, lines=lines)
    return {
        "unit": unit,
        "client": Client.objects.get(name="Ecole des Arts Gent"),
        "invoice": invoice_create(by=alice, unit=unit, client=theatre, lines=lines),
        "issued_invoice": invoice_issue(invoice=issued, by=claire),
        "quote": quote(),
        "sent_quote": quote(quote_mark_sent),
        "accepted_quote": quote(quote_mark_sent, quote_accept),
    }


def _url(name, objects, **overrides):
    kind = CASES[name]
    kwargs = {"pk": overrides.get(kind, objects[kind]).pk} if kind else {}
    return reverse(f"portal:{name}", kwargs=kwargs)


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_every_portal_url_has_an_access_case():
    elsewhere = covered_portal_urls()
    assert not elsewhere & set(CASES), "a URL is covered twice"
    assert portal_url_names() == set(CASES) | elsewhere


@pytest.mark.parametrize("name", sorted(CASES))
def test_alice_reaches_every_portal_page(alice_client, alices, name):
    response = alice_client.get(_url(name, alices))
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_is_redirected_to_the_login_page(client, alices, name):
    url = _url(name, alices)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize("name", OBJECT_CASES)
def test_bob_gets_404_on_alices_objects(bob_client, alices, name):
    assert bob_client.get(_url(name, alices)).status_code == 404
    assert bob_client.post(_url(name, alices), {"name": "Bob was here"}).status_code == 404
    assert not Client.objects.filter(name="Bob was here").exists()


@pytest.mark.parametrize("name", OBJECT_CASES)
def test_bob_gets_404_on_alices_other_unit_and_verified_client(bob_client, alices, name):
    others = {
        "unit": ProductionUnit.objects.get(code="UP-0002"),
        "client": Client.objects.get(name="Théâtre de la Place"),
    }
    assert bob_client.get(_url(name, alices, **others)).status_code == 404


@pytest.mark.parametrize("name", OBJECT_CASES)
def test_an_object_that_does_not_exist_is_404_too(alice_client, alices, name):
    missing = type(alices[CASES[name]])(pk=999_999)
    assert alice_client.get(_url(name, alices, **{CASES[name]: missing})).status_code == 404


@pytest.mark.parametrize("name", PAGE_CASES)
def test_bob_sees_his_own_pages_without_any_of_alices_data(bob_client, alices, name):
    response = bob_client.get(_url(name, alices))
    assert response.status_code == 200
    content = _body(response).decode()
    for secret in ("UP-0001", "UP-0002", "Ecole des Arts Gent", "Théâtre de la Place"):
        assert secret not in content


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_account_without_member_profile_gets_a_friendly_refusal(claire_client, alices, name):
    response = claire_client.get(_url(name, alices))
    assert response.status_code == 403
    assert 'id="no-member"' in response.content.decode()
    assert "UP-0001" not in response.content.decode()


def test_the_site_root_leads_to_the_portal_home(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
