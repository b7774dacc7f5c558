from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from stdnum.be import ogm_vcs

from core.audit import audit_trail
from invoicing.chain import verify_chain
from invoicing.invoice_services import (
    credit_note_create,
    invoice_approve,
    invoice_create,
    invoice_reject,
    invoice_submit,
    invoice_update,
)
from invoicing.models import FrozenError, Invoice, InvoiceLine
from production_units.models import LedgerEntry
from production_units.selectors import unit_balance
from tests.invoicing_helpers import issued_invoice, line, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_be(alice, alice_3en1, claire):
    return make_client(alice, alice_3en1, verify_by=claire)


def test_issuing_assigns_consecutive_numbers_and_a_valid_structured_reference(
    alice, alice_3en1, client_be
):
    first = issued_invoice(alice, alice_3en1, client_be, [line()])
    second = issued_invoice(alice, alice_3en1, client_be, [line()])
    assert (first.number, second.number) == (1, 2)
    assert first.display_number == f"F-{first.year}-000001"
    for invoice in (first, second):
        formatted = f"+++{invoice.structured_reference[:3]}/{invoice.structured_reference[3:7]}/"
        formatted += f"{invoice.structured_reference[7:]}+++"
        assert ogm_vcs.is_valid(formatted)
        base, check = int(invoice.structured_reference[:10]), int(invoice.structured_reference[10:])
        assert check == (base % 97 or 97)
    assert first.structured_reference != second.structured_reference


def test_issuing_posts_the_turnover_and_a_credit_note_reverses_it(alice, alice_3en1, client_be):
    before = unit_balance(unit=alice_3en1)
    invoice = issued_invoice(
        alice, alice_3en1, client_be, [line(quantity="2", unit_price="250.00")]
    )
    assert invoice.net_total == Decimal("500.00")
    assert invoice.total == Decimal("605.00")
    assert unit_balance(unit=alice_3en1) == before + Decimal("500.00")
    entry = LedgerEntry.objects.get(source_id=str(invoice.pk), kind=LedgerEntry.Kind.TURNOVER)
    assert entry.amount == Decimal("500.00")

    credit = credit_note_create(invoice=invoice, by=alice)
    from invoicing.invoice_services import invoice_issue

    credit = invoice_issue(invoice=credit, by=alice)
    assert credit.kind == Invoice.Kind.CREDIT_NOTE
    assert credit.number == 1  # its own series
    assert credit.series.code == "NC"
    assert unit_balance(unit=alice_3en1) == before


def test_a_partial_credit_note_cannot_exceed_what_is_left(alice, alice_3en1, client_be):
    from invoicing.invoice_services import invoice_issue

    invoice = issued_invoice(alice, alice_3en1, client_be, [line(unit_price="100.00")])
    partial = credit_note_create(invoice=invoice, by=alice, lines=[line(unit_price="60.00")])
    invoice_issue(invoice=partial, by=alice)
    with pytest.raises(ValidationError, match="left to credit"):
        credit_note_create(invoice=invoice, by=alice, lines=[line(unit_price="50.00")])
    rest = credit_note_create(invoice=invoice, by=alice, lines=[line(unit_price="40.00")])
    assert rest.total == Decimal("48.40")


def test_issuing_twice_changes_nothing(alice, alice_3en1, client_be):
    from invoicing.invoice_services import invoice_issue

    invoice = issued_invoice(alice, alice_3en1, client_be, [line()])
    again = invoice_issue(invoice=invoice, by=alice)
    assert again.number == invoice.number
    assert LedgerEntry.objects.filter(source_id=str(invoice.pk)).count() == 1


def test_an_issued_invoice_refuses_any_change_through_the_model(alice, alice_3en1, client_be):
    invoice = issued_invoice(alice, alice_3en1, client_be, [line()])
    invoice = Invoice.objects.get(pk=invoice.pk)
    invoice.total = Decimal("1.00")
    with pytest.raises(FrozenError):
        invoice.save()
    invoice = Invoice.objects.get(pk=invoice.pk)
    invoice.status = Invoice.Status.DRAFT
    with pytest.raises(FrozenError):
        invoice.save()
    with pytest.raises(FrozenError):
        Invoice.objects.get(pk=invoice.pk).delete()
    a_line = InvoiceLine.objects.filter(invoice=invoice).first()
    a_line.unit_price = Decimal("1")
    with pytest.raises(FrozenError):
        a_line.save()
    with pytest.raises(ValidationError):
        invoice_update(invoice=invoice, by=alice, note="changed")


def test_the_chain_holds_and_verify_command_says_so(alice, alice_3en1, client_be, capsys):
    for _ in range(3):
        issued_invoice(alice, alice_3en1, client_be, [line()])
    invoice = Invoice.objects.issued().first()
    assert verify_chain(invoice.series_id, invoice.year) is None
    call_command("verify_invoice_chain")
    assert "Every invoice chain holds." in capsys.readouterr().out


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE invoicing_invoice SET total = total + 1 WHERE id = %s",
        'UPDATE invoicing_invoice SET buyer = \'{"name": "Someone else"}\' WHERE id = %s',
        "UPDATE invoicing_invoiceline SET unit_price = 1 WHERE invoice_id = %s",
    ],
)
def test_a_direct_sql_update_is_detected_and_named(alice, alice_3en1, client_be, sql, capsys):
    invoices = [issued_invoice(alice, alice_3en1, client_be, [line()]) for _ in range(3)]
    target = invoices[1]
    with connection.cursor() as cursor:
        cursor.execute(sql, [target.pk])
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_invoice_chain")
    assert excinfo.value.returncode == 1
    err = capsys.readouterr().err
    assert f"BROKEN at {target.display_number}" in err


def test_an_unverified_client_sends_the_invoice_to_the_advisor_queue(alice, alice_3en1, claire):
    unverified = make_client(alice, alice_3en1, name="Nouveau client SA")
    draft = invoice_create(by=alice, unit=alice_3en1, client=unverified, lines=[line()])
    submitted = invoice_submit(invoice=draft, by=alice)
    assert submitted.status == Invoice.Status.PENDING_APPROVAL
    assert submitted.number is None
    assert "verified" in audit_trail(submitted).first().reason
    rejected = invoice_reject(invoice=submitted, by=claire, reason="Adresse incomplète")
    assert rejected.status == Invoice.Status.REJECTED
    invoice_update(invoice=rejected, by=alice, note="Adresse complétée")
    again = invoice_submit(invoice=Invoice.objects.get(pk=draft.pk), by=alice)
    issued = invoice_approve(invoice=again, by=claire)
    assert issued.is_issued and issued.number == 1
    assert issued.issued_by == claire


def test_an_amount_over_the_threshold_needs_approval(alice, alice_3en1, client_be):
    draft = invoice_create(
        by=alice, unit=alice_3en1, client=client_be, lines=[line(unit_price="10000.01")]
    )
    assert invoice_submit(invoice=draft, by=alice).status == Invoice.Status.PENDING_APPROVAL
    small = invoice_create(by=alice, unit=alice_3en1, client=client_be, lines=[line()])
    assert invoice_submit(invoice=small, by=alice).status == Invoice.Status.ISSUED


def test_a_member_cannot_approve(alice, alice_3en1, client_be):
    from django.core.exceptions import PermissionDenied

    draft = invoice_create(
        by=alice, unit=alice_3en1, client=client_be, lines=[line(unit_price="20000")]
    )
    invoice_submit(invoice=draft, by=alice)
    with pytest.raises(PermissionDenied):
        invoice_approve(invoice=draft, by=alice)


def test_another_member_cannot_invoice_from_alices_unit(bob, alice_3en1, client_be):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        invoice_create(by=bob, unit=alice_3en1, client=client_be, lines=[line()])


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([line(quantity="-1")], "more than zero"),
        ([line(rate="19")], "not a rate in force"),
        ([line(category="E", rate="0", reason=False)], "exemption reason"),
        ([line(description="  ")], "description"),
        ([line(unit_price="-5")], "negative"),
        ([line(unit_code="XYZ")], "unknown unit"),
        ([], "at least one line"),
    ],
)
def test_bad_lines_are_refused_with_a_message_and_nothing_is_saved(
    alice, alice_3en1, client_be, lines, message
):
    for data in lines:
        if data.exemption_reason is False:
            data.exemption_reason = None
    before = (Invoice.objects.count(), InvoiceLine.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        invoice_create(by=alice, unit=alice_3en1, client=client_be, lines=lines)
    assert "lines" in excinfo.value.message_dict
    assert message in " ".join(excinfo.value.message_dict["lines"])
    assert (Invoice.objects.count(), InvoiceLine.objects.count()) == before


def test_reverse_charge_needs_a_client_in_another_eu_country_with_a_vat_number(
    alice, alice_3en1, claire
):
    belgian = make_client(alice, alice_3en1, verify_by=claire)
    with pytest.raises(ValidationError, match="another EU country"):
        invoice_create(
            by=alice, unit=alice_3en1, client=belgian, lines=[line(category="AE", rate="0")]
        )
    french_without_vat = make_client(
        alice,
        alice_3en1,
        name="Théâtre de Lille",
        country="FR",
        enterprise_number="",
        vat_number="",
        postal_code="59000",
        city="Lille",
    )
    with pytest.raises(ValidationError, match="EU VAT number"):
        invoice_create(
            by=alice,
            unit=alice_3en1,
            client=french_without_vat,
            lines=[line(category="AE", rate="0")],
        )


def test_issue_dates_never_go_backwards_in_a_series(alice, alice_3en1, client_be):
    from invoicing.invoice_services import invoice_issue

    today = timezone.localdate()
    issued_invoice(alice, alice_3en1, client_be, [line()], by=alice)
    draft = invoice_create(by=alice, unit=alice_3en1, client=client_be, lines=[line()])
    with pytest.raises(ValidationError, match="dated later"):
        invoice_issue(invoice=draft, by=alice, issue_date=today - timedelta(days=1))
    assert Invoice.objects.get(pk=draft.pk).number is None


def test_due_date_defaults_to_the_policy_term(alice, alice_3en1, client_be):
    invoice = issued_invoice(alice, alice_3en1, client_be, [line()])
    assert invoice.due_date == invoice.issue_date + timedelta(days=10)
    assert isinstance(invoice.issue_date, date)


def test_lines_not_subject_to_vat_cannot_be_mixed_with_other_categories(alice, alice_3en1, claire):
    american = make_client(
        alice,
        alice_3en1,
        verify_by=claire,
        name="Brooklyn Arts LLC",
        country="US",
        enterprise_number="",
        postal_code="11201",
        city="New York",
    )
    with pytest.raises(ValidationError, match="separate invoice"):
        invoice_create(
            by=alice,
            unit=alice_3en1,
            client=american,
            lines=[line(category="O", rate="0"), line()],
        )


@pytest.mark.parametrize(
    "endpoint", ["0208-0403170701", "208:0403170701", "0208:0403170702", "0208:"]
)
def test_a_bad_peppol_endpoint_is_refused_naming_the_field(alice, alice_3en1, endpoint):
    with pytest.raises(ValidationError) as excinfo:
        make_client(alice, alice_3en1, peppol_endpoint=endpoint)
    assert "peppol_endpoint" in excinfo.value.message_dict


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "1e400", "-sNaN", "12345678901"])
def test_non_finite_or_huge_numbers_are_refused_not_crashing(alice, alice_3en1, client_be, bad):
    from invoicing.lines import LineData

    before = Invoice.objects.count()
    for data in (
        LineData("Prestation", bad, "10.00"),
        LineData("Prestation", "1", bad),
    ):
        with pytest.raises(ValidationError) as excinfo:
            invoice_create(by=alice, unit=alice_3en1, client=client_be, lines=[data])
        assert "lines" in excinfo.value.message_dict
    assert Invoice.objects.count() == before
