"""Access to the preview of a unit's documents: its holder sees it, another member gets a
404 (GET and POST, and nothing is rendered for them), an anonymous visitor is sent to the
login page, an account without a member profile is refused (tests/access_registry.py)."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from invoicing.models import InvoiceBranding
from production_units.models import ProductionUnit

pytestmark = pytest.mark.django_db

PORTAL_URLS = ["branding_preview"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alices_unit(alice):
    return ProductionUnit.objects.get(code="UP-0001")


def _url(unit):
    return reverse("portal:branding_preview", args=[unit.pk])


def test_the_holder_previews_her_units_documents(alice_client, alices_unit):
    response = alice_client.get(_url(alices_unit))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_another_member_gets_404_and_changes_nothing(bob_client, alices_unit):
    assert bob_client.get(_url(alices_unit)).status_code == 404
    data = {"layout": "modern", "accent_color": "#000000", "introduction_fr": "Bob was here"}
    assert bob_client.post(_url(alices_unit), data).status_code == 404
    other = ProductionUnit.objects.get(code="UP-0002")
    assert bob_client.get(_url(other)).status_code == 404
    edit = reverse("portal:branding_edit", args=[alices_unit.pk])
    assert bob_client.post(edit, data).status_code == 404
    assert not InvoiceBranding.objects.exists()


def test_a_unit_that_does_not_exist_is_404(alice_client):
    assert alice_client.get(_url(ProductionUnit(pk=999_999))).status_code == 404


def test_anonymous_is_sent_to_the_login_page(client, alices_unit):
    url = _url(alices_unit)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


def test_an_account_without_member_profile_is_refused(claire_client, alices_unit):
    response = claire_client.get(_url(alices_unit))
    assert response.status_code == 403
    assert "UP-0001" not in response.content.decode()
