"""The membership API's behaviour: my shares at a date, asking for a certificate, the PDF
once ready. Access (who sees what) is in test_memadmin_access.py."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.audit import audit_trail
from members.models import ShareCertificate, ShareRegisterEntry
from members.share_payment_services import share_payment_record, shares_subscribe
from tests.english import speak_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_with_shares(alice, claire, settings, tmp_path):
    """2 shares on 2024-01-15 (60 €), 30 € paid on 2024-01-20 and 30 € on 2024-03-01."""
    settings.MEDIA_ROOT = tmp_path
    entry = shares_subscribe(member=alice.member, shares=2, by=claire, on=date(2024, 1, 15))
    share_payment_record(
        target=entry, amount=Decimal("30.00"), paid_on=date(2024, 1, 20), by=claire
    )
    share_payment_record(target=entry, amount=Decimal("30.00"), paid_on=date(2024, 3, 1), by=claire)
    return alice


def _http(user) -> HttpClient:
    http = speak_english(HttpClient())
    http.force_login(user)
    return http


def test_my_shares_at_a_date_use_only_the_entries_up_to_that_date(alice_with_shares):
    http = _http(alice_with_shares)
    before = http.get(reverse("api:my-shares"), {"at": "2024-02-01"}).json()
    assert before["as_of"] == "2024-02-01"
    assert (before["held"], before["paid_up"], before["unpaid"]) == (2, "30.00", "30.00")
    assert [entry["operation"] for entry in before["entries"]] == ["subscription", "payment"]
    now = http.get(reverse("api:my-shares")).json()
    assert (now["held"], now["paid_up"], now["unpaid"], now["fully_paid_shares"]) == (
        2,
        "60.00",
        "0.00",
        2,
    )
    assert now["entries"][0]["unit_price"] == "30.00"
    assert now["entries"][0]["amount"] == "60.00"


def test_a_bad_date_is_refused_naming_the_parameter(alice_with_shares):
    response = _http(alice_with_shares).get(reverse("api:my-shares"), {"at": "2024-13-01"})
    assert response.status_code == 400
    assert "at" in response.json()


def test_asking_for_a_certificate_prepares_its_pdf(
    alice_with_shares, django_capture_on_commit_callbacks
):
    http = _http(alice_with_shares)
    entries = ShareRegisterEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("api:my-certificates"), {"as_of": "2024-12-31"}, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["as_of"], data["shares"], data["paid_up_amount"]) == ("2024-12-31", 2, "60.00")
    certificate = ShareCertificate.objects.get(pk=data["id"])
    assert certificate.member == alice_with_shares.member
    assert audit_trail(alice_with_shares.member).first().action == "share_certificate.requested"
    assert ShareRegisterEntry.objects.count() == entries  # reading the register writes nothing
    listed = http.get(reverse("api:my-certificates")).json()["results"]
    assert listed[0]["status"] == "ready"
    pdf = http.get(listed[0]["pdf_url"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_a_certificate_still_being_prepared_answers_409(alice_with_shares):
    http = _http(alice_with_shares)
    # Without the commit (the test's transaction), the rendering task has not run.
    response = http.post(reverse("api:my-certificates"), {}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert response.json()["pdf_url"] is None
    url = reverse("api:my-certificate-pdf", kwargs={"certificate_id": response.json()["id"]})
    pending = http.get(url)
    assert pending.status_code == 409
    assert "prepared" in pending.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"as_of": "2024-01-14"}, "as_of"),  # no share held yet
        ({"as_of": "2999-01-01"}, "as_of"),  # the future
        ({"as_of": "yesterday"}, "as_of"),
        ({"shares": 5}, "shares"),  # not a field of this request
    ],
)
def test_a_bad_certificate_request_is_refused_naming_the_field(alice_with_shares, payload, field):
    response = _http(alice_with_shares).post(
        reverse("api:my-certificates"), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert ShareCertificate.objects.count() == 0
