"""Who reaches the receipt pages: alice her own receipts, bob none of them (404 on each,
nothing of hers in his list), anonymous visitors the login page."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payroll.expenses.receipts.services import receipt_upload
from payroll.models import Receipt
from tests.expense_helpers import JPEG

pytestmark = pytest.mark.django_db

# URL name → whether it shows one of alice's receipts (its `pk`)
PORTAL = {
    "receipt_inbox": False,
    "receipt_review": True,
    "receipt_file": True,
    "receipt_discard": True,
}
PORTAL_URLS = set(PORTAL)
POST_ONLY = {"receipt_discard"}


@pytest.fixture
def receipt(alice):
    # Not read (its reading is queued on commit, which a test transaction never reaches).
    upload = SimpleUploadedFile("secret-alice.jpg", JPEG, content_type="image/jpeg")
    found = receipt_upload(upload=upload, by=alice)
    Receipt.objects.filter(pk=found.pk).update(status=Receipt.Status.UNREADABLE)
    return found


def _url(name, receipt):
    return reverse(f"portal:{name}", kwargs={"pk": receipt.pk} if PORTAL[name] else {})


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("name", sorted(set(PORTAL) - POST_ONLY))
def test_alice_reaches_every_receipt_page(alice_client, alice_activity, receipt, name):
    response = alice_client.get(_url(name, receipt))
    assert response.status_code == 200
    if name == "receipt_file":
        assert _body(response) == JPEG
        assert response["Content-Security-Policy"] == "sandbox"


def test_alice_discards_her_receipt(alice_client, receipt):
    response = alice_client.post(_url("receipt_discard", receipt))
    assert response.status_code == 302
    assert not Receipt.objects.exists()


@pytest.mark.parametrize("name", sorted(PORTAL))
def test_anonymous_is_sent_to_the_login_page(client, receipt, name):
    url = _url(name, receipt)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize("name", sorted(n for n, own in PORTAL.items() if own))
def test_bob_gets_404_on_alices_receipt(bob_client, receipt, name):
    assert bob_client.get(_url(name, receipt)).status_code in (404, 405)
    assert bob_client.post(_url(name, receipt), {}).status_code == 404
    assert Receipt.objects.filter(pk=receipt.pk).exists()


def test_bob_sees_none_of_alices_receipts(bob_client, receipt):
    response = bob_client.get(_url("receipt_inbox", receipt))
    assert response.status_code == 200
    assert "secret-alice" not in response.content.decode()


def test_the_private_file_view_refuses_another_member(bob_client, receipt):
    url = receipt.file.url
    assert bob_client.get(url).status_code == 404
