"""Upload sizes are enforced while the body comes in (issue 14, point 5): an oversize file is
refused with a 413 naming the field, and the test's request body raises if the server reads
much past the limit, so "refused after reading it all" fails here."""

import json

import pytest
from django.urls import reverse

from core.uploads import UploadLimitHandler, limit_for
from payroll.expenses.services import MAX_RECEIPT_SIZE
from payroll.models import ExpenseClaim
from tests.expense_helpers import category, jpeg, recent_day

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # the assertions read the English messages


BOUNDARY = "smartcoop-boundary"
# Django reads the body in 64 KB chunks: a server that stops at the limit reads at most one
# chunk past it (plus the part headers).
SLACK = 256 * 1024


class BodyReadTooFar(AssertionError):
    pass


class OversizeBody:
    """A multipart body of `fields` and one file of `file_size` bytes, produced as it is read;
    reading past `max_read` bytes raises BodyReadTooFar."""

    def __init__(self, fields: dict, file_field: str, file_size: int, max_read: int):
        head = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '
            'filename="ticket.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        )
        self.head = head.encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + file_size + len(self.tail)
        self.position = 0
        self.max_read = max_read

    def _byte(self, index: int) -> bytes:
        if index < len(self.head):
            return self.head[index : index + 1]
        if index >= self.length - len(self.tail):
            return self.tail[index - (self.length - len(self.tail)) :][:1]
        return b"\xff"

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length - self.position
        end = min(self.length, self.position + size)
        if end > self.max_read:
            raise BodyReadTooFar(f"the server read {end} bytes of {self.length}")
        start, self.position = self.position, end
        if start >= len(self.head) and end <= self.length - len(self.tail):
            return b"\xff" * (end - start)
        return b"".join(self._byte(index) for index in range(start, end))

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _send(client, url, body: OversizeBody, **extra):
    return client.generic(
        "POST",
        url,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.length),
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            **extra,
        },
    )


def _claim_fields(unit) -> dict:
    return {
        "unit": unit.pk,
        "category": category().pk,
        "spent_on": recent_day().isoformat(),
        "description": "Câbles XLR",
        "amount": "25.00",
        "vat": "4.34",
    }


def test_a_20_mb_receipt_in_the_portal_is_refused_without_reading_it_all(
    alice_client, alice_activity
):
    body = OversizeBody(
        _claim_fields(alice_activity), "receipt", 20 * 2**20, MAX_RECEIPT_SIZE + SLACK
    )
    response = _send(alice_client, reverse("portal:expense_create"), body)

    assert response.status_code == 413
    content = response.content.decode()
    assert "receipt" in content
    assert "10 MB" in content
    assert body.position <= MAX_RECEIPT_SIZE + SLACK
    assert not ExpenseClaim.objects.exists()


def test_an_11_mb_receipt_through_the_api_is_a_413_naming_the_field(alice_client, alice_activity):
    body = OversizeBody(
        _claim_fields(alice_activity), "receipt", 11 * 2**20, MAX_RECEIPT_SIZE + SLACK
    )
    response = _send(alice_client, "/api/v1/expense-claims/", body)

    assert response.status_code == 413
    assert json.loads(response.content) == {"receipt": ["The file is larger than 10 MB."]}
    assert not ExpenseClaim.objects.exists()


def test_a_60_mb_body_is_refused_before_a_byte_is_read(alice_client, alice_activity):
    body = OversizeBody(_claim_fields(alice_activity), "receipt", 60 * 2**20, max_read=0)
    response = _send(alice_client, "/api/v1/expense-claims/", body)

    assert response.status_code == 413
    assert body.position == 0
    message = json.loads(response.content)["non_field_errors"][0]
    assert message == "The request is larger than 52 MB."
    page = _send(alice_client, reverse("portal:expense_create"), body)
    assert page.status_code == 413
    assert "52 MB" in page.content.decode()


def test_a_receipt_under_the_limit_still_goes_through(alice_client, alice_activity):
    response = alice_client.post(
        reverse("portal:expense_create"),
        {**_claim_fields(alice_activity), "receipt": jpeg()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ExpenseClaim.objects.count() == 1


def test_field_limits_follow_the_services_and_ignore_formset_prefixes():
    assert limit_for("receipt") == MAX_RECEIPT_SIZE
    assert limit_for("expenses-0-receipt") == MAX_RECEIPT_SIZE
    assert limit_for("logo") == 2**20
    handler = UploadLimitHandler()
    handler.new_file("logo", "logo.png", "image/png", 0)
    assert handler.receive_data_chunk(b"x" * 1024, 0) == b"x" * 1024
