"""Receipts scanned or dropped, read into a proposal, checked and filed as expense claims.

The receipts are generated (devtools.receipts_testset, seeded): each test knows what is
printed on them. The reading figures of the whole set are the benchmark's
(manage.py bench_receipts, docs/BENCHMARKS.md)."""

from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_trail
from core.templatetags.portal import format_money
from devtools.receipts_testset import generate
from payroll.expenses.receipts.parsing import parse_receipt, proposal
from payroll.expenses.receipts.read_services import receipt_read
from payroll.expenses.receipts.reading import read_text
from payroll.expenses.receipts.services import (
    receipt_discard,
    receipt_duplicates,
    receipt_file,
    receipt_initial,
    receipt_upload,
)
from payroll.models import ExpenseCategory, ExpenseClaim, Receipt
from tests.expense_helpers import JPEG, with_mfa
from tests.factories.members import AdvisorFactory, office

UBL = Path(__file__).parent.parent / "fixtures" / "ubl" / "papeterie-up-0002.xml"
TODAY = timezone.localdate()


@cache
def clean(count=10):
    return generate(count)


@cache
def noisy(count=4):
    return generate(count, noisy=True)


@cache
def recent(count=6):
    """Receipts dated in the last weeks (their claims are within the yearly deadline)."""
    start = max(TODAY - timedelta(days=20), date(TODAY.year, 1, 1))
    return generate(count, seed=7, start=start, days=max(1, (TODAY - start).days))


def _upload(sample):
    return SimpleUploadedFile(sample.name, sample.content, content_type=sample.content_type)


# --- the parser, on text ---------------------------------------------------------------------


def test_belgian_dates_french_and_dutch_months_and_comma_totals():
    text = """BRASSERIE DU PARC
TVA BE 0203.201.340
Le 6 décembre 2026  12:41
Plat du jour          18,50
SOUS-TOTAL            18,50
TOTAL À PAYER         1.218,50 EUR
TVA 12%  1.087,95  130,55  1.218,50
"""
    read = {name: r.value for name, r in parse_receipt(text).items()}
    assert read["spent_on"] == "2026-12-06"
    assert read["total"] == "1218.50"
    assert read["vat_number"] == "BE0203201340"
    assert read["vat_12"] == "130.55"
    assert read["currency"] == "EUR"
    assert read["category"] == "meals"
    assert read["supplier"] == "BRASSERIE DU PARC"
    dutch = parse_receipt("Datum: 3 maart 2026\nTE BETALEN 12,00\n")
    assert dutch["spent_on"].value == "2026-03-03"
    assert dutch["total"].value == "12.00"
    assert parse_receipt("Op 31-01-26\nTOTAAL 7,5\n")["spent_on"].value == "2026-01-31"


def test_a_vat_number_whose_check_digits_fail_is_not_proposed():
    readings = parse_receipt("SHOP\nBTW BE 0203.201.341\nTOTAAL 10,00\n")
    assert "vat_number" not in readings


def test_a_ticket_without_a_total_line_proposes_no_total():
    """The largest amount is kept as a hint with a low confidence: never filled in."""
    readings = {k: r.as_json() for k, r in parse_receipt("SHOP\nCafé 3,20\nEau 2,50\n").items()}
    assert readings["total"]["value"] == "3.20"
    assert readings["total"]["confidence"] < 0.7
    assert "total" not in proposal(readings)


def test_a_date_after_today_is_not_proposed():
    readings = parse_receipt("Date: 12/03/2027\nTOTAL 5,00", today=date(2026, 12, 7))
    assert "spent_on" not in readings


# --- reading the generated receipts ----------------------------------------------------------


@pytest.mark.parametrize("index", range(5))  # a JPEG, a PNG, a JPEG, a scanned PDF, a text PDF
def test_the_reader_reads_the_clean_receipts_exactly(index):
    sample = clean()[index]
    text = read_text(sample.content, is_pdf=sample.content_type == "application/pdf")
    assert text.method == ("pdf_text" if index == 4 else "ocr")
    proposed = proposal({k: r.as_json() for k, r in parse_receipt(text.text).items()})
    assert proposed["total"] == f"{sample.total:.2f}"
    assert proposed["spent_on"] == sample.spent_on.isoformat()
    assert proposed["vat_number"] == sample.vat_number
    assert proposed["category"] == sample.category
    for rate, vat in sample.vat_by_rate.items():
        assert proposed[f"vat_{rate}"] == f"{vat:.2f}"


@pytest.mark.parametrize("index", range(4))
def test_on_noisy_photos_what_is_proposed_is_right(index):
    """A field read from a noisy photo is either right or not proposed: never a wrong value
    filled in silently."""
    sample = noisy()[index]
    text = read_text(sample.content, is_pdf=sample.content_type == "application/pdf")
    proposed = proposal({k: r.as_json() for k, r in parse_receipt(text.text).items()})
    expected = {
        "total": f"{sample.total:.2f}",
        "spent_on": sample.spent_on.isoformat(),
        "vat_number": sample.vat_number,
    }
    for field, value in expected.items():
        assert proposed.get(field, value) == value
    assert proposed["total"] == expected["total"]


# --- upload, reading, filing -------------------------------------------------------------------


@pytest.fixture
def read_at_once(django_capture_on_commit_callbacks):
    """Receipts uploaded inside it are read when their upload commits (Celery runs eagerly)."""

    def upload(sample, by):
        with django_capture_on_commit_callbacks(execute=True):
            receipt = receipt_upload(upload=_upload(sample), by=by)
        receipt.refresh_from_db()
        return receipt

    return upload


@pytest.mark.django_db
def test_a_receipt_is_read_in_the_background_into_a_proposal(alice, read_at_once):
    sample = recent()[0]
    receipt = read_at_once(sample, alice)
    assert receipt.status == Receipt.Status.READ
    assert receipt.method == Receipt.Method.OCR
    assert len(receipt.sha256) == 64
    initial, unsure = receipt_initial(receipt)
    assert initial["amount"] == sample.total
    assert initial["spent_on"] == sample.spent_on
    assert initial["category"] == ExpenseCategory.objects.get(code=sample.category).pk
    assert "amount" not in unsure and "spent_on" not in unsure
    assert [event.action for event in audit_trail(receipt)] == ["receipt.read", "receipt.uploaded"]
    # A task delivered twice: the second reading finds the receipt read and changes nothing.
    assert receipt_read(receipt_id=receipt.pk) is None
    assert audit_trail(receipt).filter(action="receipt.read").count() == 1


@pytest.mark.django_db
def test_filing_goes_through_the_claim_rules_and_keeps_what_changed(
    alice, alice_activity, read_at_once
):
    sample = recent()[4]  # a PDF with a text layer
    receipt = read_at_once(sample, alice)
    assert receipt.method == Receipt.Method.PDF_TEXT
    initial, _unsure = receipt_initial(receipt)
    claim = receipt_file(
        receipt=receipt,
        by=alice,
        unit=alice_activity,
        category=ExpenseCategory.objects.get(code="other"),
        spent_on=initial["spent_on"],
        description="Fournitures pour l'atelier",
        amount=initial["amount"],
        vat=initial.get("vat"),
    )
    receipt.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.SUBMITTED
    assert claim.amount == sample.total
    assert claim.receipt.read() == sample.content
    assert receipt.claim == claim and receipt.status == Receipt.Status.FILED
    assert receipt.filed["category"] == "other"
    filed = next(e for e in audit_trail(claim) if e.action == "receipt.filed")
    assert filed.changes["changed"]["category"] == [sample.category, "other"]
    assert "amount" not in filed.changes["changed"]
    with pytest.raises(ValidationError):
        receipt_file(
            receipt=receipt, by=alice, unit=alice_activity, category=claim.category,
            spent_on=claim.spent_on, description="again", amount=claim.amount,
        )  # fmt: skip


@pytest.mark.django_db
def test_the_balance_rule_of_claims_applies_to_a_receipt(alice, alice_activity, read_at_once):
    receipt = read_at_once(recent()[4], alice)
    with pytest.raises(ValidationError) as refused:
        receipt_file(
            receipt=receipt, by=alice, unit=alice_activity,
            category=ExpenseCategory.objects.get(code="other"),
            spent_on=TODAY - timedelta(days=1), description="Trop cher", amount="5000.00",
        )  # fmt: skip
    assert "missing" in refused.value.message_dict["amount"][0]
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.READ and receipt.claim is None
    assert not ExpenseClaim.objects.exists()


@pytest.mark.django_db
def test_only_its_owner_files_or_discards_a_receipt(alice, bob, alice_activity, read_at_once):
    receipt = read_at_once(recent()[4], alice)
    with pytest.raises(PermissionDenied):
        receipt_file(
            receipt=receipt, by=bob, unit=alice_activity,
            category=ExpenseCategory.objects.get(code="other"),
            spent_on=TODAY, description="x", amount="1.00",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        receipt_discard(receipt=receipt, by=bob)
    receipt_discard(receipt=receipt, by=alice)
    assert not Receipt.objects.exists()


@pytest.mark.django_db
def test_the_same_file_twice_is_flagged(alice, read_at_once):
    sample = recent()[4]
    first = read_at_once(sample, alice)
    second = read_at_once(sample, alice)
    messages = [dup.message for dup in receipt_duplicates(second)]
    assert any("same file" in message for message in messages)
    assert any(dup.receipt == first for dup in receipt_duplicates(second))


@pytest.mark.django_db
def test_the_same_supplier_date_and_total_in_another_file_is_flagged(alice, read_at_once):
    sample = recent()[4]
    first = read_at_once(sample, alice)
    # Another file (a photo of the same ticket): other bytes, same values printed.
    photo = generate(5, seed=7, start=sample.spent_on, days=1)[4]
    photo.content += b"\n%% another scan"
    photo.total, photo.vat_number = sample.total, sample.vat_number
    second = read_at_once(photo, alice)
    second.read = dict(first.read)  # what the reading of the same ticket gives
    second.save()
    duplicates = receipt_duplicates(second)
    assert [dup.receipt for dup in duplicates] == [first]
    assert "same supplier, date and total" in duplicates[0].message


@pytest.mark.django_db
def test_a_ubl_e_invoice_is_read_exactly_without_ocr(alice, read_at_once):
    receipt = read_at_once(
        type("Sample", (), {"name": "pv.xml", "content": UBL.read_bytes(),
                            "content_type": "application/xml"}),
        alice,
    )  # fmt: skip
    assert receipt.method == Receipt.Method.UBL
    assert receipt.text == ""
    values = {name: reading["value"] for name, reading in receipt.read.items()}
    assert values["spent_on"] == "2026-11-02"
    assert values["vat_number"] == "BE0412345614"
    assert values["supplier"] == "Papeterie Verte SRL"
    assert all(reading["confidence"] == 1.0 for reading in receipt.read.values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b"", "image/jpeg", "empty"),
        (b"MZ\x90\x00 not a photo", "image/jpeg", "neither"),
        (b"<?xml version='1.0'?><html/>", "application/xml", "e-invoice"),
    ],
)
def test_a_bad_file_is_refused_naming_the_field(alice, content, content_type, message):
    with pytest.raises(ValidationError) as refused:
        receipt_upload(upload=SimpleUploadedFile("x", content, content_type=content_type), by=alice)
    assert message in refused.value.message_dict["receipt"][0]
    assert not Receipt.objects.exists()


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_offers_the_camera_and_a_file_choice(alice_client, alice_activity):
    content = alice_client.get(reverse("portal:receipt_inbox")).content.decode()
    assert 'capture="environment"' in content
    assert content.count('name="receipt"') == 2
    assert "application/pdf" in content and "multiple" in content


@pytest.mark.django_db(transaction=False)
def test_a_member_drops_receipts_checks_and_files_one(
    alice_client, alice, alice_activity, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "en"
    samples = [recent()[4], recent()[1]]
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("portal:receipt_inbox"), {"receipt": [_upload(s) for s in samples]}
        )
    assert response.status_code == 302
    assert Receipt.objects.filter(owner=alice, status=Receipt.Status.READ).count() == 2
    inbox = alice_client.get(reverse("portal:receipt_inbox")).content.decode()
    for sample in samples:  # what was read, the Belgian way: 62,82 € on 22/11/2026
        assert format_money(sample.total, "en") in inbox
        assert sample.spent_on.strftime("%d/%m/%Y") in inbox
    receipt = Receipt.objects.get(original_name=samples[0].name)
    page = alice_client.get(reverse("portal:receipt_review", args=[receipt.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["amount"] == samples[0].total
    assert "receipt" not in form.fields
    response = alice_client.post(
        reverse("portal:receipt_review", args=[receipt.pk]),
        {
            "unit": alice_activity.pk,
            "category": ExpenseCategory.objects.get(code="material").pk,
            "spent_on": samples[0].spent_on.isoformat(),
            "description": "Câbles",
            "amount": f"{samples[0].total}",
            "vat": "0",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    claim = ExpenseClaim.objects.get()
    assert claim.scan == receipt
    assert alice_client.get(reverse("portal:receipt_review", args=[receipt.pk]))[
        "Location"
    ] == reverse("portal:expense_detail", args=[claim.pk])


@pytest.mark.django_db
def test_a_bad_file_in_a_drop_is_named_and_the_others_are_kept(alice_client, alice_activity):
    response = alice_client.post(
        reverse("portal:receipt_inbox"),
        {"receipt": [
            SimpleUploadedFile("virus.exe", b"MZ\x90", content_type="image/jpeg"),
            SimpleUploadedFile("ok.jpg", JPEG, content_type="image/jpeg"),
        ]},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert "virus.exe" in response.content.decode()
    assert list(Receipt.objects.values_list("original_name", flat=True)) == ["ok.jpg"]


@pytest.mark.django_db
def test_the_advisor_sees_the_receipt_what_was_read_and_what_changed(
    client, claire_client, alice, alice_activity, read_at_once
):
    sample = recent()[4]
    receipt = read_at_once(sample, alice)
    read_at_once(sample, alice)  # the same file again: a duplicate
    claim = receipt_file(
        receipt=receipt, by=alice, unit=alice_activity,
        category=ExpenseCategory.objects.get(code="other"), spent_on=sample.spent_on,
        description="Atelier", amount=sample.total,
    )  # fmt: skip
    change = reverse("admin:payroll_expenseclaim_change", args=[claim.pk])
    page = claire_client.get(change, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "receipt-reading" in page
    assert sample.vat_number in page
    assert "changed by the member" in page
    assert "same file" in page
    assert receipt_reading_flagged(claire_client, claim)
    # An advisor of another office sees neither the claim nor its receipt.
    namur = AdvisorFactory(office=office("namur"))
    client.force_login(with_mfa(namur))
    assert client.get(change).status_code == 302
    receipt_url = reverse("admin:payroll_expenseclaim_receipt", args=[claim.pk])
    assert client.get(receipt_url).status_code == 404


@pytest.mark.django_db
def test_a_heic_photo_is_kept_as_a_jpeg(alice):
    import io

    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, "HEIF")
    upload = SimpleUploadedFile("IMG_0001.HEIC", buffer.getvalue(), content_type="image/heic")
    receipt = receipt_upload(upload=upload, by=alice)
    assert receipt.content_type == "image/jpeg"
    assert receipt.file.name.endswith(".jpg")
    assert receipt.file.read().startswith(b"\xff\xd8\xff")


@pytest.mark.django_db
def test_the_member_is_warned_of_a_duplicate_before_filing(alice_client, alice, read_at_once):
    sample = recent()[4]
    read_at_once(sample, alice)
    second = read_at_once(sample, alice)
    page = alice_client.get(reverse("portal:receipt_review", args=[second.pk]))
    assert page.content.decode().count("data-duplicate") == 1
    inbox = alice_client.get(reverse("portal:receipt_inbox")).content.decode()
    assert inbox.count("data-duplicate") == 2  # each of the two names the other


@pytest.mark.django_db
def test_a_field_not_read_with_confidence_is_left_empty_and_highlighted(alice_client, alice):
    receipt = receipt_upload(upload=_upload(recent()[4]), by=alice)
    Receipt.objects.filter(pk=receipt.pk).update(
        status=Receipt.Status.READ,
        read={
            "total": {"value": "99.99", "confidence": 0.3},
            "spent_on": {"value": TODAY.isoformat(), "confidence": 0.9},
        },
    )
    page = alice_client.get(reverse("portal:receipt_review", args=[receipt.pk]))
    form = page.context["form"]
    assert "amount" not in form.initial
    assert form.initial["spent_on"] == TODAY
    assert "amount" in page.context["unsure"] and "spent_on" not in page.context["unsure"]
    assert 'class="to-check"' in page.content.decode()


def test_the_benchmark_section_replaces_its_own_only():
    from devtools.management.commands.bench_receipts import kept_section, replace_section

    document = (
        "# Benchmarks\n\n## Figures\n\nold\n\n## Receipts (OCR)\n\nold ocr\n\n## After\n\nx\n"
    )
    updated = replace_section(document, "## Receipts (OCR)\n\nnew ocr\n")
    assert (
        updated
        == "# Benchmarks\n\n## Figures\n\nold\n\n## Receipts (OCR)\n\nnew ocr\n\n## After\n\nx\n"
    )
    assert kept_section(updated) == "## Receipts (OCR)\n\nnew ocr\n\n"
    assert replace_section("# B\n", "## Receipts (OCR)\n\nfirst\n") == (
        "# B\n\n## Receipts (OCR)\n\nfirst\n"
    )


@pytest.mark.django_db
def test_a_photo_that_cannot_be_opened_is_marked_unreadable(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        receipt = receipt_upload(upload=SimpleUploadedFile("x.jpg", JPEG, "image/jpeg"), by=alice)
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.UNREADABLE
    assert receipt.problem
    assert receipt.read == {}


@pytest.mark.django_db
def test_an_oversize_receipt_is_stopped_while_it_comes_in(alice_client, alice_activity):
    too_big = SimpleUploadedFile("big.jpg", JPEG + b"0" * (10 * 2**20), content_type="image/jpeg")
    response = alice_client.post(reverse("portal:receipt_inbox"), {"receipt": [too_big]})
    assert response.status_code == 413
    assert not Receipt.objects.exists()


@pytest.mark.django_db
def test_the_check_form_offers_no_mileage_category(alice_client, alice):
    receipt = receipt_upload(upload=_upload(recent()[4]), by=alice)
    page = alice_client.get(reverse("portal:receipt_review", args=[receipt.pk]))
    categories = page.context["form"].fields["category"].queryset
    assert not categories.filter(is_mileage=True).exists()
    assert "distance_km" not in page.context["form"].fields


def test_a_photo_taken_sideways_is_turned_upright_before_it_is_read():
    import io

    from PIL import Image

    sample = clean()[0]
    turned = io.BytesIO()
    Image.open(io.BytesIO(sample.content)).rotate(90, expand=True).save(turned, "PNG")
    text = read_text(turned.getvalue(), is_pdf=False)
    assert proposal({k: r.as_json() for k, r in parse_receipt(text.text).items()})["total"] == (
        f"{sample.total:.2f}"
    )


@pytest.mark.django_db
def test_a_ubl_e_invoice_is_filed_as_the_claims_receipt(alice, alice_activity, read_at_once):
    content = b"\xef\xbb\xbf\n" + UBL.read_bytes()  # a byte-order mark and a blank line first
    sample = type("Sample", (), {"name": "pv.xml", "content": content,
                                 "content_type": "text/xml"})  # fmt: skip
    receipt = read_at_once(sample, alice)
    initial, unsure = receipt_initial(receipt)
    assert initial["amount"] == Decimal("283.00") and initial["vat"] == Decimal("33.00")
    claim = receipt_file(
        receipt=receipt, by=alice, unit=alice_activity,
        category=ExpenseCategory.objects.get(code="material"), spent_on=initial["spent_on"],
        description=initial["description"], amount=initial["amount"], vat=initial["vat"],
        today=date(2026, 11, 23),
    )  # fmt: skip
    assert claim.receipt.name.endswith(".xml")
    assert claim.receipt.read().startswith(b"<?xml")


def receipt_reading_flagged(client, claim) -> bool:
    """The claim is in the advisor's list of possible duplicates, marked so, and not in the
    list of claims typed by hand."""
    changelist = reverse("admin:payroll_expenseclaim_changelist")
    flagged = client.get(changelist, {"scan": "duplicate"})
    typed = client.get(changelist, {"scan": "typed"})
    return (
        [c.pk for c in flagged.context["cl"].result_list] == [claim.pk]
        and 'class="duplicate"' in flagged.content.decode()
        and claim.pk not in [c.pk for c in typed.context["cl"].result_list]
    )


def test_the_generated_set_has_forty_receipts_of_every_kind_with_known_values():
    """The measured set (manage.py bench_receipts): 40 clean and 40 noisy receipts, French
    and Dutch, photos and PDFs, valid VAT numbers, the VAT lines adding up to the total; the
    same seed gives the same files."""
    from stdnum.be import vat as be_vat

    for noisy_set in (False, True):
        samples = generate(40, noisy=noisy_set)
        assert len(samples) == 40
        assert {s.language for s in samples} == {"fr", "nl"}
        assert {s.content_type for s in samples} == {"image/jpeg", "image/png", "application/pdf"}
        assert all(be_vat.is_valid(s.vat_number) for s in samples)
        assert all(s.content[:4] in (b"\xff\xd8\xff\xe0", b"\x89PNG", b"%PDF") for s in samples)
    first = generate(3, noisy=True)
    assert [s.content for s in first] == [s.content for s in generate(3, noisy=True)]
    assert [s.total for s in first] == [s.total for s in noisy()[:3]]
