from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext

from core.audit import audit_trail
from core.models import AppendOnlyError
from production_units.models import LedgerEntry
from production_units.selectors import unit_availability, unit_balance
from production_units.services import ledger_post

pytestmark = pytest.mark.django_db


def _post(unit, amount, kind=LedgerEntry.Kind.TURNOVER, **kwargs):
    from datetime import date

    return ledger_post(
        unit=unit,
        kind=kind,
        amount=Decimal(amount),
        booked_on=date(2026, 11, 2),
        label="t",
        **kwargs,
    )


def test_balance_is_the_exact_sum_of_entries_to_the_cent(bob, claire):
    from devtools.demo import ensure_alice

    ensure_alice()
    from production_units.models import ProductionUnit

    unit = ProductionUnit.objects.get(code="UP-0001")
    start = unit_balance(unit=unit)
    # 0.1 + 0.2 is the classic float trap; a hundred cents must make exactly 1.00.
    _post(unit, "0.10")
    _post(unit, "0.20")
    for _ in range(100):
        _post(unit, "0.01")
    assert unit_balance(unit=unit) - start == Decimal("1.30")
    annotated = type(unit).objects.with_balance().get(pk=unit.pk).balance
    assert Decimal(annotated).quantize(Decimal("0.01")) == unit_balance(unit=unit)


def test_an_entry_cannot_be_updated_or_deleted_through_the_model(alice_3en1):
    entry = _post(alice_3en1, "12.34")
    entry.amount = Decimal("99.99")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.amount == Decimal("12.34")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_raw_sql_updates_and_deletes_of_entries(alice_3en1):
    entry = _post(alice_3en1, "5.00")
    for sql in (
        "UPDATE production_units_ledgerentry SET amount = 6 WHERE id = %s",
        "DELETE FROM production_units_ledgerentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.amount == Decimal("5.00")


@pytest.mark.parametrize(
    ("amount", "kind", "reason", "field"),
    [
        ("0.00", LedgerEntry.Kind.TURNOVER, "", "amount"),
        ("1.005", LedgerEntry.Kind.TURNOVER, "", "amount"),
        ("10.00", "bonus", "", "kind"),
        ("-10.00", LedgerEntry.Kind.ADJUSTMENT, "  ", "reason"),
    ],
)
def test_bad_entries_are_refused_naming_the_field_and_nothing_is_saved(
    alice_3en1, amount, kind, reason, field
):
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        _post(alice_3en1, amount, kind=kind, reason=reason)
    assert field in excinfo.value.message_dict
    assert LedgerEntry.objects.count() == before


def test_money_is_never_a_float(alice_3en1):
    from datetime import date

    with pytest.raises(TypeError):
        ledger_post(
            unit=alice_3en1, kind="turnover", amount=1.5, booked_on=date(2026, 1, 1), label="x"
        )


def test_posting_is_audited_with_who_and_why(alice_3en1, claire):
    _post(
        alice_3en1, "-20.00", kind=LedgerEntry.Kind.ADJUSTMENT, reason="bank fee refund", by=claire
    )
    event = audit_trail(alice_3en1).first()
    assert event.action == "ledger.posted"
    assert event.actor == claire
    assert event.reason == "bank fee refund"
    assert event.changes["amount"] == "-20.00"


def test_a_known_balance_is_not_read_again_and_is_the_whole_balance_only(alice_3en1, claire):
    ledger_post(
        unit=alice_3en1, kind=LedgerEntry.Kind.ADJUSTMENT, amount=Decimal("12.34"), by=claire,
        booked_on=date(2026, 1, 5),
        label="Correction", reason="Erreur de saisie",
    )  # fmt: skip
    read = unit_availability(unit=alice_3en1)
    assert read.balance == unit_balance(unit=alice_3en1)
    with CaptureQueriesContext(connection) as queries:
        known = unit_availability(unit=alice_3en1, balance=read.balance)
    ledger_queries = [q for q in queries if LedgerEntry._meta.db_table in q["sql"]]
    assert ledger_queries == []
    assert known == read
    assert known.available == read.balance - read.reserved
    with pytest.raises(ValueError, match="whole balance"):
        unit_availability(unit=alice_3en1, at=date(2026, 1, 1), balance=read.balance)
