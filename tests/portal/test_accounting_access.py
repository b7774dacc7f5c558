"""Every URL of my accounting view: alice reaches her own, bob gets 404 on her units and sees
none of her figures in his own pages and downloads, anonymous visitors are sent to the login
page, and staff without a member profile get the portal's refusal (they use the back-office)."""

import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.lines import LineData
from invoicing.models import Client
from production_units.models import ProductionUnit

pytestmark = pytest.mark.django_db

PORTAL_URLS = {
    "accounting": None,
    "accounting_csv": None,
    "accounting_xlsx": None,
    "accounting_pdf": None,
    "accounting_unit": "unit",
    "accounting_unit_csv": "unit",
    "accounting_unit_xlsx": "unit",
}
OBJECT_URLS = sorted(name for name, kind in PORTAL_URLS.items() if kind)
PAGE_URLS = sorted(name for name, kind in PORTAL_URLS.items() if not kind)
SECRETS = ("UP-0001", "UP-0002", "Théâtre de la Place", "Formation septembre", "1234.56")


@pytest.fixture
def unit(alice, claire):
    """alice's 3en1 unit, with an issued invoice of this year (a client's name in the figures)."""
    three = ProductionUnit.objects.get(code="UP-0001")
    theatre = Client.objects.get(name="Théâtre de la Place")
    draft = invoice_create(
        by=alice,
        unit=three,
        client=theatre,
        lines=[LineData("Concert", Decimal(1), Decimal("1234.56"))],
    )
    invoice_issue(invoice=draft, by=claire)
    return three


def url(name, unit):
    if not PORTAL_URLS[name]:
        return reverse(f"portal:{name}")
    return reverse(f"portal:{name}", kwargs={"pk": unit.pk})


def text_of(response) -> str:
    """What a reader sees: the page, the CSV, the workbook's cells, the PDF's text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response["Content-Type"]
    if kind == "application/pdf":
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(content))
        return " ".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
        )
    return content.decode("utf-8-sig")


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_alice_reaches_every_accounting_url(alice_client, unit, name):
    response = alice_client.get(url(name, unit))
    assert response.status_code == 200
    assert "UP-0001" in text_of(response)


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_anonymous_is_sent_to_the_login_page(client, unit, name):
    target = url(name, unit)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(target)}"


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_bob_gets_404_on_alices_units(bob_client, unit, name):
    assert bob_client.get(url(name, unit)).status_code == 404
    other = ProductionUnit.objects.get(code="UP-0002")
    assert bob_client.get(url(name, other)).status_code == 404


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_a_unit_that_does_not_exist_is_404(alice_client, unit, name):
    assert alice_client.get(url(name, ProductionUnit(pk=999_999))).status_code == 404


@pytest.mark.parametrize("name", PAGE_URLS)
def test_bob_sees_none_of_alices_figures_in_his_own(bob_client, unit, name):
    response = bob_client.get(url(name, unit))
    assert response.status_code == 200
    content = text_of(response)
    for secret in SECRETS:
        assert secret not in content


@pytest.mark.parametrize("name", sorted(PORTAL_URLS))
def test_staff_without_member_profile_get_the_portal_refusal(claire_client, unit, name):
    response = claire_client.get(url(name, unit))
    assert response.status_code == 403
    assert 'id="no-member"' in response.content.decode()
    assert "UP-0001" not in response.content.decode()
