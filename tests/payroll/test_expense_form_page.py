"""The expense claim form on a phone: the receipt from the camera or from the phone's files
(a PDF), a job offered only for a 3en1 unit and only that unit's, and the deadlines still open
computed from the dated payroll policy, in Belgian dates."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone as django_timezone

from payroll.expenses import views as expense_views
from payroll.models import ExpenseClaim
from tests.expense_helpers import PDF, category, jpeg, pdf, recent_day
from tests.work_helpers import make_job

pytestmark = pytest.mark.django_db

URL = "portal:expense_create"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


def _form(unit, **fields):
    data = {
        "unit": unit.pk,
        "category": category().pk,
        "spent_on": recent_day().isoformat(),
        "description": "Rouleau de câble",
        "amount": "25.00",
        "vat": "4.34",
        "receipt": jpeg("IMG_0042.jpg"),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def _inputs(content: str) -> list[str]:
    return re.findall(r'<input[^>]*type="file"[^>]*>', content)


def test_the_receipt_can_come_from_the_camera_or_from_a_file(alice_client, alice_activity):
    content = alice_client.get(reverse(URL)).content.decode()
    inputs = _inputs(content)
    assert len(inputs) == 2
    assert all('name="receipt"' in tag for tag in inputs)
    camera = [tag for tag in inputs if 'capture="environment"' in tag]
    files = [tag for tag in inputs if "capture" not in tag]
    assert len(camera) == len(files) == 1
    assert 'accept="image/*"' in camera[0]
    assert "application/pdf" in files[0]
    assert "Take a photo" in content
    assert "Choose a file (photo or PDF)" in content


def test_a_pdf_chosen_from_the_files_is_filed(alice_client, alice_activity):
    response = alice_client.post(reverse(URL), _form(alice_activity, receipt=pdf()))
    assert response.status_code == 302
    claim = ExpenseClaim.objects.get()
    with claim.receipt.open("rb") as stored:
        assert stored.read() == PDF


def test_a_photo_and_a_file_at_once_are_refused_on_the_receipt(alice_client, alice_activity):
    data = _form(alice_activity, receipt=[jpeg("camera.jpg"), pdf("scan.pdf")])
    response = alice_client.post(reverse(URL), data)
    assert response.status_code == 400
    assert response.context["form"].errors["receipt"] == [
        "Send one receipt: the photo or the file, not both."
    ]
    assert not ExpenseClaim.objects.exists()


def test_jobs_name_their_unit_and_units_their_tool(alice_client, alice, alice_3en1, alice_activity):
    job = make_job(alice, alice_3en1)
    content = alice_client.get(reverse(URL)).content.decode()
    assert re.search(rf'value="{job.pk}" data-unit="{alice_3en1.pk}"', content)
    assert re.search(rf'value="{alice_3en1.pk}"[^>]* data-tool="3en1"', content)
    assert re.search(rf'value="{alice_activity.pk}"[^>]* data-tool="activite"', content)
    assert "data-job-field" in content


def test_a_3en1_job_with_an_activite_unit_is_refused_on_the_job(
    alice_client, alice, alice_3en1, alice_activity
):
    job = make_job(alice, alice_3en1)
    response = alice_client.post(reverse(URL), _form(alice_activity, job=job.pk))
    assert response.status_code == 400
    assert response.context["form"].errors["job"] == ["This job belongs to another unit."]
    assert not ExpenseClaim.objects.exists()


class _Pinned:
    def __init__(self, day):
        self.day = day

    def __getattr__(self, name):
        return getattr(django_timezone, name)

    def localdate(self, *args, **kwargs):
        return self.day


def _deadlines(client, monkeypatch, today) -> list[tuple[str, str]]:
    monkeypatch.setattr(expense_views, "timezone", _Pinned(today))
    content = client.get(reverse(URL)).content.decode()
    return re.findall(
        r'data-deadline="(\d{4})">Expenses of \d{4} are accepted until ([^.]+)\.', content
    )


def test_in_december_only_this_years_deadline_is_shown(alice_client, alice_activity, monkeypatch):
    # The policy in force: expenses of a year until 15 January of the next.
    assert _deadlines(alice_client, monkeypatch, date(2026, 12, 7)) == [("2026", "15/01/2027")]


def test_early_january_shows_last_years_deadline_too(alice_client, alice_activity, monkeypatch):
    assert _deadlines(alice_client, monkeypatch, date(2027, 1, 15)) == [
        ("2026", "15/01/2027"),
        ("2027", "15/01/2028"),
    ]
    assert _deadlines(alice_client, monkeypatch, date(2027, 1, 16)) == [("2027", "15/01/2028")]
