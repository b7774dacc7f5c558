"""The invoicing back-office: advisors' queues and actions, all through the services."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import roles
from core.audit import audit_trail
from core.models import AuditEvent
from invoicing.inbound import inbound_ubl_import
from invoicing.invoice_services import invoice_create, invoice_submit
from invoicing.models import (
    BankStatement,
    Client,
    Invoice,
    InvoicingPolicy,
    Payment,
    Purchase,
    Transmission,
    VatRate,
)
from invoicing.payment_services import payment_record
from invoicing.references import format_structured_reference
from members.models import LegalEntity, Member
from production_units.models import LedgerEntry, ProductionUnit, Sector
from production_units.services import unit_open
from tests.conftest import _with_mfa
from tests.frozen_today import _purchases_today  # noqa: F401 (an autouse fixture)
from tests.invoicing_helpers import issued_invoice, line, make_client
from tests.page_queries import page_queries

pytestmark = pytest.mark.django_db

ACCOUNT = "BE15068211111130"  # SmartCoop SC's account (members migration 0002)
UBL = Path(__file__).parent.parent / "fixtures" / "ubl"


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    # The assertions read the English messages (French catalogs come later).
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def advisor_can_review(claire):
    """What core/roles.py is to grant advisors for this back-office (see the report):
    approving, matching, assigning and importing."""
    wanted = [
        "change_invoice",
        "add_payment",
        "change_payment",
        "add_bankstatement",
        "add_purchase",
        "change_purchase",
        "change_transmission",
    ]
    group = Group.objects.get(name=roles.ADVISOR)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="invoicing", codename__in=wanted)
    )
    return claire


@pytest.fixture
def brasserie(alice, alice_3en1, claire):
    return make_client(alice, alice_3en1, verify_by=claire)


@pytest.fixture
def invoice(alice, alice_3en1, brasserie):
    """An issued invoice of 121.00 € incl. VAT."""
    return issued_invoice(alice, alice_3en1, brasserie, [line()])


@pytest.fixture
def pending(alice, alice_3en1):
    """A draft for a client no advisor has verified yet: it waits for approval."""
    client = make_client(alice, alice_3en1, name="Nouveau Client SRL")
    draft = invoice_create(by=alice, unit=alice_3en1, client=client, lines=[line()])
    invoice = invoice_submit(invoice=draft, by=alice)
    assert invoice.status == Invoice.Status.PENDING_APPROVAL
    return invoice


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _action(client, model, action, objects, **data):
    return client.post(
        _url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **data},
    )


def _namur_invoice(admin_user, denis):
    holder = Member.objects.get(user=denis)
    unit = unit_open(
        by=admin_user,
        holder=holder,
        code="UP-NAM9",
        name="Denis — théâtre",
        tool=ProductionUnit.Tool.THREE_IN_ONE,
        sector=Sector.objects.order_by("code").first(),
        legal_entity=LegalEntity.objects.get(code="smartcoop"),
        opened_on=date(2026, 1, 5),
    )
    client = make_client(admin_user, unit, verify_by=admin_user, name="Théâtre de Namur")
    return issued_invoice(admin_user, unit, client, [line()])


def _queued_payment(amount="121.00", reference="TEST"):
    return Payment.objects.create(
        status=Payment.Status.UNMATCHED,
        source=Payment.Source.CAMT053,
        amount=Decimal(amount),
        received_on=date(2026, 10, 20),
        payer_name="Someone",
        communication="facture",
        bank_reference=f"{ACCOUNT}:{reference}",
    )


def camt053(*, reference: str, amount: str, identifier: str = "ADMIN-2026-0001") -> bytes:
    """A one-entry camt.053 statement of the cooperative's account, paying `reference`."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{identifier}</MsgId><CreDtTm>2026-11-02T06:15:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{identifier}</Id>
      <CreDtTm>2026-11-02T06:15:00+01:00</CreDtTm>
      <Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-10-31</Dt></BookgDt>
        <AcctSvcrRef>{identifier}-1</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <RltdPties>
            <Dbtr><Nm>BRASSERIE DU COIN SRL</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>BE62510007547061</IBAN></Id></DbtrAcct>
          </RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


# Approving and rejecting ---------------------------------------------------------------------


def test_approving_issues_the_invoice_and_audits_who_approved(admin_client, admin_user, pending):
    response = _action(admin_client, Invoice, "approve_selected", [pending], apply="yes")

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Invoice.Status.ISSUED
    assert pending.number is not None and pending.hash
    approved = audit_trail(pending).get(action="invoice.approved")
    assert approved.actor == admin_user
    assert _messages(response) == ["1 document approved and issued."]


def test_approving_an_issued_invoice_says_why_and_changes_nothing(admin_client, invoice):
    events = AuditEvent.objects.count()

    response = _action(admin_client, Invoice, "approve_selected", [invoice], apply="yes")

    assert response.status_code == 302
    assert _messages(response) == [
        f"{invoice.display_number}: Only a document awaiting approval can be approved."
    ]
    assert AuditEvent.objects.count() == events


def test_rejecting_asks_for_the_reason_on_an_intermediate_page(admin_client, pending):
    response = _action(admin_client, Invoice, "reject_with_reason", [pending])

    assert response.status_code == 200
    assert "admin/action_form.html" in [t.name for t in response.templates]
    assert 'name="reason"' in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Invoice.Status.PENDING_APPROVAL


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_without_a_reason_is_refused_and_nothing_changes(admin_client, pending, reason):
    events = AuditEvent.objects.count()

    response = _action(
        admin_client, Invoice, "reject_with_reason", [pending], apply="yes", reason=reason
    )

    assert response.status_code == 400
    assert "Say why it is rejected." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Invoice.Status.PENDING_APPROVAL
    assert pending.rejection_reason == ""
    assert AuditEvent.objects.count() == events


def test_rejecting_with_a_reason_sends_it_back_to_the_member(admin_client, admin_user, pending):
    response = _action(
        admin_client,
        Invoice,
        "reject_with_reason",
        [pending],
        apply="yes",
        reason="The client's address is missing its postal code.",
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Invoice.Status.REJECTED
    assert pending.rejection_reason == "The client's address is missing its postal code."
    event = audit_trail(pending).get(action="invoice.rejected")
    assert (event.actor, event.reason) == (
        admin_user,
        "The client's address is missing its postal code.",
    )
    assert _messages(response) == ["1 document sent back to the member."]


def test_an_advisor_with_the_review_permissions_approves_from_her_queue(
    claire_client, advisor_can_review, pending
):
    queue = {
        item.label: item
        for item in claire_client.get(reverse("admin:index")).context["advisor_queue"]
    }
    item = queue["Invoices awaiting approval"]
    assert item.count == 1
    listed = claire_client.get(item.url).context["cl"].result_list
    assert list(listed) == [pending]

    response = _action(claire_client, Invoice, "approve_selected", [pending], apply="yes")

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Invoice.Status.ISSUED
    assert audit_trail(pending).get(action="invoice.approved").actor == advisor_can_review


# Issued invoices are read-only ---------------------------------------------------------------


def test_an_issued_invoices_page_has_no_editable_field_and_a_post_changes_nothing(
    admin_client, invoice
):
    url = _url(Invoice, "change", invoice.pk)
    response = admin_client.get(url)

    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
    content = response.content.decode()
    assert 'name="_save"' not in content
    assert "<textarea" not in content
    assert invoice.display_number in content
    assert format_structured_reference(invoice.structured_reference) in content

    response = admin_client.post(url, {"total": "1.00", "note": "changed", "due_date": ""})

    assert response.status_code == 403
    before = (invoice.total, invoice.note, invoice.hash, invoice.due_date)
    invoice.refresh_from_db()
    assert (invoice.total, invoice.note, invoice.hash, invoice.due_date) == before
    assert admin_client.post(_url(Invoice, "delete", invoice.pk), {"post": "yes"}).status_code == (
        403
    )
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_nobody_adds_or_edits_a_draft_in_the_admin(admin_client, alice, alice_3en1, brasserie):
    draft = invoice_create(by=alice, unit=alice_3en1, client=brasserie, lines=[line()])

    assert admin_client.get(_url(Invoice, "add")).status_code == 403
    response = admin_client.post(_url(Invoice, "change", draft.pk), {"note": "changed"})

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.note == ""


def test_the_invoice_page_shows_its_lines_payments_and_download_links(
    admin_client, invoice, claire
):
    payment_record(invoice=invoice, amount="21.00", received_on=date(2026, 10, 5), by=claire)

    response = admin_client.get(_url(Invoice, "change", invoice.pk))

    inlines = {
        inline.formset.model._meta.model_name: [form.instance for form in inline.formset.forms]
        for inline in response.context["inline_admin_formsets"]
    }
    assert [line.description for line in inlines["invoiceline"]] == ["Prestation"]
    assert [payment.amount for payment in inlines["payment"]] == [Decimal("21.00")]
    content = response.content.decode()
    assert reverse("admin:invoicing_invoice_download", args=[invoice.pk, "pdf"]) in content
    assert reverse("admin:invoicing_invoice_download", args=[invoice.pk, "ubl"]) in content
    assert "partially paid" in content


def test_the_ubl_download_is_the_issued_documents_file(admin_client, invoice):
    url = reverse("admin:invoicing_invoice_download", args=[invoice.pk, "ubl"])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{invoice.display_number}.xml"'
    )
    body = b"".join(response.streaming_content)
    assert f"<cbc:ID>{invoice.display_number}</cbc:ID>".encode() in body
    bad_kind = reverse("admin:invoicing_invoice_download", args=[invoice.pk, "docx"])
    assert admin_client.get(bad_kind).status_code == 404


# Searching -----------------------------------------------------------------------------------


def _search(client, term):
    response = client.get(_url(Invoice, "changelist"), {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_an_invoice_is_found_by_its_number_and_its_structured_reference(
    admin_client, alice, alice_3en1, brasserie, invoice
):
    other = issued_invoice(alice, alice_3en1, brasserie, [line(unit_price="50.00")])
    reference = invoice.structured_reference
    formatted = format_structured_reference(reference)

    assert _search(admin_client, invoice.display_number) == [invoice]
    assert _search(admin_client, invoice.display_number.lower()) == [invoice]
    assert _search(admin_client, formatted) == [invoice]
    assert _search(admin_client, formatted.strip("+")) == [invoice]
    assert _search(admin_client, reference) == [invoice]
    assert _search(admin_client, other.display_number) == [other]
    assert _search(admin_client, f"{invoice.series.code}-{invoice.year}-999999") == []


def test_an_invoice_is_found_by_its_client_or_its_member(
    admin_client, alice, alice_3en1, brasserie, invoice
):
    theatre = Client.objects.get(name="Théâtre de la Place")
    theatre_invoice = issued_invoice(alice, alice_3en1, theatre, [line()])

    assert _search(admin_client, "brasserie") == [invoice]
    assert set(_search(admin_client, "Alice Lambert")) == {invoice, theatre_invoice}
    assert _search(admin_client, "Nobody Else") == []


# Advisors see their office ---------------------------------------------------------------------


def test_claire_does_not_see_the_invoices_of_a_namur_members_unit(
    claire_client, admin_user, denis, invoice
):
    namur = _namur_invoice(admin_user, denis)

    listed = claire_client.get(_url(Invoice, "changelist")).context["cl"].result_list
    assert invoice in listed and namur not in listed
    assert claire_client.get(_url(Invoice, "change", invoice.pk)).status_code == 200
    assert _search(claire_client, namur.display_number) == []
    assert claire_client.get(_url(Invoice, "change", namur.pk)).status_code == 302
    download = reverse("admin:invoicing_invoice_download", args=[namur.pk, "ubl"])
    assert claire_client.get(download).status_code == 404


def test_the_superuser_sees_the_invoices_of_every_office(admin_client, admin_user, denis, invoice):
    namur = _namur_invoice(admin_user, denis)

    listed = admin_client.get(_url(Invoice, "changelist")).context["cl"].result_list

    assert set(listed) == {invoice, namur}
    assert _search(admin_client, namur.display_number) == [namur]


def test_the_queue_counts_invoices_of_the_office_and_payments_and_purchases_of_all(
    claire_client, admin_user, denis, pending
):
    _namur_invoice(admin_user, denis)  # issued: in no queue
    _queued_payment()
    inbound_ubl_import(file_bytes=(UBL / "traiteur-no-reference.xml").read_bytes(), by=admin_user)

    response = claire_client.get(reverse("admin:index"))

    queue = {item.label: item for item in response.context["advisor_queue"]}
    assert queue["Invoices awaiting approval"].count == 1
    assert queue["Invoices awaiting approval"].url == (
        _url(Invoice, "changelist") + "?status__exact=pending_approval"
    )
    assert queue["Payments to match"].count == 1
    assert (
        queue["Payments to match"].url == _url(Payment, "changelist") + "?status__exact=unmatched"
    )
    assert queue["Purchases to match to a unit"].count == 1
    content = response.content.decode()
    for item in queue.values():
        assert f'href="{item.url}"' in content


# Payments --------------------------------------------------------------------------------------


def test_an_advisor_records_a_payment_by_hand(admin_client, admin_user, invoice):
    response = admin_client.post(
        _url(Payment, "add"),
        {"invoice": invoice.pk, "amount": "50.00", "received_on": "2026-10-20", "note": "Cash"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.amount, payment.status, payment.source, payment.created_by) == (
        Decimal("50.00"),
        Payment.Status.MATCHED,
        Payment.Source.MANUAL,
        admin_user,
    )
    assert audit_trail(invoice).get(action="payment.recorded").actor == admin_user


def test_the_payment_forms_invoice_autocomplete_offers_issued_invoices_only(
    admin_client, alice, alice_3en1, brasserie, invoice
):
    draft = invoice_create(by=alice, unit=alice_3en1, client=brasserie, lines=[line()])

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "brasserie",
            "app_label": "invoicing",
            "model_name": "payment",
            "field_name": "invoice",
        },
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert results == [{"id": str(invoice.pk), "text": invoice.display_number}]
    assert str(draft.pk) not in {row["id"] for row in results}


def test_a_manual_payment_of_zero_is_refused_with_a_message_and_nothing_saved(
    admin_client, invoice
):
    events = AuditEvent.objects.count()

    response = admin_client.post(
        _url(Payment, "add"),
        {"invoice": invoice.pk, "amount": "0.00", "received_on": "2026-10-20", "note": ""},
    )

    assert response.status_code == 400
    assert response.context["adminform"].form.errors["amount"] == ["The amount can't be zero."]
    assert "The amount can&#x27;t be zero." in response.content.decode()
    assert not Payment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_manual_payment_needs_an_invoice(admin_client):
    response = admin_client.post(
        _url(Payment, "add"), {"invoice": "", "amount": "10.00", "received_on": "2026-10-20"}
    )

    assert response.status_code == 400
    assert "invoice" in response.context["adminform"].form.errors
    assert not Payment.objects.exists()


def test_a_payment_cannot_be_edited_or_deleted(admin_client, invoice, claire):
    payment = payment_record(
        invoice=invoice, amount="21.00", received_on=date(2026, 10, 5), by=claire
    )

    response = admin_client.post(_url(Payment, "change", payment.pk), {"amount": "99.00"})

    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.amount == Decimal("21.00")
    assert admin_client.get(_url(Payment, "delete", payment.pk)).status_code == 403


def test_the_match_action_matches_a_queued_payment_to_the_invoice_typed(
    admin_client, admin_user, invoice
):
    queued = _queued_payment()
    listed = admin_client.get(_url(Payment, "changelist") + "?status__exact=unmatched")
    assert list(listed.context["cl"].result_list) == [queued]

    page = _action(admin_client, Payment, "match_to_invoice", [queued])
    assert page.status_code == 200
    assert 'name="invoice"' in page.content.decode()

    response = _action(
        admin_client,
        Payment,
        "match_to_invoice",
        [queued],
        apply="yes",
        invoice=f" {invoice.display_number} ",
    )

    assert response.status_code == 302
    queued.refresh_from_db()
    assert (queued.status, queued.invoice) == (Payment.Status.MATCHED, invoice)
    assert audit_trail(invoice).get(action="payment.matched").actor == admin_user
    assert _messages(response) == ["1 payment matched."]


def test_matching_to_an_unknown_invoice_says_so_and_changes_nothing(admin_client, invoice):
    queued = _queued_payment()

    response = _action(
        admin_client, Payment, "match_to_invoice", [queued], apply="yes", invoice="F-2026-999999"
    )

    assert response.status_code == 400
    assert "No invoice you follow has this number or reference." in response.content.decode()
    queued.refresh_from_db()
    assert queued.status == Payment.Status.UNMATCHED


def test_a_payment_that_pays_no_invoice_is_set_aside_with_its_reason(admin_client, admin_user):
    queued = _queued_payment()

    refused = _action(admin_client, Payment, "set_aside", [queued], apply="yes", reason="")
    assert refused.status_code == 400
    assert "Say why this payment is set aside." in refused.content.decode()
    queued.refresh_from_db()
    assert queued.status == Payment.Status.UNMATCHED

    response = _action(
        admin_client, Payment, "set_aside", [queued], apply="yes", reason="Loan repayment"
    )

    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == Payment.Status.IGNORED
    assert audit_trail(queued).get(action="payment.ignored").reason == "Loan repayment"


def test_claire_sees_the_whole_payment_queue_but_only_her_offices_matched_payments(
    claire_client, admin_user, denis, invoice, claire
):
    namur = _namur_invoice(admin_user, denis)
    ours = payment_record(invoice=invoice, amount="1.00", received_on=date(2026, 10, 5), by=claire)
    theirs = payment_record(
        invoice=namur, amount="1.00", received_on=date(2026, 10, 5), by=admin_user
    )
    queued = _queued_payment()

    listed = set(claire_client.get(_url(Payment, "changelist")).context["cl"].result_list)

    assert listed == {ours, queued}
    assert theirs not in listed


# camt.053 upload -------------------------------------------------------------------------------


def test_a_camt053_upload_imports_the_statement_and_matches_the_payment(
    admin_client, admin_user, invoice
):
    data = camt053(
        reference=format_structured_reference(invoice.structured_reference), amount="121.00"
    )

    response = admin_client.post(
        reverse("admin:invoicing_bankstatement_import"), {"file": _upload("stmt.xml", data)}
    )

    assert response.status_code == 302
    assert response.url == _url(BankStatement, "changelist")
    payment = Payment.objects.get()
    assert (payment.status, payment.invoice, payment.amount) == (
        Payment.Status.MATCHED,
        invoice,
        Decimal("121.00"),
    )
    statement = BankStatement.objects.get()
    assert statement.imported_by == admin_user
    (message,) = _messages(response)
    assert "1 payment(s) created (1 matched, 0 to match" in message

    again = admin_client.post(
        reverse("admin:invoicing_bankstatement_import"), {"file": _upload("stmt.xml", data)}
    )
    assert _messages(again)[-1] == "This file was already imported: nothing changed."
    assert Payment.objects.count() == 1


def test_the_import_page_opens_with_its_form(admin_client):
    response = admin_client.get(reverse("admin:invoicing_bankstatement_import"))

    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()
    listing = admin_client.get(_url(BankStatement, "changelist")).content.decode()
    assert reverse("admin:invoicing_bankstatement_import") in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<Document><BkToCstmrStmt>", "not well-formed XML"),
        (b"<Invoice/>", "not a camt.053 statement"),
        (b"", "The submitted file is empty."),
    ],
)
def test_a_bad_camt053_file_shows_the_form_again_with_the_error_and_saves_nothing(
    admin_client, invoice, data, message
):
    events = AuditEvent.objects.count()

    response = admin_client.post(
        reverse("admin:invoicing_bankstatement_import"), {"file": _upload("bad.xml", data)}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["form"].errors["file"]
    assert not BankStatement.objects.exists()
    assert not Payment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_statement_for_an_unknown_account_is_refused(admin_client, invoice):
    data = camt053(reference="x", amount="10.00").replace(ACCOUNT.encode(), b"BE71096123456769")

    response = admin_client.post(
        reverse("admin:invoicing_bankstatement_import"), {"file": _upload("x.xml", data)}
    )

    assert response.status_code == 400
    assert "is not an account of the cooperative" in response.content.decode()
    assert not BankStatement.objects.exists()


def test_a_member_cannot_reach_the_import_page(alice_client):
    response = alice_client.get(reverse("admin:invoicing_bankstatement_import"))

    assert response.status_code == 302
    assert not BankStatement.objects.exists()


# Purchases -------------------------------------------------------------------------------------


def test_a_ubl_upload_creates_a_purchase_that_waits_for_a_unit(admin_client, admin_user, alice):
    data = (UBL / "traiteur-no-reference.xml").read_bytes()

    response = admin_client.post(
        reverse("admin:invoicing_purchase_import"), {"file": _upload("t.xml", data)}
    )

    purchase = Purchase.objects.get()
    assert response.status_code == 302
    assert response.url == _url(Purchase, "change", purchase.pk)
    assert (purchase.status, purchase.supplier_invoice_number, purchase.created_by) == (
        Purchase.Status.TO_MATCH,
        "T-7781",
        admin_user,
    )
    (message,) = _messages(response)
    assert message.startswith("Purchase Traiteur Saveurs d'Ici SRL T-7781 waits for an advisor")
    queue = admin_client.get(_url(Purchase, "changelist") + "?status__exact=to_match")
    assert list(queue.context["cl"].result_list) == [purchase]


def test_a_ubl_upload_naming_an_activity_unit_is_posted_at_once(admin_client, alice_activity):
    data = (UBL / "papeterie-up-0002.xml").read_bytes()

    response = admin_client.post(
        reverse("admin:invoicing_purchase_import"), {"file": _upload("p.xml", data)}
    )

    assert response.status_code == 302
    purchase = Purchase.objects.get()
    assert (purchase.status, purchase.unit) == (Purchase.Status.POSTED, alice_activity)
    assert _messages(response) == [
        "Purchase Papeterie Verte SRL PV-2026-0458 posted to unit UP-0002."
    ]


def test_a_bad_ubl_upload_shows_the_error_and_saves_nothing(admin_client, alice):
    data = (UBL / "papeterie-credit-note.xml").read_bytes()

    response = admin_client.post(
        reverse("admin:invoicing_purchase_import"), {"file": _upload("c.xml", data)}
    )

    assert response.status_code == 400
    assert "This is a UBL credit note, not an invoice" in response.content.decode()
    assert not Purchase.objects.exists()


@pytest.fixture
def queued_purchase(admin_user, alice):
    data = (UBL / "traiteur-no-reference.xml").read_bytes()
    purchase = inbound_ubl_import(file_bytes=data, by=admin_user)
    assert purchase.status == Purchase.Status.TO_MATCH
    return purchase


def test_assigning_a_purchase_to_a_unit_posts_it_to_the_ledger(
    admin_client, admin_user, queued_purchase, alice_activity
):
    page = _action(admin_client, Purchase, "assign_to_unit", [queued_purchase])
    assert page.status_code == 200
    autocomplete = reverse("admin:invoicing_purchase_unit_autocomplete")
    assert autocomplete in page.content.decode()

    response = _action(
        admin_client,
        Purchase,
        "assign_to_unit",
        [queued_purchase],
        apply="yes",
        unit=alice_activity.pk,
    )

    assert response.status_code == 302
    queued_purchase.refresh_from_db()
    assert (queued_purchase.status, queued_purchase.unit) == (
        Purchase.Status.POSTED,
        alice_activity,
    )
    entry = LedgerEntry.objects.get(
        unit=alice_activity, kind=LedgerEntry.Kind.PURCHASE, source_id=str(queued_purchase.pk)
    )
    assert entry.amount == -queued_purchase.net_total == Decimal("-480.00")
    assert audit_trail(queued_purchase).get(action="purchase.assigned").actor == admin_user


def test_a_purchase_is_not_assigned_to_a_3en1_unit(admin_client, queued_purchase, alice_3en1):
    response = _action(
        admin_client,
        Purchase,
        "assign_to_unit",
        [queued_purchase],
        apply="yes",
        unit=alice_3en1.pk,
    )

    assert response.status_code == 400
    assert "Only an Activité unit takes purchases." in response.content.decode()
    queued_purchase.refresh_from_db()
    assert queued_purchase.status == Purchase.Status.TO_MATCH
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PURCHASE, unit=alice_3en1)


def test_the_unit_autocomplete_offers_activity_units_only(admin_client, alice_activity, alice_3en1):
    response = admin_client.get(
        reverse("admin:invoicing_purchase_unit_autocomplete"),
        {"term": "Lambert", "app_label": "invoicing", "model_name": "purchase"},
    )

    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert str(alice_activity.pk) in ids
    assert str(alice_3en1.pk) not in ids


def test_rejecting_a_purchase_needs_a_reason(admin_client, queued_purchase):
    refused = _action(
        admin_client, Purchase, "reject_with_reason", [queued_purchase], apply="yes", reason=""
    )
    assert refused.status_code == 400
    queued_purchase.refresh_from_db()
    assert queued_purchase.status == Purchase.Status.TO_MATCH

    response = _action(
        admin_client,
        Purchase,
        "reject_with_reason",
        [queued_purchase],
        apply="yes",
        reason="Not addressed to the cooperative",
    )

    assert response.status_code == 302
    queued_purchase.refresh_from_db()
    assert queued_purchase.status == Purchase.Status.REJECTED


# Reminders and sending -------------------------------------------------------------------------


def test_pausing_reminders_needs_a_reason_and_resuming_does_not(admin_client, invoice):
    refused = _action(admin_client, Invoice, "pause_reminders", [invoice], apply="yes", reason="")
    assert refused.status_code == 400
    assert "Say why the reminders are paused." in refused.content.decode()
    invoice.refresh_from_db()
    assert not invoice.reminders_paused

    paused = _action(
        admin_client,
        Invoice,
        "pause_reminders",
        [invoice],
        apply="yes",
        reason="Payment plan agreed",
    )
    assert paused.status_code == 302
    invoice.refresh_from_db()
    assert invoice.reminders_paused
    assert audit_trail(invoice).get(action="invoice.reminders_paused").reason == (
        "Payment plan agreed"
    )
    filtered = admin_client.get(_url(Invoice, "changelist") + "?reminders_paused__exact=1")
    assert list(filtered.context["cl"].result_list) == [invoice]

    resumed = _action(admin_client, Invoice, "resume_reminders", [invoice], apply="yes", reason="")
    assert resumed.status_code == 302
    invoice.refresh_from_db()
    assert not invoice.reminders_paused


def test_send_again_queues_the_sending_after_commit(
    admin_client, invoice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _action(admin_client, Invoice, "send_again", [invoice])

    assert response.status_code == 302
    # Brasserie du Coin: a Belgian company with a Peppol endpoint and an e-mail address.
    assert len(callbacks) == 2
    assert _messages(response) == ["1 document queued for sending."]


def test_only_transmissions_not_sent_are_sent_again(
    admin_client, invoice, alice, alice_3en1, brasserie, django_capture_on_commit_callbacks
):
    failed = Transmission.objects.get(invoice=invoice, channel=Transmission.Channel.PEPPOL)
    Transmission.objects.filter(pk=failed.pk).update(status=Transmission.Status.FAILED)
    other = issued_invoice(alice, alice_3en1, brasserie, [line()])
    sent = Transmission.objects.get(invoice=other, channel=Transmission.Channel.EMAIL)
    Transmission.objects.filter(pk=sent.pk).update(status=Transmission.Status.SENT)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _action(admin_client, Transmission, "send_failed_again", [failed, sent])

    assert len(callbacks) == 1
    messages = _messages(response)
    assert "1 transmission queued again." in messages
    assert f"{sent}: This transmission was sent: it is not sent again." in messages


# Parameters ------------------------------------------------------------------------------------


def test_an_overlapping_vat_rate_is_refused(admin_client):
    count = VatRate.objects.count()

    response = admin_client.post(
        _url(VatRate, "add"),
        {"category": "S", "rate": "21.00", "valid_from": "2027-01-01", "valid_to": ""},
    )

    assert response.status_code == 400
    assert "This period overlaps the one from 2000-01-01" in response.content.decode()
    assert VatRate.objects.count() == count


def test_a_period_ending_before_it_starts_is_refused(admin_client):
    count = VatRate.objects.count()

    response = admin_client.post(
        _url(VatRate, "add"),
        {"category": "S", "rate": "9.00", "valid_from": "2027-01-01", "valid_to": "2026-12-31"},
    )

    assert response.status_code == 400
    assert response.context["adminform"].form.errors["valid_to"] == [
        "The end of the period can't be before its start."
    ]
    assert VatRate.objects.count() == count


def test_a_new_policy_follows_the_one_it_replaces(admin_client, admin_user):
    current = InvoicingPolicy.objects.get()
    policy = {
        "valid_from": "2027-01-01",
        "valid_to": "",
        "payment_term_days": "30",
        "reminder_days": "10,30",
        "approval_threshold": "5000.00",
    }

    refused = admin_client.post(_url(InvoicingPolicy, "add"), policy)
    assert refused.status_code == 400
    assert InvoicingPolicy.objects.count() == 1

    url = _url(InvoicingPolicy, "change", current.pk)
    ended = admin_client.post(
        url,
        {
            "valid_from": "2000-01-01",
            "valid_to": "2026-12-31",
            "payment_term_days": "10",
            "reminder_days": current.reminder_days,
            "approval_threshold": str(current.approval_threshold),
        },
    )
    assert ended.status_code == 302, ended.context["adminform"].form.errors
    accepted = admin_client.post(_url(InvoicingPolicy, "add"), policy)
    assert accepted.status_code == 302, accepted.context["adminform"].form.errors
    assert InvoicingPolicy.objects.in_force_on(date(2027, 6, 1)).get().payment_term_days == 30
    assert audit_trail(current).first().action == "invoicingpolicy.updated"


def test_an_advisor_only_reads_the_parameters(claire_client):
    rate = VatRate.objects.first()

    assert claire_client.get(_url(VatRate, "changelist")).status_code == 200
    assert claire_client.get(_url(VatRate, "add")).status_code == 403
    response = claire_client.post(
        _url(VatRate, "change", rate.pk), {"valid_from": "2000-01-01", "valid_to": "2001-01-01"}
    )
    assert response.status_code == 403


def test_a_series_with_issued_documents_cannot_be_changed(admin_client, invoice):
    url = _url(invoice.series.__class__, "change", invoice.series_id)

    response = admin_client.get(url)

    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}


# Receivables -----------------------------------------------------------------------------------


@pytest.fixture
def receivables(admin_user, denis, invoice, claire):
    """100.00 € still owed on Claire's office's invoice, 121.00 € on a Namur invoice."""
    payment_record(invoice=invoice, amount="21.00", received_on=date(2026, 10, 5), by=claire)
    _namur_invoice(admin_user, denis)


def test_the_receivables_page_shows_the_total_and_per_unit_and_client(admin_client, receivables):

    response = admin_client.get(reverse("admin:invoicing_invoice_receivables"))

    assert response.status_code == 200
    assert response.context["total"]["amount"] == Decimal("221.00")
    # The largest first.
    assert [row["unit__code"] for row in response.context["units"]] == ["UP-NAM9", "UP-0001"]
    assert [row["amount"] for row in response.context["units"]] == [
        Decimal("121.00"),
        Decimal("100.00"),
    ]
    assert "221,00 €" in response.content.decode().replace("\u202f", "").replace(".", ",")


def test_an_advisors_receivables_are_her_offices(claire_client, receivables):
    mine = claire_client.get(reverse("admin:invoicing_invoice_receivables"))
    assert mine.context["total"]["amount"] == Decimal("100.00")
    assert [row["client__name"] for row in mine.context["clients"]] == ["Brasserie du Coin SRL"]


def test_the_board_sees_the_receivables_of_every_office(client, receivables, denis):
    client.force_login(_with_mfa(denis))

    response = client.get(reverse("admin:invoicing_invoice_receivables"))

    assert response.status_code == 200
    assert response.context["total"]["amount"] == Decimal("221.00")
    assert [row["unit__code"] for row in response.context["units"]] == ["UP-NAM9", "UP-0001"]


def test_a_member_has_no_receivables_page(alice_client, receivables):
    response = alice_client.get(reverse("admin:invoicing_invoice_receivables"))

    assert response.status_code == 302  # to the back-office's login: not a back-office account


def test_the_balance_filter_lists_what_is_still_owed(
    admin_client, alice, alice_3en1, brasserie, invoice, pending, claire
):
    paid = issued_invoice(alice, alice_3en1, brasserie, [line(unit_price="10.00")])
    payment_record(invoice=paid, amount=paid.total, received_on=date(2026, 10, 5), by=claire)

    response = admin_client.get(_url(Invoice, "changelist") + "?balance=owed")

    assert list(response.context["cl"].result_list) == [invoice]


# List pages stay fast --------------------------------------------------------------------------


def _more_rows(alice, unit, client, claire, count, *, start=0):
    for index in range(start, start + count):
        invoice = issued_invoice(alice, unit, client, [line(unit_price=f"{10 + index}.00")])
        payment_record(invoice=invoice, amount="5.00", received_on=date(2026, 10, 5), by=claire)
        _queued_payment(amount=f"{index + 1}.00", reference=f"MORE-{index}")
        assert invoice.transmissions.filter(channel=Transmission.Channel.EMAIL).exists()


@pytest.mark.parametrize("persona", ["admin_client", "claire_client"])
@pytest.mark.parametrize("model", [Invoice, Payment, Transmission, Purchase])
def test_list_pages_do_a_bounded_number_of_queries_whatever_the_rows(
    request,
    django_assert_max_num_queries,
    persona,
    model,
    alice,
    alice_3en1,
    brasserie,
    claire,
    queued_purchase,
):
    client = request.getfixturevalue(persona)
    url = _url(model, "changelist")
    _more_rows(alice, alice_3en1, brasserie, claire, 1)
    client.get(url)  # warm the caches (content types, sessions)
    before = page_queries(client, url)
    _more_rows(alice, alice_3en1, brasserie, claire, 8, start=1)

    with django_assert_max_num_queries(20):
        response = client.get(url)

    if model is not Purchase:
        assert len(response.context["cl"].result_list) >= 9
    assert page_queries(client, url) == before


def test_approving_in_bulk_says_how_many_and_how_much_before_it_issues(admin_client, alice):
    """Issuing is money: the action first lists the invoices with their totals, how many
    and how much in all, and issues nothing until confirmed (issue 16)."""
    unit = ProductionUnit.objects.get(code="UP-0001")
    theatre = Client.objects.get(name="Théâtre de la Place")
    drafts = [
        invoice_create(by=alice, unit=unit, client=theatre, lines=[line(unit_price=price)])
        for price in ("100.00", "250.00")
    ]
    for draft in drafts:
        Invoice.objects.filter(pk=draft.pk).update(status=Invoice.Status.PENDING_APPROVAL)
    pending = list(Invoice.objects.filter(pk__in=[d.pk for d in drafts]))
    page = _action(admin_client, Invoice, "approve_selected", pending)
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 rows, 423.50 € in all" in text  # 121.00 + 302.50, VAT included (English page)
    assert "121.00 €" in text and "302.50 €" in text
    assert not Invoice.objects.filter(pk__in=[d.pk for d in drafts], number__isnull=False)
