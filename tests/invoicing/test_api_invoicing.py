"""The invoicing API (/api/v1/invoices/, quotes/, payments/): same services, same rules,
same permissions as the portal; bad input is a 400 naming the field and saves nothing."""

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from stdnum.be import ogm_vcs

from core.models import AuditEvent
from invoicing.invoice_services import credit_note_create, invoice_create, invoice_submit
from invoicing.models import (
    Client,
    Invoice,
    InvoiceLine,
    Payment,
    Quote,
    QuoteLine,
    VatExemptionReason,
)
from invoicing.payment_services import payment_record
from invoicing.quote_services import quote_accept, quote_create, quote_mark_sent
from members.models import LegalEntity
from members.token_services import api_token_create
from production_units.models import ProductionUnit, Sector
from production_units.services import unit_open
from tests.invoicing_helpers import line, make_client

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}  # messages are checked in English, whatever the catalogs say
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@dataclass
class Docs:
    """Alice's documents in every state, and bob's own unit and client."""

    theatre: Client  # verified, on alice's 3en1 unit
    school: Client  # not verified, on alice's Activité unit
    issued: Invoice
    draft: Invoice
    draft_quote: Quote
    sent_quote: Quote
    accepted_quote: Quote
    bob_unit: ProductionUnit
    bob_client: Client


@pytest.fixture
def docs(alice, bob, claire, alice_3en1):
    theatre = Client.objects.get(name="Théâtre de la Place")
    school = Client.objects.get(name="Ecole des Arts Gent")

    def new_invoice(price):
        return invoice_create(
            by=alice, unit=alice_3en1, client=theatre, lines=[line(unit_price=price)]
        )

    def new_quote():
        return quote_create(by=alice, unit=alice_3en1, client=theatre, lines=[line()])

    issued = invoice_submit(invoice=new_invoice("1000.00"), by=alice)
    assert issued.is_issued
    sent = quote_mark_sent(quote=new_quote(), by=alice)
    accepted = quote_accept(quote=quote_mark_sent(quote=new_quote(), by=alice), by=alice)
    bob_unit = unit_open(
        by=claire,
        holder=bob.member,
        code="UP-0099",
        name="Bob — photo",
        tool=ProductionUnit.Tool.ACTIVITY,
        sector=Sector.objects.first(),
        legal_entity=LegalEntity.objects.get(code="smartcoop"),
        opened_on=date(2025, 3, 1),
    )
    return Docs(
        theatre=theatre,
        school=school,
        issued=issued,
        draft=new_invoice("200.00"),
        draft_quote=new_quote(),
        sent_quote=sent,
        accepted_quote=accepted,
        bob_unit=bob_unit,
        bob_client=make_client(bob, bob_unit, name="Studio Bob SRL"),
    )


def _http(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def alice_http(alice):
    return _http(alice)


@pytest.fixture
def bob_http(bob):
    return _http(bob)


def _json(http, method, url, body=None, **headers):
    """Send `body` as JSON (a str is sent as is, to send malformed JSON)."""
    return getattr(http, method)(
        url,
        data={} if body is None else body,
        content_type="application/json",
        headers={**EN, **headers},
    )


def _line(**change):
    return {
        "description": "Concert",
        "quantity": "2",
        "unit_code": "C62",
        "unit_price": "75.00",
        "vat_category": "S",
        "vat_rate": "21",
        **change,
    }


def _url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def _snapshot():
    """Every document, line and audit event: what a refused request must leave as it was."""
    return (
        list(Invoice.objects.order_by("pk").values()),
        list(InvoiceLine.objects.order_by("pk").values()),
        list(Quote.objects.order_by("pk").values()),
        list(QuoteLine.objects.order_by("pk").values()),
        list(Payment.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


# --- the journey: create, submit, download ------------------------------------------------


def test_a_draft_created_then_submitted_is_issued_with_a_number_and_structured_reference(
    alice, alice_http, alice_3en1, docs
):
    body = {
        "unit": alice_3en1.pk,
        "client": docs.theatre.pk,
        "lines": [_line(), _line(description="Captation", quantity="1", vat_rate="12")],
        "buyer_reference": "PO-77",
        "note": "Merci !",
    }
    response = _json(alice_http, "post", _url("invoice-list"), body)
    assert response.status_code == 201, response.content
    draft = response.json()
    assert response["Location"] == _url("invoice-detail", invoice_id=draft["id"])
    assert draft["status"] == "draft"
    assert draft["kind"] == "invoice"
    assert draft["number"] is None
    assert draft["structured_reference"] is None
    assert (draft["net_total"], draft["vat_total"], draft["total"]) == ("225.00", "40.50", "265.50")
    assert draft["lines"][0]["quantity"] == "2.000"
    assert draft["lines"][0]["unit_price"] == "75.0000"
    assert draft["lines"][1]["vat_rate"] == "12.00"
    assert draft["buyer_reference"] == "PO-77"
    assert draft["pdf_url"] is None
    event = AuditEvent.objects.get(action="invoice.created", object_id=str(draft["id"]))
    assert event.actor == alice

    response = _json(alice_http, "post", _url("invoice-submit", invoice_id=draft["id"]))
    assert response.status_code == 200, response.content
    issued = response.json()
    assert issued["status"] == "issued"
    assert re.fullmatch(rf"F-{TODAY().year}-\d{{6}}", issued["number"])
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", issued["structured_reference"])
    assert ogm_vcs.is_valid(issued["structured_reference"])
    assert issued["issue_date"] == TODAY().isoformat()
    assert issued["payment_state"] == "unpaid"
    assert issued["balance_due"] == "265.50"
    assert issued["pdf_url"].endswith(_url("invoice-pdf", invoice_id=draft["id"]))
    invoice = Invoice.objects.get(pk=draft["id"])
    assert invoice.is_issued
    assert invoice.display_number == issued["number"]
    assert AuditEvent.objects.filter(action="invoice.issued", object_id=str(invoice.pk)).exists()


def test_submitting_for_an_unverified_client_queues_it_for_an_advisor(
    alice_http, alice_activity, docs
):
    body = {"unit": alice_activity.pk, "client": docs.school.pk, "lines": [_line()]}
    created = _json(alice_http, "post", _url("invoice-list"), body).json()
    response = _json(alice_http, "post", _url("invoice-submit", invoice_id=created["id"]))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending_approval"
    assert response.json()["number"] is None
    assert Invoice.objects.get(pk=created["id"]).status == Invoice.Status.PENDING_APPROVAL


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_of_an_issued_invoice_downloads_with_its_number(alice_http, docs, media_root):
    response = alice_http.get(_url("invoice-pdf", invoice_id=docs.issued.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    number = docs.issued.display_number
    assert response["Content-Disposition"] == f'attachment; filename="{number}.pdf"'
    assert response.content.startswith(b"%PDF")
    assert number in _pdf_text(response.content)
    stored = Invoice.objects.get(pk=docs.issued.pk).pdf.name
    assert stored

    again = alice_http.get(_url("invoice-pdf", invoice_id=docs.issued.pk))
    assert again.content == response.content  # rendered once, then served as stored
    assert Invoice.objects.get(pk=docs.issued.pk).pdf.name == stored
    assert len(list(media_root.rglob("*.pdf"))) == 1


def test_the_ubl_of_an_issued_invoice_downloads_as_xml_holding_its_number(alice_http, docs):
    response = alice_http.get(
        _url("invoice-ubl", invoice_id=docs.issued.pk), headers={"Accept": "application/xml"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response.content.startswith(b"<?xml")
    assert f"<cbc:ID>{docs.issued.display_number}</cbc:ID>".encode() in response.content
    reference = docs.issued.structured_reference
    formatted = f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++"
    assert f"<cbc:PaymentID>{formatted}</cbc:PaymentID>".encode() in response.content


@pytest.mark.parametrize("name", ["invoice-pdf", "invoice-ubl"])
@pytest.mark.parametrize("accept", ["application/json", "application/pdf", "*/*"])
def test_a_draft_has_no_files_yet_a_409_that_says_why(alice_http, docs, name, accept):
    response = alice_http.get(
        _url(name, invoice_id=docs.draft.pk), headers={**EN, "Accept": accept}
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert "not issued yet" in response.json()["detail"]
    assert not Invoice.objects.get(pk=docs.draft.pk).pdf


# --- reading -------------------------------------------------------------------------------


def test_an_invoice_shows_its_lines_totals_and_what_is_left_to_pay(alice_http, claire, docs):
    payment_record(invoice=docs.issued, amount=Decimal("300.10"), received_on=TODAY(), by=claire)
    response = alice_http.get(_url("invoice-detail", invoice_id=docs.issued.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == "1210.00"
    assert body["amount_paid"] == "300.10"
    assert body["balance_due"] == "909.90"
    assert body["payment_state"] == "partially_paid"
    assert [row["description"] for row in body["lines"]] == ["Prestation"]
    assert body["lines"][0]["net_amount"] == "1000.00"
    assert body["client_name"] == "Théâtre de la Place"


def test_the_list_filters_by_status_kind_unit_client_and_issue_date(
    alice, alice_http, alice_activity, docs, claire
):
    activity_draft = invoice_create(
        by=alice, unit=alice_activity, client=docs.school, lines=[line()]
    )
    credit = credit_note_create(invoice=docs.issued, by=alice, lines=[line(unit_price="10")])

    def ids(**params):
        response = alice_http.get(_url("invoice-list"), params, headers=EN)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    everything = {docs.issued.pk, docs.draft.pk, activity_draft.pk, credit.pk}
    assert ids() == everything
    assert ids(status="issued") == {docs.issued.pk}
    assert ids(status="draft") == {docs.draft.pk, activity_draft.pk, credit.pk}
    assert ids(kind="credit_note") == {credit.pk}
    assert ids(kind="invoice") == everything - {credit.pk}
    assert ids(unit=alice_activity.pk) == {activity_draft.pk}
    assert ids(client=docs.school.pk) == {activity_draft.pk}
    today = TODAY().isoformat()
    assert ids(issue_date_after=today, issue_date_before=today) == {docs.issued.pk}
    assert ids(issue_date_before=(TODAY() - timedelta(days=1)).isoformat()) == set()


def test_the_list_searches_by_number_structured_reference_and_client(
    alice, alice_http, alice_activity, docs
):
    activity_draft = invoice_create(
        by=alice, unit=alice_activity, client=docs.school, lines=[line()]
    )

    def ids(search):
        response = alice_http.get(_url("invoice-list"), {"search": search})
        return {row["id"] for row in response.json()["results"]}

    issued = docs.issued
    assert ids(issued.display_number) == {issued.pk}
    assert ids(issued.display_number.lower()) == {issued.pk}
    assert ids(f"NC-{issued.year}-{issued.number}") == set()  # not the credit note series
    assert ids(str(issued.number)) == {issued.pk}
    assert ids(issued.structured_reference) == {issued.pk}
    reference = Invoice.objects.get(pk=issued.pk).structured_reference
    formatted = f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++"
    assert ids(formatted) == {issued.pk}
    assert ids("arts gent") == {activity_draft.pk}
    assert ids("nobody") == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "paid"}, "status"),
        ({"kind": "receipt"}, "kind"),
        ({"unit": "BOBS"}, "unit"),
        ({"unit": "abc"}, "unit"),
        ({"unit": str(2**70)}, "unit"),
        ({"client": "BOBS"}, "client"),
        ({"issue_date_after": "yesterday"}, "issue_date"),
    ],
)
def test_a_bad_list_filter_is_a_400_naming_it(alice_http, docs, params, field):
    stand_in = {"BOBS": None}
    if params.get("unit") == "BOBS":
        stand_in["BOBS"] = docs.bob_unit.pk
    if params.get("client") == "BOBS":
        stand_in["BOBS"] = docs.bob_client.pk
    params = {key: stand_in.get(value, value) for key, value in params.items()}
    response = alice_http.get(_url("invoice-list"), params, headers=EN)
    assert response.status_code == 400
    assert field in response.json()


def test_listing_invoices_costs_the_same_queries_whatever_their_number(
    alice, alice_http, alice_3en1, claire, docs, django_assert_max_num_queries
):
    url = _url("invoice-list")
    with CaptureQueriesContext(connection) as few:
        assert alice_http.get(url).json()["count"] == 2
    for index in range(8):
        invoice = invoice_submit(
            invoice=invoice_create(
                by=alice, unit=alice_3en1, client=docs.theatre, lines=[line(unit_price="100")]
            ),
            by=alice,
        )
        payment_record(
            invoice=invoice, amount=Decimal(f"{index + 1}.00"), received_on=TODAY(), by=claire
        )
        if index % 3 == 0:
            credit_note_create(invoice=invoice, by=alice, lines=[line(unit_price="10")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_http.get(url)
    rows = response.json()["results"]
    assert len(rows) == 13
    paid = [row for row in rows if row["payment_state"] == "partially_paid"]
    assert sorted(row["amount_paid"] for row in paid) == [f"{n}.00" for n in range(1, 9)]
    assert {row["balance_due"] for row in paid} == {f"{121 - n}.00" for n in range(1, 9)}


# --- bad input: 400 naming the field, nothing saved, nothing audited -----------------------

MISSING = object()

# Bad lines, refused the same way by every endpoint that takes lines.
# "@reason_E" / "@reason_AE" stand for the ids of the exemption reasons of those categories.
BAD_LINES = [
    ("negative quantity", [_line(quantity="-1")]),
    ("zero quantity", [_line(quantity="0")]),
    ("quantity with four decimals", [_line(quantity="1.0001")]),
    ("quantity as a JSON number", [_line(quantity=2)]),
    ("price as a float", [_line(unit_price=1.5)]),
    ("price as a JSON integer", [_line(unit_price=75)]),
    ("negative price", [_line(unit_price="-10.00")]),
    ("price with five decimals", [_line(unit_price="1.00001")]),
    ("price too large for the database", [_line(unit_price="1e20")]),
    ("price not a number", [_line(unit_price="NaN")]),
    ("price as text", [_line(unit_price="cheap")]),
    ("VAT rate not in force", [_line(vat_rate="7")]),
    ("VAT rate as a number", [_line(vat_rate=21)]),
    ("unknown VAT category", [_line(vat_category="X")]),
    ("exempt without a reason", [_line(vat_category="E", vat_rate="0")]),
    (
        "exemption reason of another category",
        [_line(vat_category="E", vat_rate="0", exemption_reason="@reason_AE")],
    ),
    ("exemption reason on a taxed line", [_line(exemption_reason="@reason_E")]),
    (
        "unknown exemption reason",
        [_line(vat_category="E", vat_rate="0", exemption_reason=987654321)],
    ),
    (
        "reverse charge to a Belgian client",
        [_line(vat_category="AE", vat_rate="0", exemption_reason="@reason_AE")],
    ),
    ("empty description", [_line(description="")]),
    ("description with a NUL character", [_line(description="Con\x00cert")]),
    ("description too long", [_line(description="x" * 301)]),
    ("unknown unit code", [_line(unit_code="XYZ")]),
    ("unknown field in a line", [_line(discount="10")]),
    ("a good line then a bad one", [_line(), _line(quantity="-1")]),
    ("no lines", []),
    ("lines not a list", "Concert"),
    ("a line that is not an object", ["Concert"]),
    ("a null line", [None]),
]


def _resolve(value, docs):
    """Replace the "@name" stand-ins by the ids they stand for."""
    stand_ins = {
        "@bob_unit": lambda: docs.bob_unit.pk,
        "@bob_client": lambda: docs.bob_client.pk,
        "@school": lambda: docs.school.pk,
        "@reason_E": lambda: VatExemptionReason.objects.filter(category="E").first().pk,
        "@reason_AE": lambda: VatExemptionReason.objects.filter(category="AE").first().pk,
    }
    if isinstance(value, str) and value in stand_ins:
        return stand_ins[value]()
    if isinstance(value, dict):
        return {key: _resolve(item, docs) for key, item in value.items() if item is not MISSING}
    if isinstance(value, list):
        return [_resolve(item, docs) for item in value]
    return value


# Every writable endpoint: (method, url, a valid body) from alice's documents.
WRITABLE = {
    "invoice-create": lambda d, u: (
        "post",
        _url("invoice-list"),
        {"unit": u.pk, "client": d.theatre.pk, "lines": [_line()]},
    ),
    "invoice-update": lambda d, u: (
        "patch",
        _url("invoice-detail", invoice_id=d.draft.pk),
        {"lines": [_line()]},
    ),
    "credit-note": lambda d, u: (
        "post",
        _url("invoice-credit-note", invoice_id=d.issued.pk),
        {"lines": [_line()]},
    ),
    "quote-create": lambda d, u: (
        "post",
        _url("quote-list"),
        {"unit": u.pk, "client": d.theatre.pk, "lines": [_line()]},
    ),
    "quote-update": lambda d, u: (
        "patch",
        _url("quote-detail", quote_id=d.draft_quote.pk),
        {"lines": [_line()]},
    ),
    "invoice-submit": lambda d, u: ("post", _url("invoice-submit", invoice_id=d.draft.pk), {}),
    "quote-send": lambda d, u: ("post", _url("quote-send", quote_id=d.draft_quote.pk), {}),
    "quote-accept": lambda d, u: ("post", _url("quote-accept", quote_id=d.sent_quote.pk), {}),
    "quote-refuse": lambda d, u: (
        "post",
        _url("quote-refuse", quote_id=d.sent_quote.pk),
        {"reason": "Budget"},
    ),
    "quote-to-invoice": lambda d, u: (
        "post",
        _url("quote-to-invoice", quote_id=d.accepted_quote.pk),
        {},
    ),
}
WITH_LINES = ["invoice-create", "invoice-update", "credit-note", "quote-create", "quote-update"]

# (endpoint, description, change to the valid body, the field the 400 must name)
BAD_FIELDS = [
    ("invoice-create", "someone else's unit", {"unit": "@bob_unit"}, "unit"),
    ("invoice-create", "someone else's client", {"client": "@bob_client"}, "client"),
    ("invoice-create", "my client, not of this unit", {"client": "@school"}, "client"),
    ("invoice-create", "unit id too large", {"unit": 2**70}, "unit"),
    ("invoice-create", "unit id as text", {"unit": "abc"}, "unit"),
    ("invoice-create", "unit null", {"unit": None}, "unit"),
    ("invoice-create", "no unit", {"unit": MISSING}, "unit"),
    ("invoice-create", "no lines", {"lines": MISSING}, "lines"),
    ("invoice-create", "lines null", {"lines": None}, "lines"),
    ("invoice-create", "due date in the past", {"due_date": "2020-01-01"}, "due_date"),
    ("invoice-create", "due date not a date", {"due_date": "next week"}, "due_date"),
    ("invoice-create", "language not offered", {"language": "es"}, "language"),
    ("invoice-create", "buyer ref. too long", {"buyer_reference": "x" * 101}, "buyer_reference"),
    ("invoice-create", "order reference not text", {"order_reference": ["PO"]}, "order_reference"),
    ("invoice-create", "a status", {"status": "issued"}, "status"),
    ("invoice-create", "a total", {"total": "0.01"}, "total"),
    ("invoice-update", "a new unit", {"unit": "@bob_unit"}, "unit"),
    ("invoice-update", "a new client", {"client": "@school"}, "client"),
    ("invoice-update", "a status", {"status": "issued"}, "status"),
    ("invoice-update", "due date in the past", {"due_date": "2020-01-01"}, "due_date"),
    ("invoice-update", "language not offered", {"language": "es"}, "language"),
    ("invoice-update", "lines null", {"lines": None}, "lines"),
    ("invoice-update", "nothing to change", {"lines": MISSING}, "non_field_errors"),
    ("credit-note", "more than the invoice", {"lines": [_line(unit_price="600.00")]}, "lines"),
    ("credit-note", "a unit", {"unit": "@bob_unit"}, "unit"),
    ("credit-note", "note not text", {"note": {"text": "x"}}, "note"),
    ("quote-create", "someone else's unit", {"unit": "@bob_unit"}, "unit"),
    ("quote-create", "someone else's client", {"client": "@bob_client"}, "client"),
    ("quote-create", "my client, not of this unit", {"client": "@school"}, "client"),
    ("quote-create", "validity in the past", {"valid_until": "2020-01-01"}, "valid_until"),
    ("quote-create", "no lines", {"lines": MISSING}, "lines"),
    ("quote-create", "a number", {"number": "D-1"}, "number"),
    ("quote-update", "a status", {"status": "accepted"}, "status"),
    ("quote-update", "validity null", {"valid_until": None}, "valid_until"),
    ("quote-update", "nothing to change", {"lines": MISSING}, "non_field_errors"),
    ("invoice-submit", "an issue date", {"issue_date": "2020-01-01"}, "issue_date"),
    ("quote-send", "a send date", {"sent_at": "2020-01-01"}, "sent_at"),
    ("quote-accept", "an unknown field", {"accepted": True}, "accepted"),
    ("quote-refuse", "reason not text", {"reason": ["Budget"]}, "reason"),
    ("quote-refuse", "reason too long", {"reason": "x" * 2001}, "reason"),
    ("quote-refuse", "an unknown field", {"because": "Budget"}, "because"),
    ("quote-to-invoice", "a due date", {"due_date": "2030-01-01"}, "due_date"),
]


def _send(http, docs, unit, endpoint, change):
    method, url, body = WRITABLE[endpoint](docs, unit)
    return _json(http, method, url, _resolve({**body, **change}, docs))


@pytest.mark.parametrize("endpoint", WITH_LINES)
@pytest.mark.parametrize(("lines"), [case[1] for case in BAD_LINES], ids=[c[0] for c in BAD_LINES])
def test_bad_lines_are_a_400_naming_lines_and_change_nothing(
    alice_http, alice_3en1, docs, endpoint, lines
):
    before = _snapshot()
    response = _send(alice_http, docs, alice_3en1, endpoint, {"lines": lines})
    assert response.status_code == 400, response.content
    assert "lines" in response.json(), response.json()
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("endpoint", "change", "field"),
    [case[0:1] + case[2:] for case in BAD_FIELDS],
    ids=[f"{case[0]}: {case[1]}" for case in BAD_FIELDS],
)
def test_bad_fields_are_a_400_naming_the_field_and_change_nothing(
    alice_http, alice_3en1, docs, endpoint, change, field
):
    before = _snapshot()
    response = _send(alice_http, docs, alice_3en1, endpoint, change)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _snapshot() == before


@pytest.mark.parametrize("endpoint", list(WRITABLE))
@pytest.mark.parametrize("body", ["{not json", '{"lines": [],}', "[]", '"text"', "null", "42"])
def test_malformed_or_non_object_json_is_a_400_on_every_writable_endpoint(
    alice_http, alice_3en1, docs, endpoint, body
):
    method, url, _valid = WRITABLE[endpoint](docs, alice_3en1)
    before = _snapshot()
    response = _json(alice_http, method, url, body)
    assert response.status_code == 400, response.content
    assert response.json()  # an explanation, not an empty answer
    assert _snapshot() == before


@pytest.mark.parametrize("endpoint", list(WRITABLE))
def test_only_json_is_accepted(alice_http, alice_3en1, docs, endpoint):
    method, url, _valid = WRITABLE[endpoint](docs, alice_3en1)
    before = _snapshot()
    response = getattr(alice_http, method)(
        url, data="unit=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert _snapshot() == before


def test_a_float_price_is_refused_with_a_message_on_the_field(alice_http, alice_3en1, docs):
    response = _send(
        alice_http, docs, alice_3en1, "invoice-create", {"lines": [_line(), _line(unit_price=0.1)]}
    )
    assert response.status_code == 400
    # Field errors of lines are keyed by the line's index (from 0), only for the bad ones.
    assert response.json()["lines"] == {
        "1": {"unit_price": ['Send this number as a string, e.g. "12.50", not as a JSON number.']}
    }


def test_the_services_messages_come_back_naming_the_line(alice_http, alice_3en1, docs):
    lines = [_line(), _line(vat_category="AE", vat_rate="0", exemption_reason="@reason_AE")]
    response = _send(alice_http, docs, alice_3en1, "invoice-create", {"lines": lines})
    assert response.status_code == 400
    assert response.json() == {
        "lines": [
            "Line 2: reverse charge and intra-EU supply are for clients in another EU country."
        ]
    }
    response = _send(alice_http, docs, alice_3en1, "invoice-create", {"lines": []})
    assert response.json() == {"lines": ["Add at least one line."]}


def test_an_unknown_field_is_refused_by_name_with_the_accepted_ones(alice_http, docs):
    response = _json(
        alice_http, "patch", _url("invoice-detail", invoice_id=docs.draft.pk), {"totl": "1.00"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "totl": [
            "This field is not accepted here (accepted: buyer_reference, due_date, language, "
            "lines, note, order_reference, supply_date, supply_period_end)."
        ]
    }


def test_someone_elses_unit_is_refused_like_a_missing_one(alice_http, alice_3en1, docs):
    response = _send(alice_http, docs, alice_3en1, "invoice-create", {"unit": "@bob_unit"})
    missing = _send(alice_http, docs, alice_3en1, "invoice-create", {"unit": 987654321})
    assert response.json()["unit"] == [f"Unit {docs.bob_unit.pk} is not one of your units."]
    assert missing.json()["unit"] == ["Unit 987654321 is not one of your units."]
    response = _send(alice_http, docs, alice_3en1, "invoice-create", {"client": "@bob_client"})
    assert response.json()["client"] == [f"Client {docs.bob_client.pk} is not one of your clients."]


# --- issued documents never change ----------------------------------------------------------


def test_an_issued_invoice_cannot_be_patched_deleted_or_submitted_again(alice_http, docs):
    url = _url("invoice-detail", invoice_id=docs.issued.pk)
    before = _snapshot()
    response = _json(alice_http, "patch", url, {"note": "changed", "lines": [_line()]})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a draft can be changed."]}
    response = alice_http.delete(url, headers=EN)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a draft can be deleted."]}
    response = _json(alice_http, "post", _url("invoice-submit", invoice_id=docs.issued.pk))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a draft can be submitted."]}
    assert _snapshot() == before


def test_a_draft_can_be_patched_and_its_totals_follow(alice, alice_http, docs):
    url = _url("invoice-detail", invoice_id=docs.draft.pk)
    due = (TODAY() + timedelta(days=30)).isoformat()
    body = {"lines": [_line(quantity="3", unit_price="0.333")], "due_date": due, "note": "N"}
    response = _json(alice_http, "patch", url, body)
    assert response.status_code == 200, response.content
    assert response.json()["total"] == "1.21"
    assert response.json()["due_date"] == due
    draft = Invoice.objects.get(pk=docs.draft.pk)
    assert (draft.net_total, draft.note, draft.lines.count()) == (Decimal("1.00"), "N", 1)
    event = AuditEvent.objects.filter(action="invoice.updated", object_id=str(draft.pk)).get()
    assert event.actor == alice


def test_a_draft_can_be_deleted(alice, alice_http, docs):
    response = alice_http.delete(_url("invoice-detail", invoice_id=docs.draft.pk))
    assert response.status_code == 204
    assert not Invoice.objects.filter(pk=docs.draft.pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=docs.draft.pk).exists()
    event = AuditEvent.objects.get(action="invoice.deleted", object_id=str(docs.draft.pk))
    assert event.actor == alice


# --- credit notes ----------------------------------------------------------------------------


def test_a_full_credit_note_copies_the_lines_and_once_issued_cancels_the_debt(alice_http, docs):
    response = _json(alice_http, "post", _url("invoice-credit-note", invoice_id=docs.issued.pk))
    assert response.status_code == 201, response.content
    credit = response.json()
    assert credit["kind"] == "credit_note"
    assert credit["status"] == "draft"
    assert credit["credited_invoice"] == docs.issued.pk
    assert credit["total"] == "1210.00"
    assert credit["payment_state"] is None
    assert [row["unit_price"] for row in credit["lines"]] == ["1000.0000"]

    issued = _json(alice_http, "post", _url("invoice-submit", invoice_id=credit["id"])).json()
    assert issued["status"] == "issued"
    assert re.fullmatch(rf"NC-{TODAY().year}-\d{{6}}", issued["number"])
    original = alice_http.get(_url("invoice-detail", invoice_id=docs.issued.pk)).json()
    assert original["balance_due"] == "0.00"
    assert original["payment_state"] == "credited"
    notes = alice_http.get(_url("invoice-list"), {"kind": "credit_note"}).json()["results"]
    assert [row["id"] for row in notes] == [credit["id"]]


def test_a_partial_credit_note_holds_the_lines_given(alice_http, docs):
    body = {"lines": [_line(description="Geste", quantity="1", unit_price="100.00")], "note": "x"}
    response = _json(
        alice_http, "post", _url("invoice-credit-note", invoice_id=docs.issued.pk), body
    )
    assert response.status_code == 201, response.content
    assert response.json()["total"] == "121.00"
    assert response.json()["note"] == "x"
    assert Invoice.objects.get(pk=response.json()["id"]).lines.get().description == "Geste"


def test_only_an_issued_invoice_can_be_credited(alice_http, docs):
    before = _snapshot()
    response = _json(alice_http, "post", _url("invoice-credit-note", invoice_id=docs.draft.pk))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only an issued invoice can be credited."]}
    assert _snapshot() == before


# --- quotes ----------------------------------------------------------------------------------


def test_a_quote_is_sent_accepted_and_turned_into_one_draft_invoice(alice_http, alice_3en1, docs):
    body = {"unit": alice_3en1.pk, "client": docs.theatre.pk, "lines": [_line()], "note": "Q"}
    response = _json(alice_http, "post", _url("quote-list"), body)
    assert response.status_code == 201, response.content
    quote = response.json()
    assert quote["status"] == "draft"
    assert quote["number"].startswith(f"D-{TODAY().year}-")
    assert quote["total"] == "181.50"
    for action, status_after in [("quote-send", "sent"), ("quote-accept", "accepted")]:
        response = _json(alice_http, "post", _url(action, quote_id=quote["id"]))
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status_after

    response = _json(alice_http, "post", _url("quote-to-invoice", quote_id=quote["id"]))
    assert response.status_code == 201, response.content
    invoice = response.json()
    assert (invoice["kind"], invoice["status"], invoice["total"]) == ("invoice", "draft", "181.50")
    assert invoice["order_reference"] == quote["number"]
    again = _json(alice_http, "post", _url("quote-to-invoice", quote_id=quote["id"]))
    assert again.status_code == 200
    assert again.json()["id"] == invoice["id"]
    assert Invoice.objects.filter(quote__pk=quote["id"]).count() == 1
    detail = alice_http.get(_url("quote-detail", quote_id=quote["id"])).json()
    assert (detail["status"], detail["invoice"]) == ("invoiced", invoice["id"])


def test_a_refused_quote_keeps_the_reason_and_cannot_be_accepted(alice, alice_http, docs):
    url = _url("quote-refuse", quote_id=docs.sent_quote.pk)
    response = _json(alice_http, "post", url, {"reason": "Budget"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refused"
    event = AuditEvent.objects.get(action="quote.refused", object_id=str(docs.sent_quote.pk))
    assert (event.actor, event.reason) == (alice, "Budget")
    before = _snapshot()
    response = _json(alice_http, "post", _url("quote-accept", quote_id=docs.sent_quote.pk))
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This quote is refused: that is not possible now."]
    }
    assert _snapshot() == before


def test_a_sent_quote_cannot_be_patched(alice_http, docs):
    before = _snapshot()
    url = _url("quote-detail", quote_id=docs.sent_quote.pk)
    response = _json(alice_http, "patch", url, {"note": "late"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a draft quote can be changed."]}
    assert _snapshot() == before


def test_a_draft_quote_can_be_patched(alice_http, docs):
    url = _url("quote-detail", quote_id=docs.draft_quote.pk)
    response = _json(alice_http, "patch", url, {"lines": [_line(unit_price="50")], "note": "N"})
    assert response.status_code == 200, response.content
    assert response.json()["net_total"] == "100.00"
    assert Quote.objects.get(pk=docs.draft_quote.pk).note == "N"


def test_the_pdf_of_a_quote_downloads_with_its_number_and_total(alice_http, docs):
    quote = docs.draft_quote
    response = alice_http.get(_url("quote-pdf", quote_id=quote.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{quote.number}.pdf"'
    text = _pdf_text(response.content)
    assert quote.number in text
    assert "121,00" in text or "121.00" in text


def test_quotes_list_filters_by_status(alice_http, docs):
    response = alice_http.get(_url("quote-list"), {"status": "sent"})
    assert [row["id"] for row in response.json()["results"]] == [docs.sent_quote.pk]
    response = alice_http.get(_url("quote-list"), {"search": docs.accepted_quote.number})
    assert [row["id"] for row in response.json()["results"]] == [docs.accepted_quote.pk]


# --- payments --------------------------------------------------------------------------------


def test_payments_lists_only_those_matched_to_my_invoices(alice_http, bob_http, claire, docs):
    mine = payment_record(
        invoice=docs.issued, amount=Decimal("100.00"), received_on=TODAY(), by=claire
    )
    Payment.objects.create(
        status=Payment.Status.UNMATCHED,
        source=Payment.Source.CAMT053,
        amount=Decimal("55.00"),
        received_on=TODAY(),
        payer_name="Someone",
        communication=docs.issued.structured_reference,
    )
    rows = alice_http.get(_url("payment-list")).json()["results"]
    assert [(row["id"], row["amount"], row["invoice"]) for row in rows] == [
        (mine.pk, "100.00", docs.issued.pk)
    ]
    assert rows[0]["invoice_number"] == docs.issued.display_number
    assert bob_http.get(_url("payment-list")).json()["results"] == []


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_payments_are_read_only(alice_http, docs, method):
    before = _snapshot()
    body = {"invoice": docs.issued.pk, "amount": "1210.00", "received_on": "2026-01-01"}
    response = _json(alice_http, method, _url("payment-list"), body)
    assert response.status_code == 405
    assert _snapshot() == before


# --- who may -------------------------------------------------------------------------------


def _bobs_attempts(docs):
    """Every door to alice's documents: (method, url)."""
    invoice, draft, quote = docs.issued.pk, docs.draft.pk, docs.sent_quote.pk
    return [
        ("get", _url("invoice-detail", invoice_id=invoice)),
        ("patch", _url("invoice-detail", invoice_id=draft)),
        ("delete", _url("invoice-detail", invoice_id=draft)),
        ("get", _url("invoice-pdf", invoice_id=invoice)),
        ("get", _url("invoice-ubl", invoice_id=invoice)),
        ("post", _url("invoice-submit", invoice_id=draft)),
        ("post", _url("invoice-credit-note", invoice_id=invoice)),
        ("get", _url("quote-detail", quote_id=quote)),
        ("get", _url("quote-pdf", quote_id=quote)),
        ("patch", _url("quote-detail", quote_id=docs.draft_quote.pk)),
        ("post", _url("quote-send", quote_id=docs.draft_quote.pk)),
        ("post", _url("quote-accept", quote_id=quote)),
        ("post", _url("quote-refuse", quote_id=quote)),
        ("post", _url("quote-to-invoice", quote_id=docs.accepted_quote.pk)),
    ]


def test_bob_gets_a_404_on_every_door_to_alices_documents(bob_http, docs):
    before = _snapshot()
    for method, url in _bobs_attempts(docs):
        response = _json(bob_http, method, url, {"note": "bob was here", "reason": "x"})
        assert response.status_code == 404, (method, url, response.status_code)
    assert _snapshot() == before
    assert bob_http.get(_url("invoice-list")).json()["results"] == []
    assert bob_http.get(_url("quote-list")).json()["results"] == []


def test_bob_cannot_invoice_alices_client_from_his_own_unit(bob_http, docs):
    before = _snapshot()
    body = {"unit": docs.bob_unit.pk, "client": docs.theatre.pk, "lines": [_line()]}
    for name in ("invoice-list", "quote-list"):
        response = _json(bob_http, "post", _url(name), body)
        assert response.status_code == 400
        assert response.json()["client"] == [
            f"Client {docs.theatre.pk} is not one of your clients."
        ]
    assert _snapshot() == before


def test_anonymous_callers_are_refused_and_nothing_is_saved(alice_3en1, docs):
    anonymous = HttpClient()
    before = _snapshot()
    body = {"unit": alice_3en1.pk, "client": docs.theatre.pk, "lines": [_line()]}
    for method, url in [("get", _url("invoice-list")), ("post", _url("invoice-list"))] + (
        _bobs_attempts(docs)
    ):
        response = _json(anonymous, method, url, body)
        assert response.status_code in (401, 403), (method, url, response.status_code)
    assert _snapshot() == before


def test_a_token_creates_and_submits_like_a_session(alice, alice_3en1, docs):
    _row, token = api_token_create(user=alice, via="test")
    http = HttpClient()
    auth = {"Authorization": f"Token {token}"}
    body = {"unit": alice_3en1.pk, "client": docs.theatre.pk, "lines": [_line()]}
    response = _json(http, "post", _url("invoice-list"), body, **auth)
    assert response.status_code == 201, response.content
    invoice_id = response.json()["id"]
    response = _json(http, "post", _url("invoice-submit", invoice_id=invoice_id), **auth)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "issued"
    assert Invoice.objects.get(pk=invoice_id).created_by == alice
    assert http.get(_url("invoice-ubl", invoice_id=invoice_id), headers=auth).status_code == 200


# --- schema ----------------------------------------------------------------------------------


def test_the_openapi_schema_describes_the_invoicing_endpoints(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert set(paths) >= {
        "/api/v1/invoices/",
        "/api/v1/invoices/{invoice_id}/",
        "/api/v1/invoices/{invoice_id}/submit/",
        "/api/v1/invoices/{invoice_id}/credit-note/",
        "/api/v1/invoices/{invoice_id}/pdf/",
        "/api/v1/invoices/{invoice_id}/ubl/",
        "/api/v1/quotes/",
        "/api/v1/quotes/{quote_id}/",
        "/api/v1/quotes/{quote_id}/send/",
        "/api/v1/quotes/{quote_id}/accept/",
        "/api/v1/quotes/{quote_id}/refuse/",
        "/api/v1/quotes/{quote_id}/to-invoice/",
        "/api/v1/quotes/{quote_id}/pdf/",
        "/api/v1/payments/",
    }
    assert set(paths["/api/v1/invoices/{invoice_id}/"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/payments/"]) == {"get"}
    listing = paths["/api/v1/invoices/"]["get"]
    assert "credit_note" in listing["description"]
    params = {p["name"] for p in listing["parameters"]}
    assert {"status", "kind", "unit", "client", "issue_date_after", "search"} <= params
    assert set(
        paths["/api/v1/invoices/{invoice_id}/pdf/"]["get"]["responses"]["200"]["content"]
    ) == {"application/pdf"}
    price = schema["components"]["schemas"]["LineInput"]["properties"]["unit_price"]
    assert price["type"] == "string"


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/invoices/{invoice_id}/submit/" in (tmp_path / "schema.yaml").read_text()
