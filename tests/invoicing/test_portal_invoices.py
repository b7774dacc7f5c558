"""The portal's invoice pages: new and edit with live totals, bad input refused, list with
filters and CSV, detail with payment and history, submit, delete, downloads, credit notes,
personalisation and receivables. Every write goes through the invoicing services."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from core.audit import audit_trail
from core.models import AuditEvent
from invoicing.branding_services import branding_update
from invoicing.invoice_services import (
    credit_note_create,
    invoice_create,
    invoice_issue,
    invoice_reject,
    invoice_submit,
)
from invoicing.models import Client, Invoice, InvoiceBranding, VatExemptionReason
from invoicing.payment_services import payment_record
from invoicing.reminders import reminder_send
from invoicing.totals import LineInput, compute_totals
from members.models import LegalEntity
from production_units.models import ProductionUnit, Sector
from production_units.services import unit_open
from tests.invoicing_helpers import line
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


# --- helpers shared with the quote and journey tests ----------------------------------------


def line_data(**fields) -> dict:
    """One line as the page posts it."""
    values = {
        "description": "Concert",
        "quantity": "1",
        "unit_code": "C62",
        "unit_price": "100.00",
        "vat": "S:21.00",
        "exemption_reason": "",
    }
    values.update(fields)
    return values


def document_data(lines, *, unit=None, client=None, **fields) -> dict:
    """What the document form posts: parties, the lines formset and other fields."""
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
    }
    if unit is not None:
        data["unit"] = str(unit.pk)
    if client is not None:
        data["client"] = str(client.pk)
    for index, values in enumerate(lines):
        for name, value in values.items():
            data[f"lines-{index}-{name}"] = value
    data.update(fields)
    return data


def reason(category: str) -> str:
    return str(VatExemptionReason.objects.filter(category=category).first().pk)


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def csv_rows(response) -> list[list[str]]:
    text = body(response)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def totals_of(content: str) -> dict:
    """The figures the live totals fragment gives, read from its data attributes."""

    def one(name):
        return Decimal(re.search(rf'data-{name}="([^"]+)"', content).group(1))

    return {
        "lines": [Decimal(v) for v in re.findall(r'data-line-amount="([^"]+)"', content)],
        "groups": [
            (category, Decimal(rate), Decimal(taxable), Decimal(vat))
            for category, rate, taxable, vat in re.findall(
                r'data-vat-category="([^"]+)" data-vat-rate="([^"]+)" '
                r'data-taxable="([^"]+)" data-vat="([^"]+)"',
                content,
            )
        ],
        "net": one("net-total"),
        "vat": one("vat-total"),
        "total": one("total"),
    }


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english_and_media(client, settings, tmp_path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PEPPOL_ACCESS_POINT = "file"
    settings.PEPPOL_OUTBOX_DIR = str(tmp_path / "outbox")


@pytest.fixture
def theatre(alice):
    """Verified, attached to alice's 3en1 unit (UP-0001)."""
    return Client.objects.get(name="Théâtre de la Place")


@pytest.fixture
def ecole(alice):
    """Not verified, attached to alice's Activité unit (UP-0002)."""
    return Client.objects.get(name="Ecole des Arts Gent")


@pytest.fixture
def denis_unit(denis, claire):
    return unit_open(
        by=claire,
        holder=denis.member,
        code="UP-0900",
        name="Denis — conférences",
        tool=ProductionUnit.Tool.ACTIVITY,
        sector=Sector.objects.get(code="formation-enseignement"),
        legal_entity=LegalEntity.objects.get(code="smartcoop"),
        opened_on=date(2024, 1, 1),
    )


@pytest.fixture
def issued(alice, alice_3en1, theatre, claire):
    """An issued invoice of 2 × 250.00 at 21 % (605.00), not yet paid."""
    draft = invoice_create(
        by=alice,
        unit=alice_3en1,
        client=theatre,
        lines=[line("Concert", "2", "250.00")],
        buyer_reference="PO-77",
    )
    return invoice_issue(invoice=draft, by=claire)


# --- new invoice --------------------------------------------------------------------------


def test_the_new_invoice_page_offers_my_active_units_and_each_units_clients(
    alice_client, alice_3en1, alice_activity, theatre, ecole
):
    response = alice_client.get(reverse("portal:invoice_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["unit"].queryset) == [alice_3en1, alice_activity]
    content = response.content.decode()
    assert re.search(rf'value="{theatre.pk}" data-units="{alice_3en1.pk}"', content)
    assert re.search(rf'value="{ecole.pk}" data-units="{alice_activity.pk}"', content)
    assert "Ecole des Arts Gent (to be verified)" in content
    # VAT rates in force, as one select; the exemption reasons carry their category.
    assert '<option value="S:21.00" selected>21 % · normal rate</option>' in content
    assert 'value="S:12.00">12 % · intermediate rate</option>' in content
    assert 'value="S:6.00">6 % · reduced rate</option>' in content
    assert 'value="E:0.00">0 % · exempt (E)</option>' in content
    assert f'value="{reason("E")}" data-category="E"' in content
    assert "js/invoice-form.js" in content


def test_an_invoice_with_two_lines_is_saved_as_a_draft_through_the_service(
    alice_client, alice, alice_3en1, theatre
):
    data = document_data(
        [
            line_data(description="Concert", quantity="2", unit_price="250"),
            line_data(description="Captation", quantity="1,5", unit_price="80.10", vat="S:6.00"),
        ],
        unit=alice_3en1,
        client=theatre,
        buyer_reference="PO-9",
        order_reference="",
        note="Merci !",
        language="fr",
        due_date="",
    )
    response = alice_client.post(reverse("portal:invoice_create"), data)
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:invoice_detail", args=[invoice.pk])
    assert invoice.status == Invoice.Status.DRAFT
    assert (invoice.unit, invoice.client, invoice.buyer_reference) == (alice_3en1, theatre, "PO-9")
    lines = list(invoice.lines.order_by("position"))
    assert [(ln.description, ln.quantity, ln.unit_price) for ln in lines] == [
        ("Concert", Decimal("2.000"), Decimal("250.0000")),
        ("Captation", Decimal("1.500"), Decimal("80.1000")),
    ]
    # 500.00 + 120.15 (1.5 × 80.10); VAT 105.00 + 7.21 (6 % of 120.15 = 7.209).
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (
        Decimal("620.15"),
        Decimal("112.21"),
        Decimal("732.36"),
    )
    [event] = audit_trail(invoice)
    assert (event.action, event.actor) == ("invoice.created", alice)


def test_blank_and_removed_lines_are_left_out(alice_client, alice_3en1, theatre):
    data = document_data(
        [
            line_data(description="", quantity="", unit_price=""),
            line_data(description="Kept", unit_price="10"),
            line_data(description="Removed", unit_price="99", DELETE="on"),
        ],
        unit=alice_3en1,
        client=theatre,
    )
    assert alice_client.post(reverse("portal:invoice_create"), data).status_code == 302
    assert list(Invoice.objects.get().lines.values_list("description", flat=True)) == ["Kept"]


def _bad_cases():
    """(lines, parties override, the message the page must show); each saves nothing."""
    return [
        pytest.param(
            [line_data(quantity="-2")],
            {},
            "Line 1: the quantity must be more than zero.",
            id="negative-quantity",
        ),
        pytest.param(
            [line_data(vat="S:17.00")],
            {},
            "VAT S at 17.00 % is not a rate in force",
            id="unknown-vat-rate",
        ),
        pytest.param(
            [line_data(vat="E:0.00")],
            {},
            "Line 1: a line without VAT needs its legal exemption reason.",
            id="exempt-without-reason",
        ),
        pytest.param(
            [line_data(vat="AE:0.00", exemption_reason="AE")],
            {},
            "reverse charge and intra-EU supply are for clients in another EU country.",
            id="reverse-charge-to-a-belgian-client",
        ),
        pytest.param(
            [line_data()],
            {"unit": "alice_activity"},
            "is not a client of unit UP-0002",
            id="client-of-another-unit",
        ),
        pytest.param(
            [line_data()],
            {"unit": "denis_unit"},
            "Choose one of your active units.",
            id="someone-elses-unit",
        ),
        pytest.param(
            [line_data(quantity="2x")],
            {},
            "Line 1, Quantity: Write a number, like 12 or 12.50.",
            id="malformed-quantity",
        ),
        pytest.param(
            [line_data(unit_price="1.2.3")],
            {},
            "Write a number, like 12 or 12.50.",
            id="malformed-price",
        ),
        pytest.param(
            [line_data(unit_price="NaN")],
            {},
            "Write a number, like 12 or 12.50.",
            id="not-a-number",
        ),
        pytest.param(
            [line_data(quantity="999999999", unit_price="9999999999")],
            {},
            "The amounts are too large for one document.",
            id="too-large-to-store",
        ),
        pytest.param(
            [line_data(description="", quantity="", unit_price="")],
            {},
            "Add at least one line.",
            id="empty-lines",
        ),
        pytest.param([], {}, "Add at least one line.", id="no-line-at-all"),
        pytest.param(
            [line_data(unit_price="10.12345")],
            {},
            "Line 1: the unit price has at most four decimals.",
            id="too-many-decimals",
        ),
        pytest.param(
            [line_data(vat="S:21.00", exemption_reason="E")],
            {},
            "an exemption reason only goes with a line without VAT",
            id="reason-with-vat",
        ),
    ]


def _resolve(lines, parties, request):
    lines = [
        {**values, "exemption_reason": reason(values["exemption_reason"])}
        if values.get("exemption_reason")
        else values
        for values in lines
    ]
    unit = request.getfixturevalue(parties.get("unit", "alice_3en1"))
    return lines, unit


@pytest.mark.parametrize(("lines", "parties", "message"), _bad_cases())
def test_a_new_invoice_with_bad_input_is_refused_and_nothing_is_saved(
    alice_client, theatre, lines, parties, message, request
):
    lines, unit = _resolve(lines, parties, request)
    events = AuditEvent.objects.count()
    response = alice_client.post(
        reverse("portal:invoice_create"), document_data(lines, unit=unit, client=theatre)
    )
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert not Invoice.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("lines", "parties", "message"), _bad_cases())
def test_the_live_totals_refuse_the_same_bad_input_with_the_same_message(
    alice_client, theatre, lines, parties, message, request
):
    lines, unit = _resolve(lines, parties, request)
    response = alice_client.post(
        reverse("portal:lines_totals"), document_data(lines, unit=unit, client=theatre)
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'data-totals-state="errors"' in content
    assert escape(message) in content
    assert "data-total=" not in content
    assert not Invoice.objects.exists()


def test_line_errors_are_shown_above_the_lines(alice_client, alice_3en1, theatre):
    data = document_data(
        [line_data(), line_data(description="", quantity="0")], unit=alice_3en1, client=theatre
    )
    content = alice_client.post(reverse("portal:invoice_create"), data).content.decode()
    errors = content.split('id="line-errors"', 1)[1].split("</div>", 1)[0]
    assert "Line 2: the description is required." in errors
    assert "Line 2: the quantity must be more than zero." in errors
    assert content.index('id="line-errors"') < content.index("data-lines")


def test_a_bad_due_date_or_language_lands_on_its_field(alice_client, alice_3en1, theatre):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    data = document_data([line_data()], unit=alice_3en1, client=theatre, due_date=yesterday)
    response = alice_client.post(reverse("portal:invoice_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["due_date"] == ["The due date can't be in the past."]
    data = document_data([line_data()], unit=alice_3en1, client=theatre, due_date="31/02/2026")
    response = alice_client.post(reverse("portal:invoice_create"), data)
    assert response.status_code == 400
    assert "due_date" in response.context["form"].errors
    data = document_data([line_data()], unit=alice_3en1, client=theatre, language="es")
    response = alice_client.post(reverse("portal:invoice_create"), data)
    assert response.status_code == 400
    assert "language" in response.context["form"].errors
    assert not Invoice.objects.exists()


def test_bob_without_unit_is_told_to_ask_for_one_and_cannot_use_alices(bob_client, alice_3en1):
    page = bob_client.get(reverse("portal:invoice_create"))
    assert 'id="no-active-unit"' in page.content.decode()
    theatre = Client.objects.get(name="Théâtre de la Place")
    response = bob_client.post(
        reverse("portal:invoice_create"),
        document_data([line_data()], unit=alice_3en1, client=theatre),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"unit", "client"}
    assert not Invoice.objects.exists()


# --- live totals ----------------------------------------------------------------------------


def test_the_live_totals_are_the_figures_of_compute_totals(alice_client, alice_3en1, theatre):
    lines = [
        line_data(quantity="3", unit_price="0.333"),
        line_data(quantity="7", unit_price="0,1429"),
        line_data(quantity="11", unit_price="0.0909", vat="S:6.00"),
        line_data(quantity="2", unit_price="300", vat="E:0.00", exemption_reason=reason("E")),
    ]
    response = alice_client.post(
        reverse("portal:lines_totals"), document_data(lines, unit=alice_3en1, client=theatre)
    )
    assert response.status_code == 200
    shown = totals_of(response.content.decode())
    # By hand: 0.999 → 1.00, 1.0003 → 1.00, 0.9999 → 1.00, 600.00; VAT 21 % of 2.00 = 0.42,
    # 6 % of 1.00 = 0.06, exempt 0.
    assert shown == {
        "lines": [Decimal("1.00"), Decimal("1.00"), Decimal("1.00"), Decimal("600.00")],
        "groups": [
            ("S", Decimal("21.00"), Decimal("2.00"), Decimal("0.42")),
            ("S", Decimal("6.00"), Decimal("1.00"), Decimal("0.06")),
            ("E", Decimal("0.00"), Decimal("600.00"), Decimal("0.00")),
        ],
        "net": Decimal("603.00"),
        "vat": Decimal("0.48"),
        "total": Decimal("603.48"),
    }
    expected = compute_totals(
        [
            LineInput(Decimal("3"), Decimal("0.333"), "S", Decimal("21")),
            LineInput(Decimal("7"), Decimal("0.1429"), "S", Decimal("21")),
            LineInput(Decimal("11"), Decimal("0.0909"), "S", Decimal("6")),
            LineInput(Decimal("2"), Decimal("300"), "E", Decimal("0")),
        ]
    )
    assert shown["lines"] == expected.line_amounts
    assert (shown["net"], shown["vat"], shown["total"]) == (
        expected.net_total,
        expected.vat_total,
        expected.total,
    )
    assert [(g[0], g[2], g[3]) for g in shown["groups"]] == [
        (s.category, s.taxable, s.vat) for s in expected.subtotals
    ]


def test_the_live_totals_match_what_saving_stores(alice_client, alice_3en1, theatre):
    lines = [line_data(quantity="1.25", unit_price="99.99"), line_data(vat="S:12.00")]
    data = document_data(lines, unit=alice_3en1, client=theatre)
    shown = totals_of(alice_client.post(reverse("portal:lines_totals"), data).content.decode())
    alice_client.post(reverse("portal:invoice_create"), data)
    invoice = Invoice.objects.get()
    assert (shown["net"], shown["vat"], shown["total"]) == (
        invoice.net_total,
        invoice.vat_total,
        invoice.total,
    )


def test_the_live_totals_say_what_is_missing_before_a_client_is_chosen(alice_client, alice_3en1):
    response = alice_client.post(
        reverse("portal:lines_totals"), document_data([line_data()], unit=alice_3en1)
    )
    assert response.status_code == 400
    assert "Client: This field is required." in response.content.decode()


def test_the_live_totals_page_without_data_waits_for_lines(alice_client):
    response = alice_client.get(reverse("portal:lines_totals"))
    assert response.status_code == 200
    assert 'data-totals-state="waiting"' in response.content.decode()


# --- edit, delete, submit --------------------------------------------------------------------


@pytest.fixture
def draft(alice, alice_3en1, theatre):
    return invoice_create(
        by=alice, unit=alice_3en1, client=theatre, lines=[line("Concert", "1", "400.00")]
    )


def test_editing_a_draft_shows_its_lines_and_saves_the_change(alice_client, alice, draft):
    url = reverse("portal:invoice_edit", args=[draft.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    formset = page.context["formset"]
    assert formset.initial == [
        {
            "description": "Concert",
            "quantity": "1",
            "unit_code": "C62",
            # As the pages write prices, in the page's language (English here).
            "unit_price": "400.00",
            "vat": "S:21.00",
            "exemption_reason": "",
        }
    ]
    content = page.content.decode()
    assert f'name="unit" value="{draft.unit_id}"' in content  # for the live totals
    data = document_data(
        [line_data(description="Concert", unit_price="450"), line_data(description="Bis")],
        buyer_reference="NEW-REF",
    )
    response = alice_client.post(url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.net_total, draft.buyer_reference) == (Decimal("550.00"), "NEW-REF")
    assert draft.lines.count() == 2
    assert audit_trail(draft).first().action == "invoice.updated"


def test_an_issued_invoice_cannot_be_edited_or_deleted(alice_client, issued):
    edit = reverse("portal:invoice_edit", args=[issued.pk])
    response = alice_client.get(edit)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:invoice_detail", args=[issued.pk])
    events = AuditEvent.objects.count()
    response = alice_client.post(edit, document_data([line_data(unit_price="1")]))
    assert response.status_code == 400
    assert "Only a draft can be changed." in response.content.decode()
    response = alice_client.post(reverse("portal:invoice_delete", args=[issued.pk]))
    assert response.status_code == 400
    assert Invoice.objects.get(pk=issued.pk).total == Decimal("605.00")
    assert AuditEvent.objects.count() == events


def test_a_draft_is_deleted_after_a_confirmation_page(alice_client, alice, draft):
    url = reverse("portal:invoice_delete", args=[draft.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert "Delete this draft?" in page.content.decode()
    assert Invoice.objects.filter(pk=draft.pk).exists()
    response = alice_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:invoice_list")
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="invoice.deleted", actor=alice).count() == 1


def test_submitting_for_a_verified_client_issues_at_once_and_says_so(
    alice_client, draft, django_capture_on_commit_callbacks
):
    url = reverse("portal:invoice_submit", args=[draft.pk])
    page = alice_client.get(url).content.decode()
    assert "It will be issued at once" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url, follow=True)
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.ISSUED
    content = response.content.decode()
    assert f"Invoice {draft.display_number} is issued." in content
    assert draft.pdf and draft.ubl  # rendered after commit


def test_submitting_for_an_unverified_client_waits_for_the_advisor_and_says_why(
    alice_client, alice, alice_activity, ecole
):
    invoice = invoice_create(by=alice, unit=alice_activity, client=ecole, lines=[line()])
    url = reverse("portal:invoice_submit", args=[invoice.pk])
    page = alice_client.get(url).content.decode()
    assert "It will go to your advisor" in page
    assert "the client has not been verified by an advisor yet" in page
    response = alice_client.post(url, follow=True)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PENDING_APPROVAL
    assert invoice.number is None
    content = response.content.decode()
    assert "Your advisor will check it before it is issued, because" in content
    assert "the client has not been verified by an advisor yet" in content
    # Not editable while the advisor checks it; once sent back, it is.
    assert alice_client.get(reverse("portal:invoice_edit", args=[invoice.pk])).status_code == 302


def test_an_invoice_sent_back_shows_the_reason_and_can_be_corrected(
    alice_client, alice, alice_activity, ecole, claire
):
    invoice = invoice_submit(
        invoice=invoice_create(by=alice, unit=alice_activity, client=ecole, lines=[line()]),
        by=alice,
    )
    invoice_reject(invoice=invoice, by=claire, reason="Wrong VAT rate for a school.")
    page = alice_client.get(reverse("portal:invoice_detail", args=[invoice.pk])).content.decode()
    assert "Wrong VAT rate for a school." in page
    assert reverse("portal:invoice_edit", args=[invoice.pk]) in page
    response = alice_client.post(
        reverse("portal:invoice_edit", args=[invoice.pk]),
        document_data([line_data(vat="S:6.00")]),
    )
    assert response.status_code == 302
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.DRAFT


def test_submitting_twice_is_refused_the_second_time(alice_client, draft):
    url = reverse("portal:invoice_submit", args=[draft.pk])
    alice_client.post(url)
    number = Invoice.objects.get(pk=draft.pk).number
    response = alice_client.post(url)
    assert response.status_code == 400
    assert "Only a draft can be submitted." in response.content.decode()
    assert Invoice.objects.get(pk=draft.pk).number == number


# --- detail and downloads --------------------------------------------------------------------


def test_the_invoice_page_shows_reference_lines_payments_reminders_sending_and_history(
    alice_client, alice, alice_3en1, theatre, claire, django_capture_on_commit_callbacks
):
    draft = invoice_create(
        by=alice, unit=alice_3en1, client=theatre, lines=[line("Concert", "2", "250.00")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_issue(invoice=draft, by=claire)
    today = timezone.localdate()
    payment_record(invoice=invoice, amount="200.00", received_on=today, by=claire)
    reminder_send(invoice=invoice, step_days=7, today=today + timedelta(days=17))
    response = alice_client.get(reverse("portal:invoice_detail", args=[invoice.pk]))
    content = response.content.decode()
    reference = invoice.structured_reference
    assert f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++" in content
    assert 'data-status="issued"' in content
    assert 'data-payment-state="partially_paid"' in content
    assert re.search(r"data-balance-due>€405\.00<", content)  # 605.00 − 200.00
    assert "€200.00" in content.split('id="payment-title"', 1)[1]
    assert "7 days after the due date, for €405.00" in content
    sending = content.split('id="sending-title"', 1)[1]
    assert 'data-transmission="email"' in sending
    assert 'data-transmission="peppol"' in sending
    assert "factures@theatre.test" in sending
    history = content.split('id="history-title"', 1)[1]
    for action in (
        "draft created",
        "issued",
        "payment recorded by an advisor",
        "sent to the client",
    ):
        assert action in history
    assert reverse("portal:invoice_pdf", args=[invoice.pk]) in content
    assert reverse("portal:credit_note_create", args=[invoice.pk]) in content


def test_downloads_serve_the_stored_files_and_render_them_once_if_missing(alice_client, issued):
    assert not issued.pdf
    response = alice_client.get(reverse("portal:invoice_pdf", args=[issued.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    issued.refresh_from_db()
    stored = issued.pdf.name
    assert stored and issued.ubl.name
    response = alice_client.get(reverse("portal:invoice_ubl", args=[issued.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert f"<cbc:ID>{issued.display_number}</cbc:ID>" in body(response)
    alice_client.get(reverse("portal:invoice_pdf", args=[issued.pk]))
    issued.refresh_from_db()
    assert issued.pdf.name == stored  # not rendered again


def test_a_draft_has_no_downloads(alice_client, draft):
    assert alice_client.get(reverse("portal:invoice_pdf", args=[draft.pk])).status_code == 404
    assert alice_client.get(reverse("portal:invoice_ubl", args=[draft.pk])).status_code == 404


def test_downloads_of_another_members_invoice_are_404(bob_client, issued):
    for name in ("invoice_pdf", "invoice_ubl", "invoice_detail"):
        assert bob_client.get(reverse(f"portal:{name}", args=[issued.pk])).status_code == 404
    issued.refresh_from_db()
    assert not issued.pdf  # nothing rendered for bob


# --- credit notes ---------------------------------------------------------------------------


def test_crediting_in_full_drafts_a_credit_note_of_every_line(alice_client, alice, issued):
    url = reverse("portal:credit_note_create", args=[issued.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert [form.initial["unit_price"] for form in page.context["formset"]] == ["250.00"]
    response = alice_client.post(url, {"mode": "full", "full-note": "Concert annulé"})
    credit = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:invoice_detail", args=[credit.pk])
    assert (credit.credited_invoice, credit.total, credit.note) == (
        issued,
        Decimal("605.00"),
        "Concert annulé",
    )
    assert credit.status == Invoice.Status.DRAFT
    assert audit_trail(credit).first().actor == alice


def test_crediting_part_then_submitting_issues_the_credit_note(
    alice_client, issued, django_capture_on_commit_callbacks
):
    url = reverse("portal:credit_note_create", args=[issued.pk])
    data = document_data(
        [line_data(description="Concert", quantity="1", unit_price="250")],
        unit=issued.unit,
        client=issued.client,
        mode="part",
        note="One concert cancelled",
    )
    assert alice_client.post(url, data).status_code == 302
    credit = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert credit.total == Decimal("302.50")
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("portal:invoice_submit", args=[credit.pk]))
    credit.refresh_from_db()
    assert credit.status == Invoice.Status.ISSUED
    assert credit.series.kind == "credit_note"
    page = alice_client.get(reverse("portal:invoice_detail", args=[issued.pk])).content.decode()
    assert re.search(r"data-balance-due>€302\.50<", page)
    assert credit.display_number in page


def test_a_credit_note_larger_than_the_invoice_is_refused(alice_client, issued):
    url = reverse("portal:credit_note_create", args=[issued.pk])
    data = document_data([line_data(quantity="3", unit_price="250")], mode="part", note="")
    response = alice_client.post(url, data)
    assert response.status_code == 400
    assert escape("Credit notes can't exceed the invoice") in response.content.decode()
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_crediting_in_full_twice_is_refused_on_the_full_form(alice_client, issued):
    url = reverse("portal:credit_note_create", args=[issued.pk])
    assert alice_client.post(url, {"mode": "full", "full-note": ""}).status_code == 302
    response = alice_client.post(url, {"mode": "full", "full-note": ""})
    assert response.status_code == 400
    assert response.context["full_form"].non_field_errors() == [
        "Credit notes can't exceed the invoice: 0.00 € is left to credit."
    ]
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_a_credit_note_draft_is_edited_without_a_due_date(alice_client, alice, issued):
    credit = credit_note_create(invoice=issued, by=alice, lines=[line("Geste", "1", "50.00")])
    url = reverse("portal:invoice_edit", args=[credit.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert 'name="due_date"' not in page.content.decode()
    response = alice_client.post(url, document_data([line_data(unit_price="60")], note="Geste"))
    assert response.status_code == 302
    credit.refresh_from_db()
    assert (credit.total, credit.note, credit.due_date) == (Decimal("72.60"), "Geste", None)


def test_a_draft_cannot_be_credited(alice_client, draft):
    url = reverse("portal:credit_note_create", args=[draft.pk])
    assert alice_client.get(url).status_code == 302
    response = alice_client.post(url, {"mode": "full", "full-note": ""})
    assert response.status_code == 400
    assert "Only an issued invoice can be credited." in response.content.decode()
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


# --- list and CSV -----------------------------------------------------------------------------


@pytest.fixture
def book(alice, alice_3en1, alice_activity, theatre, ecole, issued, claire):
    """The issued invoice (unpaid), a paid one, a draft for the school, a credit note draft."""
    paid = invoice_issue(
        invoice=invoice_create(
            by=alice, unit=alice_3en1, client=theatre, lines=[line("Atelier", "1", "100.00")]
        ),
        by=claire,
    )
    payment_record(invoice=paid, amount="121.00", received_on=timezone.localdate(), by=claire)
    school = invoice_create(
        by=alice, unit=alice_activity, client=ecole, lines=[line("Cours", "3", "50.00")]
    )
    credit = credit_note_create(invoice=issued, by=alice, lines=[line("Geste", "1", "10.00")])
    return {"issued": issued, "paid": paid, "school": school, "credit": credit}


def _listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-invoice="(\d+)"', response.content.decode())]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"issued", "paid", "school", "credit"}),
        ({"status": "issued"}, {"issued", "paid"}),
        ({"status": "draft"}, {"school", "credit"}),
        ({"kind": "credit_note"}, {"credit"}),
        ({"unit": "UP-0002"}, {"school"}),
        ({"client": "Ecole des Arts Gent"}, {"school"}),
        ({"q": "ecole des"}, {"school"}),
        ({"q": "number:paid"}, {"paid"}),
        ({"q": "reference:issued"}, {"issued"}),
        ({"q": "plain-reference:issued"}, {"issued"}),
    ],
)
def test_the_list_filters_and_searches(alice_client, book, query, expected):
    params = dict(query)
    if "unit" in params:
        params["unit"] = ProductionUnit.objects.get(code=params["unit"]).pk
    if "client" in params:
        params["client"] = Client.objects.get(name=params["client"]).pk
    if params.get("q", "").startswith("number:"):
        params["q"] = book[params["q"].split(":")[1]].display_number
    elif params.get("q", "").startswith("reference:"):
        ref = book[params["q"].split(":")[1]].structured_reference
        params["q"] = f"+++{ref[:3]}/{ref[3:7]}/{ref[7:]}+++"
    elif params.get("q", "").startswith("plain-reference:"):
        params["q"] = book[params["q"].split(":")[1]].structured_reference
    response = alice_client.get(reverse("portal:invoice_list"), params)
    assert response.status_code == 200
    assert sorted(_listed(response)) == sorted(book[name].pk for name in expected)


def test_the_period_filter_uses_the_issue_date_and_the_creation_date_for_drafts(alice_client, book):
    today = timezone.localdate()
    Invoice.objects.filter(pk=book["school"].pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    url = reverse("portal:invoice_list")
    recent = alice_client.get(url, {"date_from": (today - timedelta(days=10)).isoformat()})
    assert sorted(_listed(recent)) == sorted(book[name].pk for name in ("issued", "paid", "credit"))
    older = alice_client.get(url, {"date_to": (today - timedelta(days=30)).isoformat()})
    assert _listed(older) == [book["school"].pk]


def test_bad_filters_are_refused_with_a_message(alice_client, book, denis_unit):
    url = reverse("portal:invoice_list")
    response = alice_client.get(url, {"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()
    assert alice_client.get(url, {"unit": denis_unit.pk}).status_code == 400
    assert alice_client.get(url, {"status": "paid-ish"}).status_code == 400
    csv_response = alice_client.get(reverse("portal:invoice_list_csv"), {"date_from": "never"})
    assert csv_response.status_code == 400


def test_the_list_is_paginated_by_25(alice_client, alice, alice_3en1, theatre):
    for index in range(27):
        invoice_create(by=alice, unit=alice_3en1, client=theatre, lines=[line(f"L{index}")])
    url = reverse("portal:invoice_list")
    first, second = alice_client.get(url), alice_client.get(url, {"page": 2})
    assert len(_listed(first)) == 25
    assert len(_listed(second)) == 2
    assert not set(_listed(first)) & set(_listed(second))


def test_the_list_costs_the_same_queries_for_5_or_20_invoices(
    alice_client, alice, alice_3en1, theatre, claire
):
    def issue(count):
        for _ in range(count):
            invoice_issue(
                invoice=invoice_create(by=alice, unit=alice_3en1, client=theatre, lines=[line()]),
                by=claire,
            )

    url = reverse("portal:invoice_list")
    issue(5)
    few = page_queries(alice_client, url)
    issue(15)
    many = page_queries(alice_client, url)
    assert len(_listed(alice_client.get(url))) == 20
    assert many == few


def test_the_csv_export_holds_the_filtered_list_with_payment_states(alice_client, book):
    response = alice_client.get(reverse("portal:invoice_list_csv"), {"unit": book["paid"].unit_id})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv_rows(response)
    assert header == [
        "Number",
        "Kind",
        "Status",
        "Issue date",
        "Due date",
        "Created on",
        "Client",
        "Unit",
        "Total excl. VAT (EUR)",
        "VAT (EUR)",
        "Total incl. VAT (EUR)",
        "Payment state",
        "Balance due (EUR)",
        "Structured communication",
    ]
    by_number = {row[0]: row for row in rows}
    assert len(rows) == 3  # the school's draft is in the other unit
    issued, paid = book["issued"], book["paid"]
    today = f"{timezone.localdate():%d/%m/%Y}"
    assert by_number[issued.display_number][1:] == [
        "invoice",
        "issued",
        today,
        f"{issued.due_date:%d/%m/%Y}",
        today,
        "Théâtre de la Place",
        "UP-0001",
        "500.00",
        "105.00",
        "605.00",
        "unpaid",
        "605.00",
        # A leading "+" would start a formula: the export quotes it (core/exports.py).
        f"'+++{issued.structured_reference[:3]}/{issued.structured_reference[3:7]}/"
        f"{issued.structured_reference[7:]}+++",
    ]
    assert by_number[paid.display_number][11:13] == ["paid", "0.00"]
    assert by_number[""][1:3] == ["credit note", "draft"]
    assert by_number[""][8:13] == ["10.00", "2.10", "12.10", "", ""]


def test_the_csv_export_of_bob_is_empty(bob_client, book):
    header, *rows = csv_rows(bob_client.get(reverse("portal:invoice_list_csv")))
    assert header[0] == "Number"
    assert rows == []


# --- personalisation ----------------------------------------------------------------------


def _png(size=(40, 20), *, padding=0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue() + b"\0" * padding, "image/png")


def test_the_branding_page_says_the_legal_mentions_stay(alice_client, alice_3en1):
    content = alice_client.get(reverse("portal:branding_edit", args=[alice_3en1.pk])).content
    assert "legal mentions" in content.decode().split('id="legal-mentions"', 1)[1]


def test_branding_is_saved_through_the_service_and_audited(alice_client, alice, alice_3en1):
    url = reverse("portal:branding_edit", args=[alice_3en1.pk])
    data = {
        "layout": "modern",
        "logo": _png(),
        "accent_color": "#aa3300",
        "introduction_fr": "Merci pour votre confiance.",
        "closing_fr": "À bientôt !",
        "closing_nl": "Tot ziens!",
        "language": "nl",
    }
    response = alice_client.post(url, data)
    assert response.status_code == 302
    branding = InvoiceBranding.objects.get(unit=alice_3en1)
    assert (branding.layout, branding.accent_color, branding.language) == (
        "modern",
        "#aa3300",
        "nl",
    )
    assert branding.text("fr", "closing") == "À bientôt !"
    assert branding.text("nl", "closing") == "Tot ziens!"
    assert branding.text("de", "closing") == ""
    assert branding.logo.name.startswith("branding/")
    event = audit_trail(branding).first()
    assert (event.action, event.actor) == ("branding.updated", alice)
    assert event.changes["accent_color"] == ["#1d5c63", "#aa3300"]
    page = alice_client.get(url).content.decode()
    assert 'src="data:image/png;base64,' in page
    response = alice_client.post(url, {**data, "logo": "", "remove_logo": "on"})
    assert response.status_code == 302
    assert not InvoiceBranding.objects.get(unit=alice_3en1).logo


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"logo": SimpleUploadedFile("logo.png", b"<svg></svg>", "image/png")},
            "logo",
            "Upload a valid image.",
        ),
        ({"logo": "bmp"}, "logo", "Use a PNG, JPEG, GIF or WebP image for the logo."),
        ({"accent_color": "red"}, "accent_color", "Use a colour like #1d5c63."),
        ({"layout": "poster"}, "layout", "Select a valid choice."),
        ({"language": "xx"}, "language", "Select a valid choice."),
        ({"introduction_nl": "x" * 1001}, "introduction_nl", "at most 1000 characters"),
    ],
)
def test_bad_branding_is_refused_naming_the_field(
    alice_client, alice_3en1, overrides, field, message
):
    if overrides.get("logo") == "bmp":
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, format="BMP")
        overrides = {"logo": SimpleUploadedFile("logo.bmp", buffer.getvalue(), "image/bmp")}
    data = {"layout": "classic", "accent_color": "#aa3300", "language": ""}
    data.update(overrides)
    response = alice_client.post(reverse("portal:branding_edit", args=[alice_3en1.pk]), data)
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert not InvoiceBranding.objects.filter(unit=alice_3en1).exists()
    assert not AuditEvent.objects.filter(action="branding.updated").exists()


def test_a_logo_over_1_mb_is_refused_while_it_comes_in_naming_the_field(alice_client, alice_3en1):
    # core/uploads.py stops the upload at the limit: a 413, before the form reads it.
    data = {"layout": "classic", "accent_color": "#aa3300", "language": ""}
    data["logo"] = _png(padding=1024 * 1024)
    response = alice_client.post(reverse("portal:branding_edit", args=[alice_3en1.pk]), data)
    assert response.status_code == 413
    assert "<code>logo</code>" in response.content.decode()
    assert not InvoiceBranding.objects.filter(unit=alice_3en1).exists()


def test_branding_update_refuses_another_members_unit_and_unknown_fields(bob, alice_3en1):
    with pytest.raises(PermissionDenied):
        branding_update(unit=alice_3en1, by=bob, texts={"fr": {"closing": "Bob was here"}})
    with pytest.raises(ValidationError) as refused:
        branding_update(unit=alice_3en1, by=alice_3en1.holder.user, legal_mentions="")
    assert "legal_mentions" in refused.value.message_dict
    assert not InvoiceBranding.objects.exists()


def test_a_replaced_logo_is_deleted_from_storage_after_commit(
    alice, alice_3en1, django_capture_on_commit_callbacks
):
    first = branding_update(unit=alice_3en1, by=alice, logo=_png())
    old = first.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        second = branding_update(unit=alice_3en1, by=alice, logo=_png(size=(10, 10)))
    assert second.logo.name != old
    assert not second.logo.storage.exists(old)
    assert second.logo.storage.exists(second.logo.name)


def test_branding_shows_on_the_pdfs_issued_after_it_and_not_before(
    alice_client, alice, alice_3en1, issued, theatre, claire
):
    alice_client.post(
        reverse("portal:branding_edit", args=[alice_3en1.pk]),
        {"layout": "classic", "accent_color": "#aa3300", "introduction_fr": "Bonjour le théâtre"},
    )
    later = invoice_issue(
        invoice=invoice_create(
            by=alice, unit=alice_3en1, client=theatre, lines=[line("Concert", "1", "100.00")]
        ),
        by=claire,
    )
    from tests.invoicing.test_invoice_pdf import pdf_text

    def text_of(invoice):
        response = alice_client.get(reverse("portal:invoice_pdf", args=[invoice.pk]))
        return pdf_text(b"".join(response.streaming_content))

    assert theatre.language == "fr"
    assert "Bonjour le théâtre" in text_of(later)
    assert "Bonjour le théâtre" not in text_of(issued)  # issued before: frozen as it was
    assert "SmartCoop" in text_of(later)  # the legal mentions stay


# --- receivables ------------------------------------------------------------------------------


def test_home_and_unit_pages_show_what_clients_owe(
    alice_client, alice_3en1, alice_activity, book, claire
):
    # Owed: issued 605.00 (its credit note is still a draft); paid: 0.
    payment_record(
        invoice=book["issued"], amount="5.00", received_on=timezone.localdate(), by=claire
    )
    home = alice_client.get(reverse("portal:home")).content.decode()
    assert re.search(r'data-receivables="600\.00"', home)
    three = alice_client.get(reverse("portal:unit_detail", args=[alice_3en1.pk])).content
    assert re.search(rb'data-receivables="600\.00"', three)
    activity = alice_client.get(reverse("portal:unit_detail", args=[alice_activity.pk])).content
    assert re.search(rb'data-receivables="0\.00"', activity)
    assert "Your clients owe nothing at the moment." in activity.decode()


def test_overdue_receivables_are_flagged(alice_client, issued, claire):
    Invoice.objects.filter(pk=issued.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    home = alice_client.get(reverse("portal:home")).content.decode()
    assert re.search(r'data-overdue="605\.00"', home)


def test_bob_sees_no_receivables_of_alice(bob_client, book):
    content = bob_client.get(reverse("portal:home")).content.decode()
    assert "605" not in content
