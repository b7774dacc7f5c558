"""camt.053 bank statements: parsing, matching payments to invoices, idempotency, bad files."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from core.audit import audit_trail
from invoicing.camt053 import parse_camt053, structured_references_in
from invoicing.invoice_services import invoice_create, invoice_issue
from invoicing.models import BankStatement, Client, Payment
from invoicing.payment_services import bank_statement_import
from invoicing.selectors import PaymentState, invoice_balance_due, invoice_payment_state
from tests.invoicing_helpers import line, make_client

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "camt053"
ACCOUNT = "BE15068211111130"  # SmartCoop SC's account (members migration 0002)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def brasserie(alice, alice_3en1, claire):
    return make_client(alice, alice_3en1, verify_by=claire)


@pytest.fixture
def theatre(alice):
    return Client.objects.get(name="Théâtre de la Place")


@pytest.fixture
def issue(alice, alice_3en1):
    """Issue invoices of Alice's 3en1 unit on 2026-10-01, numbered F-2026-000001, 2, …
    (so the statements' structured references name them)."""

    def issue(client, unit_price):
        invoice = invoice_create(
            by=alice, unit=alice_3en1, client=client, lines=[line(unit_price=unit_price)]
        )
        return invoice_issue(invoice=invoice, by=alice, issue_date=date(2026, 10, 1))

    return issue


@pytest.fixture
def october(issue, brasserie, theatre):
    """The invoices statement_v02.xml pays."""
    invoices = [issue(brasserie, "100.00"), issue(theatre, "500.00"), issue(brasserie, "300.00")]
    assert [invoice.structured_reference for invoice in invoices] == [
        "112600000142",
        "112600000243",
        "112600000344",
    ]
    assert [invoice.total for invoice in invoices] == [
        Decimal("121.00"),
        Decimal("605.00"),
        Decimal("363.00"),
    ]
    return invoices


def payment_of(position: str) -> Payment:
    """The payment imported from an entry of statement 2026-11-02-0187 (v02) by its bank ref."""
    return Payment.objects.get(bank_reference=f"{ACCOUNT}:202610310000{position}")


# Parsing ------------------------------------------------------------------------------------


def test_versions_02_and_08_read_the_same_way():
    (v02,) = parse_camt053(fixture("statement_v02.xml"))
    (v08,) = parse_camt053(fixture("statement_v08.xml"))

    assert (v02.identifier, v02.iban, v02.created_on) == (
        "2026-11-02-0187",
        ACCOUNT,
        date(2026, 11, 2),
    )
    assert [tx.amount for tx in v02.transactions] == [
        Decimal(amount) for amount in ("121.00", "605.00", "363.00", "250.00", "80.00", "-45.90")
    ]
    first = v02.transactions[0]
    assert (first.booked_on, first.bank_reference, first.references) == (
        date(2026, 10, 31),
        "2026103100001",
        ("112600000142",),
    )
    assert (first.counterparty_name, first.counterparty_iban) == (
        "BRASSERIE DU COIN SRL",
        "BE62510007547061",
    )
    # The debit's counterparty is its creditor.
    assert v02.transactions[-1].counterparty_name == "Proximus SA"

    assert v08.iban == ACCOUNT
    assert v08.entry_count == 6 and v08.not_booked == 1
    assert [tx.position for tx in v08.transactions] == ["1", "2", "3.1", "3.2", "4", "6"]
    assert v08.transactions[0].booked_on == date(2026, 11, 2)  # from a BookgDt/DtTm
    assert v08.transactions[0].references == ("112600000142",)  # "+++112/6000/00142+++"
    assert v08.transactions[0].counterparty_name == "Brasserie du Coin"  # Dbtr/Pty/Nm
    assert [tx.amount for tx in v08.transactions[2:4]] == [Decimal("60.50"), Decimal("20.00")]
    assert v08.transactions[2].references == ("112600000344",)  # "***112/6000/00344***"
    assert v08.transactions[4].amount == Decimal("-29.00")
    assert v08.transactions[5].bank_reference == ""


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Facture +++112/6000/00142+++ merci", ["112600000142"]),
        ("***112/6000/00142***", ["112600000142"]),
        ("112600000142", ["112600000142"]),
        ("112 / 6000 / 00142", ["112600000142"]),
        ("+++112/6000/00143+++", []),  # wrong check digits
        ("IBAN BE62510007547061 1126000001420", []),  # digits inside longer numbers
        ("", []),
    ],
)
def test_structured_references_in_free_text_need_valid_check_digits(text, found):
    assert structured_references_in(text) == found


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed.xml", "not well-formed XML"),
        ("not_camt053.xml", "not a camt.053 statement"),
        ("missing_amount.xml", "entry 3: amount missing"),
    ],
)
def test_a_bad_file_is_refused_with_the_problem_named_and_nothing_is_saved(october, name, message):
    with pytest.raises(ValidationError) as error:
        bank_statement_import(file_bytes=fixture(name), by=None)

    assert any(message in text for text in error.value.messages), error.value.messages
    assert Payment.objects.count() == 0
    assert BankStatement.objects.count() == 0


AMOUNT_3 = '<Amt Ccy="EUR">363.00</Amt>'
DATES_4 = (
    "<BookgDt><Dt>2026-10-31</Dt></BookgDt>\n        <ValDt><Dt>2026-10-31</Dt></ValDt>\n"
    "        <AcctSvcrRef>2026103100004"
)
OUR_IBAN = "<IBAN>BE15068211111130</IBAN>"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (AMOUNT_3, '<Amt Ccy="EUR">36x.00</Amt>', "entry 3: amount 36x.00"),
        (AMOUNT_3, '<Amt Ccy="USD">363.00</Amt>', "entry 3: amount in USD"),
        (AMOUNT_3, '<Amt Ccy="EUR">-363.00</Amt>', "entry 3: amount -363.00"),
        (AMOUNT_3, '<Amt Ccy="EUR">363.001</Amt>', "not a positive amount in cents"),
        ("<CdtDbtInd>DBIT", "<CdtDbtInd>DEBIT", "entry 6: credit/debit indicator"),
        (DATES_4, "<AcctSvcrRef>2026103100004", "entry 4: booking date (BookgDt) missing"),
        ("<Dt>2026-10-31</Dt></BookgDt>", "<Dt>2026-13-31</Dt></BookgDt>", "entry 1: booking date"),
        ("<Id>2026-11-02-0187</Id>", "<Id></Id>", "statement identifier (Stmt/Id) missing"),
        (OUR_IBAN, "<IBAN>BE15068211111131</IBAN>", "IBAN BE15068211111131 is not valid"),
        (OUR_IBAN, "<IBAN>BE71096123456769</IBAN>", "BE71096123456769 is not an account of"),
        ("<Stmt>", "<Statement>", "holds no statement"),
    ],
)
def test_every_kind_of_bad_entry_is_named_and_nothing_is_saved(october, old, new, message):
    data = fixture("statement_v02.xml").decode().replace(old, new, 1)
    if old == "<Stmt>":
        data = data.replace("</Stmt>", "</Statement>")

    with pytest.raises(ValidationError) as error:
        bank_statement_import(file_bytes=data.encode(), by=None)

    assert any(message in text for text in error.value.messages), error.value.messages
    assert Payment.objects.count() == 0
    assert BankStatement.objects.count() == 0


def test_a_file_declaring_entities_is_refused():
    data = fixture("statement_v02.xml").replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE Document [<!ENTITY x "y">]>',
    )

    with pytest.raises(ValidationError, match="declares a DTD"):
        parse_camt053(data)


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        parse_camt053(b"  \n")


# Matching -----------------------------------------------------------------------------------


def test_a_statement_is_matched_by_reference_then_amount_and_name_the_rest_queued(october):
    first, second, third = october

    result = bank_statement_import(file_bytes=fixture("statement_v02.xml"), by=None)

    assert (result.created, result.matched, result.unmatched, result.ignored) == (6, 3, 2, 1)
    assert result.skipped_duplicates == 0 and not result.already_imported
    assert result.statements == [f"{ACCOUNT} 2026-11-02-0187"]
    # 1: structured reference in Strd; 2: typed in the free text; 3: amount and payer name.
    assert (payment_of("1").invoice, payment_of("1").status) == (first, Payment.Status.MATCHED)
    assert payment_of("2").invoice == second
    assert payment_of("3").invoice == third
    for invoice in october:
        assert invoice_payment_state(invoice=invoice) == PaymentState.PAID
    # 4: nobody's; 5: a valid reference that is no invoice of ours: both for an advisor.
    assert {payment_of("4").status, payment_of("5").status} == {Payment.Status.UNMATCHED}
    assert payment_of("5").communication == "090933755493"
    # 6: money sent to a supplier, no refund: set aside, kept for the record.
    supplier = payment_of("6")
    assert (supplier.status, supplier.amount, supplier.payer_name) == (
        Payment.Status.IGNORED,
        Decimal("-45.90"),
        "Proximus SA",
    )
    assert payment_of("1").received_on == date(2026, 10, 31)
    assert payment_of("1").source == Payment.Source.CAMT053
    statement = BankStatement.objects.get()
    assert (statement.identifier, statement.account_iban, statement.entry_count) == (
        "2026-11-02-0187",
        ACCOUNT,
        6,
    )
    assert statement.payments.count() == 6


def test_matches_and_the_import_are_audited(october, claire):
    bank_statement_import(file_bytes=fixture("statement_v02.xml"), by=claire)

    statement = BankStatement.objects.get()
    assert statement.imported_by == claire
    event = audit_trail(statement).get(action="bank_statement.imported")
    assert event.changes == {"created": 6, "matched": 3, "unmatched": 2, "ignored": 1}
    matched = audit_trail(october[2]).get(action="payment.matched")
    assert matched.changes["rule"] == "amount_and_name"
    assert audit_trail(october[0]).get(action="payment.matched").changes["rule"] == (
        "structured_reference"
    )


def test_two_open_invoices_of_the_same_amount_and_client_leave_the_payment_to_an_advisor(
    october, issue, brasserie
):
    twin = issue(brasserie, "300.00")  # 363.00 too, same client: which one was paid?

    result = bank_statement_import(file_bytes=fixture("statement_v02.xml"), by=None)

    assert result.matched == 2
    assert payment_of("3").status == Payment.Status.UNMATCHED
    assert invoice_payment_state(invoice=october[2]) == PaymentState.UNPAID
    assert invoice_payment_state(invoice=twin) == PaymentState.UNPAID


def test_the_right_amount_from_someone_else_is_not_matched(issue, brasserie, theatre):
    issue(brasserie, "100.00")
    issue(brasserie, "500.00")
    other = issue(theatre, "300.00")  # 363.00, but the payer is the brasserie

    bank_statement_import(file_bytes=fixture("statement_v02.xml"), by=None)

    assert payment_of("3").status == Payment.Status.UNMATCHED
    assert invoice_payment_state(invoice=other) == PaymentState.UNPAID


def test_a_payment_to_an_account_of_another_entity_is_not_matched_to_this_one(october, claire):
    # Same references, but on Formateurs Associés' account: left for an advisor.
    data = fixture("statement_v02.xml").replace(
        b"<IBAN>BE15068211111130</IBAN>", b"<IBAN>BE78310000000086</IBAN>"
    )

    result = bank_statement_import(file_bytes=data, by=claire)

    assert (result.matched, result.unmatched) == (0, 5)


def test_v08_overpayment_refund_accent_free_name_batch_and_pending_entries(
    issue, brasserie, theatre
):
    first = issue(brasserie, "100.00")  # 121.00
    second = issue(theatre, "200.00")  # 242.00
    third = issue(brasserie, "50.00")  # 60.50

    result = bank_statement_import(file_bytes=fixture("statement_v08.xml"), by=None)

    assert (result.created, result.matched, result.unmatched, result.ignored) == (6, 4, 2, 0)
    assert result.not_booked == 1
    # 150.00 received for 121.00, then 29.00 refunded with the same reference.
    assert sorted(first.payments.values_list("amount", flat=True)) == [
        Decimal("-29.00"),
        Decimal("150.00"),
    ]
    assert invoice_payment_state(invoice=first) == PaymentState.PAID
    # "THEATRE DE LA PLACE" pays 242.00 with no reference: Théâtre de la Place's invoice.
    assert invoice_payment_state(invoice=second) == PaymentState.PAID
    # One booking, two transfers: one pays the third invoice, the other waits.
    assert invoice_payment_state(invoice=third) == PaymentState.PAID
    queued = Payment.objects.filter(status=Payment.Status.UNMATCHED).order_by("amount")
    assert [(p.amount, p.payer_name) for p in queued] == [
        (Decimal("20.00"), "Marie Martin"),
        (Decimal("35.00"), "Paul Peeters"),
    ]
    # The pending 999.00 is not imported; an entry without bank reference gets a stable key.
    assert not Payment.objects.filter(amount=Decimal("999.00")).exists()
    assert Payment.objects.get(amount=Decimal("35.00")).bank_reference == (
        f"{ACCOUNT}:2026-11-03-0188#6"
    )


def test_an_overpayment_imported_shows_as_a_negative_balance_due(issue, brasserie, theatre):
    first = issue(brasserie, "100.00")
    # Only entry 1 (150.00 for 121.00): cut the file after it.
    head, _rest = fixture("statement_v08.xml").decode().split("<!-- 2:")
    data = (head + "</Stmt></BkToCstmrStmt></Document>").encode()

    bank_statement_import(file_bytes=data, by=None)

    assert invoice_payment_state(invoice=first) == PaymentState.OVERPAID
    assert invoice_balance_due(invoice=first) == Decimal("-29.00")


def test_a_partial_payment_by_reference_leaves_the_rest_due(issue, brasserie):
    first = issue(brasserie, "200.00")  # 242.00, paid 121.00 by entry 1 of the v02 statement

    bank_statement_import(file_bytes=fixture("statement_v02.xml"), by=None)

    assert invoice_payment_state(invoice=first) == PaymentState.PARTIALLY_PAID
    assert invoice_balance_due(invoice=first) == Decimal("121.00")


# Idempotency --------------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_and_says_so(october):
    bank_statement_import(file_bytes=fixture("statement_v02.xml"), by=None)
    payments = list(Payment.objects.order_by("pk").values())

    again = bank_statement_import(file_bytes=fixture("statement_v02.xml"), by=None)

    assert again.already_imported
    assert (again.created, again.matched) == (0, 0)
    assert list(Payment.objects.order_by("pk").values()) == payments
    assert BankStatement.objects.count() == 1


def test_an_entry_already_imported_is_skipped_inside_another_file(october):
    bank_statement_import(file_bytes=fixture("statement_v02.xml"), by=None)

    result = bank_statement_import(file_bytes=fixture("statement_v02_next.xml"), by=None)

    assert (result.created, result.skipped_duplicates, result.unmatched) == (1, 1, 1)
    assert october[0].payments.count() == 1
    assert invoice_payment_state(invoice=october[0]) == PaymentState.PAID
    assert BankStatement.objects.count() == 2


def test_the_same_statement_in_a_new_file_imports_nothing_twice(issue, brasserie, theatre):
    issue(brasserie, "100.00")
    bank_statement_import(file_bytes=fixture("statement_v08.xml"), by=None)
    count = Payment.objects.count()
    # Downloaded again: a new message id makes a different file, with the same entries,
    # including the one the bank gave no reference (keyed by statement id and position).
    data = fixture("statement_v08.xml").replace(b"GKCC20261103061500188", b"GKCC-AGAIN")

    result = bank_statement_import(file_bytes=data, by=None)

    assert not result.already_imported
    assert (result.created, result.skipped_duplicates) == (0, 6)
    assert Payment.objects.count() == count
    assert BankStatement.objects.count() == 1


def test_a_file_with_two_statements_imports_both_and_only_once(october):
    v02 = fixture("statement_v02.xml").decode()
    second = fixture("statement_v02_next.xml").decode()
    second_stmt = second[second.index("<Stmt>") : second.index("</Stmt>") + len("</Stmt>")]
    data = v02.replace("</Stmt>", "</Stmt>" + second_stmt, 1).encode()

    result = bank_statement_import(file_bytes=data, by=None)
    again = bank_statement_import(file_bytes=data, by=None)

    assert len(result.statements) == 2
    # The second statement repeats the first's entry 1: imported once.
    assert (result.created, result.skipped_duplicates) == (7, 1)
    assert again.already_imported
    assert BankStatement.objects.count() == 2


def test_only_an_advisor_or_a_command_imports_statements(alice):
    with pytest.raises(PermissionDenied):
        bank_statement_import(file_bytes=fixture("statement_v02.xml"), by=alice)

    assert Payment.objects.count() == 0


# Command ------------------------------------------------------------------------------------


def test_the_command_prints_a_summary_per_file(october, capsys):
    call_command(
        "import_camt053",
        str(FIXTURES / "statement_v02.xml"),
        str(FIXTURES / "statement_v02_next.xml"),
        str(FIXTURES / "statement_v02.xml"),
    )

    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(
        f"statement_v02.xml: {ACCOUNT} 2026-11-02-0187: 6 payment(s) created (3 matched, "
        "2 to match, 1 set aside), 0 already imported, 0 not booked."
    )
    assert "1 payment(s) created" in out[1] and "1 already imported" in out[1]
    assert out[2].endswith("statement_v02.xml: already imported, nothing changed.")


def test_the_command_exits_with_1_and_the_message_on_a_bad_file(october, capsys):
    with pytest.raises(CommandError) as error:
        call_command(
            "import_camt053",
            str(FIXTURES / "missing_amount.xml"),
            str(FIXTURES / "statement_v02.xml"),
            str(FIXTURES / "nowhere.xml"),
        )

    assert error.value.returncode == 1
    err = capsys.readouterr().err
    assert "missing_amount.xml: nothing imported: entry 3: amount missing" in err
    assert "nowhere.xml" in err
    # The good file in between is imported all the same; the bad one saved nothing.
    assert BankStatement.objects.get().identifier == "2026-11-02-0187"
