"""Suppliers' UBL invoices imported as purchases of an Activité unit, or queued for an advisor."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from core.audit import audit_trail
from invoicing.inbound import (
    inbound_ubl_import,
    parse_ubl_invoice,
    purchase_assign,
    purchase_reject,
)
from invoicing.models import Purchase
from production_units.models import LedgerEntry
from production_units.selectors import unit_balance
from production_units.services import ledger_post, unit_close
from tests.frozen_today import _purchases_today  # noqa: F401 (an autouse fixture)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ubl"
PAPETERIE = FIXTURES / "papeterie-up-0002.xml"
TRAITEUR = FIXTURES / "traiteur-no-reference.xml"
CREDIT_NOTE = FIXTURES / "papeterie-credit-note.xml"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def papeterie(**replacements: str) -> bytes:
    """The Papeterie invoice, with some text replaced (old=new given as pairs)."""
    data = PAPETERIE.read_bytes()
    for old, new in replacements.values():
        assert old.encode() in data, old
        data = data.replace(old.encode(), new.encode())
    return data


def _reference(value: str) -> dict:
    return {"reference": ("Commande 2026-114 / up-0002", value)}


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _purchase_entries():
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PURCHASE, source_id__gt="")


# --- reading the file -----------------------------------------------------------------


def test_parsing_reads_supplier_dates_reference_and_totals():
    invoice = parse_ubl_invoice(PAPETERIE.read_bytes())

    assert invoice.supplier_name == "Papeterie Verte SRL"  # the registered name
    assert invoice.supplier_vat_number == "BE0412345614"
    assert invoice.supplier_invoice_number == "PV-2026-0458"
    assert invoice.issue_date == date(2026, 11, 2)
    assert invoice.due_date == date(2026, 12, 2)
    assert invoice.buyer_reference == "Commande 2026-114 / up-0002"
    assert invoice.currency == "EUR"
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (
        Decimal("250.00"),
        Decimal("33.00"),
        Decimal("283.00"),
    )


def test_parsing_accepts_a_partly_prepaid_invoice_without_due_date():
    invoice = parse_ubl_invoice(TRAITEUR.read_bytes())

    assert invoice.total == Decimal("580.80")
    assert invoice.due_date is None
    assert invoice.buyer_reference == ""
    assert invoice.supplier_vat_number == "BE0765432146"  # spaces and dots removed


# --- matched to an Activité unit ------------------------------------------------------


def test_a_purchase_naming_an_activity_unit_is_posted_net_of_vat(alice_activity, settings):
    before = unit_balance(unit=alice_activity)

    purchase = inbound_ubl_import(file_bytes=PAPETERIE.read_bytes(), by=None)

    assert purchase.status == Purchase.Status.POSTED
    assert purchase.unit == alice_activity
    assert purchase.problem == ""
    entry = _purchase_entries().get()
    assert entry.unit == alice_activity
    assert entry.amount == Decimal("-250.00")  # excl. VAT: the cooperative deducts the VAT
    assert entry.booked_on == date(2026, 11, 2)
    assert entry.source == purchase
    assert unit_balance(unit=alice_activity) == before - Decimal("250.00")
    with purchase.ubl.open("rb") as stored:
        assert stored.read() == PAPETERIE.read_bytes()
    actions = [event.action for event in audit_trail(purchase)]
    assert "purchase.imported" in actions and "purchase.posted" in actions


def test_the_unit_code_is_found_case_insensitively_as_a_whole_word(alice_activity):
    purchase = inbound_ubl_import(file_bytes=papeterie(**_reference("ref UP-0002-nov")), by=None)

    assert purchase.unit == alice_activity


def test_a_longer_code_containing_a_units_code_does_not_match_it(alice_activity):
    purchase = inbound_ubl_import(file_bytes=papeterie(**_reference("UP-00021")), by=None)

    assert purchase.status == Purchase.Status.TO_MATCH
    assert "names no known unit" in purchase.problem
    assert not _purchase_entries().exists()


# --- left for an advisor --------------------------------------------------------------


def test_a_3en1_unit_leaves_the_purchase_to_an_advisor(alice_3en1):
    purchase = inbound_ubl_import(file_bytes=papeterie(**_reference("UP-0001")), by=None)

    assert purchase.status == Purchase.Status.TO_MATCH
    assert purchase.unit is None
    assert "UP-0001 is a 3en1 unit" in purchase.problem
    assert not _purchase_entries().exists()


def test_a_closed_unit_leaves_the_purchase_to_an_advisor(alice_activity, claire):
    unit_close(unit=alice_activity, by=claire, closed_on=date(2026, 10, 31))

    purchase = inbound_ubl_import(file_bytes=PAPETERIE.read_bytes(), by=None)

    assert purchase.status == Purchase.Status.TO_MATCH
    assert "UP-0002 is closed" in purchase.problem
    assert not _purchase_entries().exists()


def test_no_buyer_reference_leaves_the_purchase_to_an_advisor(alice):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR.read_bytes(), by=None)

    assert purchase.status == Purchase.Status.TO_MATCH
    assert "no buyer reference" in purchase.problem
    assert Purchase.objects.to_match().get() == purchase


def test_an_unknown_code_leaves_the_purchase_to_an_advisor(alice):
    purchase = inbound_ubl_import(file_bytes=papeterie(**_reference("UP-9999")), by=None)

    assert purchase.status == Purchase.Status.TO_MATCH
    assert "UP-9999" in purchase.problem


def test_a_reference_naming_two_units_leaves_the_purchase_to_an_advisor(alice):
    data = papeterie(**_reference("UP-0001 et UP-0002"))

    purchase = inbound_ubl_import(file_bytes=data, by=None)

    assert purchase.status == Purchase.Status.TO_MATCH
    assert "several units: UP-0001, UP-0002" in purchase.problem


def test_a_purchase_that_would_overdraw_the_unit_waits_for_an_advisor(alice_activity, claire):
    balance = unit_balance(unit=alice_activity)
    ledger_post(
        unit=alice_activity,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount=Decimal("100.00") - balance,
        booked_on=date(2026, 11, 1),
        label="test",
        by=claire,
        reason="leave 100 €",
    )

    purchase = inbound_ubl_import(file_bytes=PAPETERIE.read_bytes(), by=None)

    assert purchase.status == Purchase.Status.TO_MATCH
    assert "below zero by 150.00 €" in purchase.problem
    assert unit_balance(unit=alice_activity) == Decimal("100.00")


# --- the advisor's queue --------------------------------------------------------------


def test_an_advisor_assigns_a_queued_purchase_which_posts_it(alice_activity, claire):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR.read_bytes(), by=None)
    before = unit_balance(unit=alice_activity)

    purchase = purchase_assign(purchase=purchase, unit=alice_activity, by=claire)

    assert purchase.status == Purchase.Status.POSTED
    assert purchase.unit == alice_activity
    assert _purchase_entries().get().amount == Decimal("-480.00")
    assert unit_balance(unit=alice_activity) == before - Decimal("480.00")
    assert "purchase.assigned" in [event.action for event in audit_trail(purchase)]


def test_a_member_cannot_assign_a_purchase(alice, alice_activity):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR.read_bytes(), by=None)

    with pytest.raises(PermissionDenied):
        purchase_assign(purchase=purchase, unit=alice_activity, by=alice)
    assert not _purchase_entries().exists()


def test_a_purchase_cannot_be_assigned_to_a_3en1_unit(alice_3en1, claire):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR.read_bytes(), by=None)

    with pytest.raises(ValidationError) as caught:
        purchase_assign(purchase=purchase, unit=alice_3en1, by=claire)
    assert "Activité" in caught.value.message_dict["unit"][0]
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.TO_MATCH


def test_a_posted_purchase_cannot_be_assigned_again(alice_activity, claire):
    purchase = inbound_ubl_import(file_bytes=PAPETERIE.read_bytes(), by=None)

    with pytest.raises(ValidationError, match="not waiting"):
        purchase_assign(purchase=purchase, unit=alice_activity, by=claire)
    assert _purchase_entries().count() == 1


def test_an_advisor_rejects_a_queued_purchase_with_a_reason(alice, claire):
    purchase = inbound_ubl_import(file_bytes=TRAITEUR.read_bytes(), by=None)

    with pytest.raises(ValidationError):
        purchase_reject(purchase=purchase, by=claire, reason=" ")
    purchase = purchase_reject(purchase=purchase, by=claire, reason="Not ours")

    assert purchase.status == Purchase.Status.REJECTED
    assert not Purchase.objects.to_match().exists()
    assert audit_trail(purchase).filter(action="purchase.rejected", reason="Not ours").exists()


# --- refused files: nothing saved -----------------------------------------------------


def test_the_same_file_twice_is_refused(alice_activity, settings):
    inbound_ubl_import(file_bytes=PAPETERIE.read_bytes(), by=None)

    with pytest.raises(ValidationError, match="already imported"):
        inbound_ubl_import(file_bytes=PAPETERIE.read_bytes(), by=None)
    assert Purchase.objects.count() == 1
    assert _purchase_entries().count() == 1
    assert len(_stored_files(settings)) == 1


def test_the_same_supplier_invoice_in_another_file_is_refused(alice_activity):
    inbound_ubl_import(file_bytes=PAPETERIE.read_bytes(), by=None)

    with pytest.raises(ValidationError, match="PV-2026-0458 of Papeterie Verte SRL was already"):
        inbound_ubl_import(file_bytes=PAPETERIE.read_bytes() + b"\n", by=None)
    assert _purchase_entries().count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<Invoice><unclosed></Invoice>", "not well-formed XML"),
        (b"%PDF-1.7 binary", "not well-formed XML"),
        (b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>', "not a UBL"),
        (CREDIT_NOTE.read_bytes(), "credit note"),
    ],
)
def test_a_file_that_is_not_a_ubl_invoice_is_refused(alice, settings, data, message):
    with pytest.raises(ValidationError, match=message):
        inbound_ubl_import(file_bytes=data, by=None)
    assert not Purchase.objects.exists()
    assert _stored_files(settings) == []


def test_a_file_with_entities_is_refused_without_reading_them(alice):
    data = (
        PAPETERIE.read_bytes()
        .replace(
            b"<Invoice ",
            b'<!DOCTYPE Invoice [<!ENTITY leak SYSTEM "file:///etc/passwd">]>\n<Invoice ',
            1,
        )
        .replace(b"PV-2026-0458", b"&leak;")
    )

    with pytest.raises(ValidationError) as caught:
        inbound_ubl_import(file_bytes=data, by=None)
    assert "root:" not in str(caught.value)
    assert not Purchase.objects.exists()


def test_missing_fields_are_all_named(alice):
    data = papeterie(
        number=("<cbc:ID>PV-2026-0458</cbc:ID>", ""),
        issued=("<cbc:IssueDate>2026-11-02</cbc:IssueDate>", ""),
        vat=('<cbc:TaxAmount currencyID="EUR">33.00</cbc:TaxAmount>', ""),
    )

    with pytest.raises(ValidationError) as caught:
        inbound_ubl_import(file_bytes=data, by=None)
    messages = " ".join(caught.value.messages)
    assert "Invoice number (cbc:ID) is missing" in messages
    assert "Issue date (cbc:IssueDate) is missing" in messages
    assert "VAT total (cac:TaxTotal/cbc:TaxAmount) is missing" in messages
    assert not Purchase.objects.exists()


def test_totals_that_do_not_add_up_are_refused(alice):
    data = papeterie(
        total=('"EUR">283.00</cbc:TaxInclusiveAmount', '"EUR">283.01</cbc:TaxInclusiveAmount'),
        payable=('"EUR">283.00</cbc:PayableAmount', '"EUR">283.01</cbc:PayableAmount'),
    )

    with pytest.raises(ValidationError, match="don't add up: 250.00 excl. VAT \\+ 33.00 VAT"):
        inbound_ubl_import(file_bytes=data, by=None)
    assert not Purchase.objects.exists()


def test_an_amount_due_that_is_not_the_total_is_refused(alice):
    data = papeterie(
        payable=('PayableAmount currencyID="EUR">283.00', 'PayableAmount currencyID="EUR">38.00')
    )

    with pytest.raises(ValidationError, match="amount due 38.00"):
        inbound_ubl_import(file_bytes=data, by=None)


def test_an_invoice_in_another_currency_is_refused(alice):
    data = papeterie(currency=("EUR</cbc:DocumentCurrencyCode>", "USD</cbc:DocumentCurrencyCode>"))

    with pytest.raises(ValidationError, match="Only invoices in EUR .* USD"):
        inbound_ubl_import(file_bytes=data, by=None)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("250.001", "more than two decimals"),
        ("deux cents", "not an amount"),
        ("-250.00", "negative"),
    ],
)
def test_a_bad_amount_is_refused_naming_its_field(alice, amount, message):
    data = papeterie(
        net=(
            'TaxExclusiveAmount currencyID="EUR">250.00',
            f'TaxExclusiveAmount currencyID="EUR">{amount}',
        )
    )

    with pytest.raises(ValidationError, match=f"Total excl. VAT .*TaxExclusiveAmount.* {message}"):
        inbound_ubl_import(file_bytes=data, by=None)


def test_a_bad_date_is_refused_naming_its_field(alice):
    data = papeterie(due=("2026-12-02", "02/12/2026"))

    with pytest.raises(ValidationError, match=r"Due date \(cbc:DueDate\) is not a date"):
        inbound_ubl_import(file_bytes=data, by=None)


# --- the command ----------------------------------------------------------------------


def test_import_ubl_prints_a_line_per_file(alice_activity, capsys):
    call_command("import_ubl", str(PAPETERIE), str(TRAITEUR))

    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{PAPETERIE}: posted to UP-0002: Papeterie Verte SRL PV-2026-0458, 250.00 € excl. VAT",
        f"{TRAITEUR}: queued for an advisor: Traiteur Saveurs d'Ici SRL T-7781: "
        "The invoice has no buyer reference naming a unit (e.g. UP-0002).",
    ]
    assert Purchase.objects.count() == 2


def test_import_ubl_exits_1_when_a_file_fails_and_imports_the_others(
    alice_activity, capsys, tmp_path
):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<Invoice")

    with pytest.raises(CommandError) as caught:
        call_command("import_ubl", str(broken), str(tmp_path / "missing.xml"), str(PAPETERIE))

    assert caught.value.returncode == 1
    output = capsys.readouterr()
    assert f"{broken}: ERROR: The file is not well-formed XML" in output.err
    assert f"{tmp_path / 'missing.xml'}: ERROR: cannot read the file" in output.err
    assert f"{PAPETERIE}: posted to UP-0002" in output.out
    assert Purchase.objects.count() == 1
