"""The monthly mutual-contribution run: exactly the dated rate of each unit's issued turnover
less credit notes, plus the coefficient part of its gross salaries; posted once; set-based."""

import csv
import threading
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from random import Random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from core.models import AuditEvent
from invoicing.invoice_services import credit_note_create, invoice_create, invoice_issue
from members.models import LegalEntity
from payroll.contributions.selectors import contribution_breakdown, mutual_fund_total
from payroll.contributions.services import contributions_compute, contributions_due
from payroll.models import ContractType, ContractTypeParameters, ContributionPosting
from payroll.parameters import contract_parameters, rate_on, withholding_table
from payroll.services import employment_cost_record
from payroll.split import job_split
from payroll.tasks import compute_monthly_contributions
from production_units.models import ContributionRate, LedgerEntry, ProductionUnit, Sector
from production_units.services import NewEntry, ledger_post_bulk, ledger_post_query, unit_open
from tests.invoicing_helpers import line, make_client

pytestmark = pytest.mark.django_db

D = Decimal
OCTOBER = date(2026, 10, 1)
CONTRIBUTION_KINDS = [
    LedgerEntry.Kind.TURNOVER_CONTRIBUTION,
    LedgerEntry.Kind.EMPLOYMENT_CONTRIBUTION,
]


class Month:
    """Builds a month of documents and salaries through the services, and keeps its own
    record of them to compute the expected contributions independently of the run."""

    def __init__(self, alice, claire, units):
        self.alice, self.claire, self.units = alice, claire, units
        self.client = make_client(alice, units[0], verify_by=claire)
        self.client.units.add(*units[1:])
        # (unit, issue date, signed net excl. VAT, day of its rate: a credit note's is the
        # issue date of the invoice it credits)
        self.documents = []
        self.salaries = []  # (unit, contract code, work date, gross, charges)

    def invoice(self, unit, day, amount):
        draft = invoice_create(
            by=self.alice, unit=unit, client=self.client, lines=[line(unit_price=amount)]
        )
        issued = invoice_issue(invoice=draft, by=self.claire, issue_date=day)
        self.documents.append((unit, day, D(amount), day))
        return issued

    def credit(self, invoice, day, amount):
        note = credit_note_create(invoice=invoice, by=self.alice, lines=[line(unit_price=amount)])
        invoice_issue(invoice=note, by=self.claire, issue_date=day)
        self.documents.append((invoice.unit, day, -D(amount), invoice.issue_date))

    def salary(self, unit, code, day, gross, charges):
        employment_cost_record(
            unit=unit,
            contract_type=ContractType.objects.get(code=code),
            work_date=day,
            gross=D(gross),
            employer_charges=D(charges),
            by=self.claire,
        )
        self.salaries.append((unit, code, day, D(gross), D(charges)))

    def expected(self, first, last, rates, coefficients):
        """{unit: (turnover pillar, employment pillar)}, from the test's own records:
        `rates(day)` and `coefficients(code, day)` are the test's own tables."""
        exact_turnover = defaultdict(Decimal)
        for unit, day, net, rate_day in self.documents:
            if first <= day <= last:
                exact_turnover[unit.pk] += net * rates(rate_day) / 100
        kept, charges = defaultdict(Decimal), defaultdict(Decimal)
        for unit, code, day, gross, employer in self.salaries:
            if first <= day <= last:
                kept[unit.pk] += gross * (coefficients(code, day) - 1)
                charges[unit.pk] += employer
        result = {}
        for pk in set(exact_turnover) | set(kept):
            result[pk] = (
                exact_turnover[pk].quantize(D("0.01"), rounding=ROUND_HALF_UP),
                kept[pk].quantize(D("0.01"), rounding=ROUND_CEILING) - charges[pk],
            )
        return result


def open_units(alice_unit, claire, count, start=1):
    return [
        unit_open(
            by=claire,
            holder=alice_unit.holder,
            code=f"UP-T{start + n:04d}",
            name=f"Unité test {start + n}",
            tool=ProductionUnit.Tool.THREE_IN_ONE,
            sector=Sector.objects.get(code="musique-chanson"),
            legal_entity=LegalEntity.objects.get(code="smartcoop"),
            opened_on=date(2024, 1, 1),
        )
        for n in range(count)
    ]


def posted(period=OCTOBER):
    """{unit id: {pillar: ledger amount}} of the run's ledger entries."""
    result = defaultdict(dict)
    for posting in ContributionPosting.objects.filter(period=period).select_related("ledger_entry"):
        assert posting.ledger_entry.amount == -posting.amount
        result[posting.unit_id][posting.pillar] = posting.ledger_entry.amount
    return dict(result)


def seeded_rates(day):
    return D("8.50") if day <= date(2024, 12, 31) else D("6.50")


SEEDED_COEFFICIENTS = {
    "employee-fixed-term": D("1.3300"),
    "artist-fixed-term": D("1.3500"),
    "trainer-fixed-term": D("1.4000"),
}


def seeded_coefficients(code, day):
    return SEEDED_COEFFICIENTS[code]


@pytest.fixture
def october(alice, alice_3en1, claire):
    """Units A, B, C, D, E: documents and salaries in October 2026 and around it."""
    a, b, c, d, e = open_units(alice_3en1, claire, 5)
    month = Month(alice, claire, [a, b, c, d, e])
    old_b = month.invoice(b, date(2026, 9, 14), "400.00")
    month.invoice(c, date(2026, 9, 30), "999.00")  # September: not October's
    first_a = month.invoice(a, date(2026, 10, 5), "1000.00")
    month.invoice(b, date(2026, 10, 12), "250.05")
    month.invoice(a, date(2026, 10, 20), "333.33")
    month.invoice(a, date(2026, 10, 31), "333.33")
    month.invoice(e, date(2026, 10, 31), "1200.00")
    month.invoice(d, date(2026, 11, 2), "500.00")  # November: not October's
    month.credit(first_a, date(2026, 10, 25), "100.00")
    # A credit note of a September invoice is dated in October: it reverses October's.
    month.credit(old_b, date(2026, 10, 28), "400.00")
    invoice_create(by=alice, unit=c, client=month.client, lines=[line(unit_price="70.00")])
    month.salary(a, "employee-fixed-term", date(2026, 10, 10), "783.45", "195.86")
    month.salary(c, "artist-fixed-term", date(2026, 10, 3), "346.29", "93.50")
    month.salary(c, "artist-fixed-term", date(2026, 10, 4), "346.29", "93.50")
    month.salary(d, "trainer-fixed-term", date(2026, 11, 1), "324.70", "103.90")
    month.salary(e, "employee-fixed-term", date(2026, 10, 30), "783.45", "195.86")
    return month


def test_each_unit_is_charged_the_dated_rate_of_its_net_turnover_and_its_coefficient_part(
    october,
):
    a, b, c, d, e = october.units
    result = contributions_compute(period=OCTOBER)

    expected = october.expected(
        date(2026, 10, 1), date(2026, 10, 31), seeded_rates, seeded_coefficients
    )
    ledger = posted()
    for unit in (a, b, c, e):
        turnover, employment = expected[unit.pk]
        entries = {
            pillar: amount
            for pillar, amount in (("turnover", -turnover), ("employment", -employment))
            if amount
        }
        assert ledger[unit.pk] == entries
    # By hand: A = 6.5 % of (1000 + 333.33 + 333.33 − 100) = 101.83329 → 101.83 (rounded once
    # per unit and month, not per document: that would give 101.84).
    assert ledger[a.pk] == {"turnover": D("-101.83"), "employment": D("-62.68")}
    # B: 250.05 − 400.00 = −149.95 → −9.74675 → the unit gets 9.75 back.
    assert ledger[b.pk] == {"turnover": D("9.75")}
    # C: two artist days of 346.29 → ⌈692.58 × 0.35⌉ − 187.00 = 242.41 − 187.00.
    assert ledger[c.pk] == {"employment": D("-55.41")}
    # D has only November documents and salaries: no entry at all, not a zero entry.
    assert d.pk not in ledger
    assert len(result.posted) == 6
    assert result.already_posted == 0


def test_one_job_in_a_month_is_charged_exactly_the_split_c1_and_c2(october):
    e = october.units[4]
    day = date(2026, 10, 31)
    split = job_split(
        turnover=D("1200.00"),
        expenses=D("80.00"),
        parameters=contract_parameters("employee-fixed-term", day),
        turnover_rate=rate_on(day),
        withholding=withholding_table(day),
        days=3,
    )
    contributions_compute(period=OCTOBER)
    assert posted()[e.pk] == {
        "turnover": -split.turnover_contribution,
        "employment": -split.pay.employment_contribution,
    }


def test_running_a_month_twice_posts_nothing_more(october):
    first = contributions_compute(period=OCTOBER)
    entries = LedgerEntry.objects.count()
    events = AuditEvent.objects.filter(action="ledger.posted_bulk").count()
    again = contributions_compute(period=OCTOBER)
    assert again.posted == []
    assert again.already_posted == len(first.posted) == 6
    assert LedgerEntry.objects.count() == entries
    assert AuditEvent.objects.filter(action="ledger.posted_bulk").count() == events == 1


@pytest.mark.parametrize("set_based", [False, True])
def test_a_second_run_posts_what_came_later_and_links_it_to_its_own_new_entry(october, set_based):
    if set_based and connection.vendor != "postgresql":
        pytest.skip("the set-based run needs PostgreSQL")
    _a, b, *_rest = october.units
    first = contributions_compute(period=OCTOBER, set_based=set_based)
    links = dict(ContributionPosting.objects.values_list("pk", "ledger_entry_id"))
    before = set(LedgerEntry.objects.values_list("pk", flat=True))
    # A salary of October recorded after the run: B had turnover only.
    october.salary(b, "employee-fixed-term", date(2026, 10, 15), "500.00", "125.00")
    again = contributions_compute(period=OCTOBER, set_based=set_based)
    assert [(p.unit_id, p.pillar) for p in again.posted] == [(b.pk, "employment")]
    assert again.already_posted == len(first.posted)
    new = ContributionPosting.objects.exclude(pk__in=links).get()
    assert new.ledger_entry_id not in before
    assert new.ledger_entry.unit_id == b.pk
    assert new.ledger_entry.kind == LedgerEntry.Kind.EMPLOYMENT_CONTRIBUTION
    # 500.00 × (1.33 − 1) = 165.00, less the 125.00 of charges
    assert new.amount == D("40.00") == -new.ledger_entry.amount
    assert (
        dict(ContributionPosting.objects.filter(pk__in=links).values_list("pk", "ledger_entry_id"))
        == links
    )


def test_the_run_writes_one_audit_event_with_the_totals(october, claire):
    result = contributions_compute(period=OCTOBER, by=claire)
    event = AuditEvent.objects.get(action="ledger.posted_bulk")
    assert event.actor == claire
    assert event.changes["entries"] == 6
    total = sum(p.amount for p in result.posted if p.pillar == "turnover")
    assert event.changes["totals"]["turnover_contribution"] == str(-total)
    entry = LedgerEntry.objects.get(pk=event.changes["first"])
    assert entry.source.period == OCTOBER
    assert entry.booked_on == date(2026, 10, 31)
    assert entry.created_by == claire


def test_a_rate_change_in_the_middle_of_the_month_applies_by_document_date(
    alice, alice_3en1, claire
):
    # Staff end the 6.5 % rate on 15 October and the employee coefficient too.
    current = ContributionRate.objects.get(valid_to__isnull=True)
    current.valid_to = date(2026, 10, 15)
    current.save()
    rate = ContributionRate(valid_from=date(2026, 10, 16), rate=D("7.25"), label="test")
    rate.full_clean()
    rate.save()
    employee = ContractTypeParameters.objects.get(contract_type__code="employee-fixed-term")
    employee.valid_to = date(2026, 10, 15)
    employee.save()
    newer = ContractTypeParameters(
        contract_type=employee.contract_type,
        valid_from=date(2026, 10, 16),
        employer_charges_rate=D("25.00"),
        employee_ss_rate=D("13.07"),
        employment_coefficient=D("1.3450"),
        minimum_daily_gross=D("100.00"),
    )
    newer.full_clean()
    newer.save()
    (unit,) = open_units(alice_3en1, claire, 1)
    month = Month(alice, claire, [unit])
    month.invoice(unit, date(2026, 10, 15), "1234.57")
    month.invoice(unit, date(2026, 10, 16), "765.43")
    month.salary(unit, "employee-fixed-term", date(2026, 10, 15), "500.01", "125.00")
    month.salary(unit, "employee-fixed-term", date(2026, 10, 16), "499.99", "125.00")

    contributions_compute(period=OCTOBER)

    def rates(day):
        return D("6.50") if day <= date(2026, 10, 15) else D("7.25")

    def coefficients(code, day):
        return D("1.3300") if day <= date(2026, 10, 15) else D("1.3450")

    turnover, employment = month.expected(OCTOBER, date(2026, 10, 31), rates, coefficients)[unit.pk]
    # 80.247050 + 55.493675 = 135.740725; ⌈165.0033 + 172.496550⌉ − 250.00 = 337.50 − 250.
    assert (turnover, employment) == (D("135.74"), D("87.50"))
    assert posted()[unit.pk] == {"turnover": -turnover, "employment": -employment}


def test_each_month_of_a_rate_change_uses_its_own_rate(alice, alice_3en1, claire):
    (unit,) = open_units(alice_3en1, claire, 1)
    month = Month(alice, claire, [unit])
    month.invoice(unit, date(2024, 12, 15), "1000.00")
    month.invoice(unit, date(2025, 1, 10), "1000.00")
    contributions_compute(period=date(2024, 12, 1))
    contributions_compute(period=date(2025, 1, 1))
    assert posted(date(2024, 12, 1))[unit.pk] == {"turnover": D("-85.00")}
    assert posted(date(2025, 1, 1))[unit.pk] == {"turnover": D("-65.00")}


@pytest.mark.parametrize(
    "set_based",
    [False, pytest.param(True, marks=pytest.mark.skipif("connection.vendor != 'postgresql'"))],
)
def test_a_credit_note_reverses_at_the_rate_of_the_invoice_it_credits(
    set_based, alice, alice_3en1, claire
):
    (unit,) = open_units(alice_3en1, claire, 1)
    month = Month(alice, claire, [unit])
    september = month.invoice(unit, date(2026, 9, 14), "1000.00")  # at 6.50 %
    _dated(
        ContributionRate,
        ContributionRate.objects.get(valid_to__isnull=True),
        OCTOBER,
        rate=D("7.25"),
        label="test",
    )
    month.invoice(unit, date(2026, 10, 5), "2000.00")  # at 7.25 %
    month.credit(september, date(2026, 10, 20), "400.00")  # reversed at September's 6.50 %

    contributions_compute(period=OCTOBER, set_based=set_based)

    # 2000 × 7.25 % − 400 × 6.50 % = 145.00 − 26.00 (not 29.00 at the credit note's date).
    assert posted()[unit.pk] == {"turnover": D("-119.00")}
    posting = ContributionPosting.objects.get(unit=unit, pillar="turnover")
    posting.refresh_from_db()
    assert posting.detail["net_by_rate"] == {"6.50": "-400.00", "7.25": "2000.00"}


def test_a_document_on_a_day_without_a_rate_stops_the_run_and_nothing_is_posted(
    alice, alice_3en1, claire
):
    (unit,) = open_units(alice_3en1, claire, 1)
    month = Month(alice, claire, [unit])
    month.invoice(unit, date(2026, 10, 20), "100.00")
    current = ContributionRate.objects.get(valid_to__isnull=True)
    current.valid_to = date(2026, 10, 15)
    current.save()
    with pytest.raises(ValidationError, match=unit.code):
        contributions_compute(period=OCTOBER)
    assert not ContributionPosting.objects.exists()
    assert not LedgerEntry.objects.filter(kind__in=CONTRIBUTION_KINDS, unit=unit).exists()


def test_a_month_that_is_not_over_cannot_be_computed(october):
    with pytest.raises(ValidationError) as excinfo:
        contributions_compute(period=date(2026, 11, 1), today=date(2026, 11, 30))
    assert "period" in excinfo.value.message_dict
    assert not ContributionPosting.objects.exists()
    # On the first day of the next month it can.
    result = contributions_compute(period=date(2026, 11, 1), today=date(2026, 12, 1))
    assert {p.unit_id for p in result.posted} == {october.units[3].pk}


def test_the_mutual_fund_receives_what_the_units_are_charged(october):
    before = mutual_fund_total(start=date(2026, 10, 1), end=date(2026, 10, 31))
    result = contributions_compute(period=OCTOBER)
    after = mutual_fund_total(start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert after.turnover - before.turnover == result.total("turnover")
    assert after.employment - before.employment == result.total("employment")
    assert after.total - before.total == sum(p.amount for p in result.posted)
    assert result.total("employment") == D("62.68") + D("55.41") + D("62.68")


def test_the_command_posts_and_writes_the_breakdown_csv(october, tmp_path, capsys):
    path = tmp_path / "october.csv"
    call_command("compute_contributions", "--period", "2026-10", "--csv", str(path))
    out = capsys.readouterr().out
    assert "2026-10: 6" in out
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    a, b, c, d, e = october.units
    assert len(rows) == 1 + 4
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[a.code][3:] == [
        "1666.66",
        "100.00",
        "1566.66",
        "101.83",
        "783.45",
        "195.86",
        "62.68",
        "164.51",
    ]
    assert by_code[b.code][3:7] == ["250.05", "400.00", "-149.95", "-9.75"]
    assert d.code not in by_code
    assert [row.unit_code for row in contribution_breakdown(period=OCTOBER)] == sorted(by_code)
    # A second run posts nothing and writes the same file.
    call_command("compute_contributions", "--period", "2026-10", "--csv", str(path))
    assert "2026-10: 0" in capsys.readouterr().out
    with path.open(encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == rows


@pytest.mark.parametrize("period", ["2026-13", "octobre", "", "2026-10-01"])
def test_the_command_refuses_a_bad_period_with_a_clear_message(period, db):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("compute_contributions", "--period", period)


def test_the_command_refuses_a_month_not_over(db):
    with pytest.raises(CommandError, match="not over"):
        call_command("compute_contributions", "--period", "2999-01")


def test_the_monthly_task_is_idempotent(october):
    assert compute_monthly_contributions.delay("2026-10").get() == 6
    assert compute_monthly_contributions.delay("2026-10").get() == 0


@pytest.mark.parametrize("count", [5, 50])
def test_the_run_makes_the_same_few_queries_whatever_the_number_of_units(
    count, alice, alice_3en1, claire, django_assert_max_num_queries
):
    units = open_units(alice_3en1, claire, count)
    month = Month(alice, claire, units)
    for n, unit in enumerate(units):
        month.invoice(unit, date(2026, 10, 1 + n * 28 // count), f"{100 + n}.{n:02d}")
        month.salary(unit, "artist-fixed-term", date(2026, 10, 2), f"{200 + n}.00", "54.00")
    # A constant: 20 before the arrears, plus the query of the earliest work date charged
    # (arrears of an earlier month are charged at their own day's coefficient), plus the
    # query of the earliest invoice credited (a credit note reverses at its invoice's rate),
    # plus the content type of the run the first time it is looked up.
    with django_assert_max_num_queries(23):
        result = contributions_compute(period=OCTOBER)
    assert len(result.posted) == 2 * count
    due = contributions_due(period=OCTOBER)
    expected = month.expected(OCTOBER, date(2026, 10, 31), seeded_rates, seeded_coefficients)
    assert {pk: (u.turnover_contribution, u.employment_contribution) for pk, u in due.items()} == (
        expected
    )


def test_bulk_posting_refuses_bad_entries_naming_the_field_and_saves_nothing(october, claire):
    a = october.units[0]
    before = LedgerEntry.objects.count()
    bad = [
        NewEntry(a.pk, LedgerEntry.Kind.TURNOVER_CONTRIBUTION, D("-1.00"), OCTOBER, "ok"),
        NewEntry(a.pk, LedgerEntry.Kind.TURNOVER_CONTRIBUTION, D("0.00"), OCTOBER, "zero"),
        NewEntry(a.pk, "bonus", D("1.005"), OCTOBER, ""),
        NewEntry(10**9, LedgerEntry.Kind.TURNOVER_CONTRIBUTION, D("1.00"), OCTOBER, "x"),
    ]
    with pytest.raises(ValidationError) as excinfo:
        ledger_post_bulk(entries=bad, by=claire, source=a)
    errors = excinfo.value.message_dict
    assert set(errors) == {"amount", "kind", "label", "unit"}
    assert errors["amount"][0].startswith("Entry 2:")
    assert LedgerEntry.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an INSERT … SELECT on PostgreSQL")
def test_posting_from_a_query_refuses_bad_entries_and_saves_nothing(october, claire):
    a = october.units[0]
    before = LedgerEntry.objects.count()
    select = (
        "SELECT %s::bigint AS unit_id, k AS kind, amt AS amount, %s::date AS booked_on, "
        "lbl AS label FROM (VALUES ('turnover_contribution', -1.00, 'ok'), "
        "('bonus', 2.00, ' ')) AS v(k, amt, lbl)"
    )
    with pytest.raises(ValidationError) as excinfo:
        ledger_post_query(select=select, params=[a.pk, OCTOBER], by=claire, source=a)
    errors = excinfo.value.message_dict
    assert set(errors) == {"kind", "label"}
    assert errors["kind"] == ["Entry 2: Unknown kind of ledger entry."]
    # A row the database's own rules refuse (an entry of zero): a ValidationError too.
    zero = select.replace("-1.00", "0.00").replace("('bonus', 2.00, ' ')", "('bonus', 0, 'x')")
    with pytest.raises(ValidationError, match="ledger_entry_amount_not_zero"):
        ledger_post_query(select=zero, params=[a.pk, OCTOBER], by=claire, source=a)
    assert LedgerEntry.objects.count() == before
    assert not AuditEvent.objects.filter(action="ledger.posted_bulk").exists()


def test_an_employment_cost_needs_parameters_in_force_on_the_work_date(october, claire):
    with pytest.raises(ValidationError) as excinfo:
        employment_cost_record(
            unit=october.units[0],
            contract_type=ContractType.objects.get(code="student"),
            work_date=date(2018, 6, 1),
            gross=D("100.00"),
            employer_charges=D("5.42"),
            by=claire,
        )
    assert "contract_type" in excinfo.value.message_dict


def test_overlapping_rates_are_refused(db):
    rate = ContributionRate(valid_from=date(2024, 6, 1), rate=D("7.00"))
    with pytest.raises(ValidationError) as excinfo:
        rate.full_clean()
    assert "valid_from" in excinfo.value.message_dict


def test_a_coefficient_that_cannot_pay_the_charges_is_refused(db):
    row = ContractTypeParameters(
        contract_type=ContractType.objects.get(code="student"),
        valid_from=date(2030, 1, 1),
        employer_charges_rate=D("25.00"),
        employee_ss_rate=D("13.07"),
        employment_coefficient=D("1.2000"),
        minimum_daily_gross=D("0.00"),
    )
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert "employment_coefficient" in excinfo.value.message_dict


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking")
def test_parallel_runs_of_a_month_post_once(alice, alice_3en1, claire, monkeypatch):
    monkeypatch.setattr("invoicing.invoice_services._enqueue_documents", lambda pk: None)
    monkeypatch.setattr("invoicing.tasks.send_document.delay", lambda *args: None)
    units = open_units(alice_3en1, claire, 3)
    month = Month(alice, claire, units)
    for unit in units:
        month.invoice(unit, date(2026, 10, 9), "321.09")
    workers = 4
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(len(contributions_compute(period=OCTOBER).posted))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [0, 0, 0, 3]
    assert ContributionPosting.objects.count() == 3
    assert LedgerEntry.objects.filter(kind__in=CONTRIBUTION_KINDS, unit__in=units).count() == 3


def _dated(model, current, valid_from, **values):
    """End `current` the day before `valid_from` and put a row with `values` in force then."""
    current.valid_to = valid_from - timedelta(days=1)
    current.save()
    row = model(valid_from=valid_from, **values)
    row.full_clean()
    row.save()
    return row


def _changing_parameters():
    """Three turnover rates and two coefficients per changed contract type in October:
    the test's own tables, [(valid from, value)], after putting them in force."""
    rates = [(date(2026, 10, 1), D("6.50"))]
    current = ContributionRate.objects.get(valid_to__isnull=True)
    for valid_from, rate in ((date(2026, 10, 11), D("7.25")), (date(2026, 10, 21), D("5.75"))):
        current = _dated(ContributionRate, current, valid_from, rate=rate, label="test")
        rates.append((valid_from, rate))
    coefficients = {code: [(date(2026, 10, 1), k)] for code, k in SEEDED_COEFFICIENTS.items()}
    for code, changed_on, k in (
        ("employee-fixed-term", date(2026, 10, 16), D("1.3450")),
        ("artist-fixed-term", date(2026, 10, 9), D("1.3725")),
    ):
        row = ContractTypeParameters.objects.get(contract_type__code=code, valid_to__isnull=True)
        _dated(
            ContractTypeParameters, row, changed_on,
            contract_type=row.contract_type,
            employer_charges_rate=row.employer_charges_rate,
            employee_ss_rate=row.employee_ss_rate,
            employment_coefficient=k,
            minimum_daily_gross=row.minimum_daily_gross,
        )  # fmt: skip
        coefficients[code].append((changed_on, k))
    return rates, coefficients


def _random_documents(random, units):
    """[(issue day, unit, amount excl. VAT, (credit day, credited part) or None)]."""
    documents = []
    for unit in units:
        for _n in range(random.randint(1, 4)):
            day = date(2026, 10, random.randint(1, 31))
            amount = D(random.randint(1, 400_000)).scaleb(-2)
            credit = None
            if random.random() < 0.3:
                credit = (
                    date(2026, 10, random.randint(day.day, 31)),
                    D(random.randint(1, int(amount * 100))).scaleb(-2),
                )
            documents.append((day, unit, amount, credit))
    return sorted(documents, key=lambda d: (d[0], d[1].pk))


def _issue_in_date_order(month, documents):
    """Issue the invoices and their credit notes by date (a series takes no earlier date)."""
    credits = []  # (day, invoice pk, invoice, part), by date
    for day, unit, amount, credit in documents:
        while credits and credits[0][0] <= day:
            credit_day, _pk, invoice, part = credits.pop(0)
            month.credit(invoice, credit_day, part)
        issued = month.invoice(unit, day, amount)
        if credit is not None:
            credits = sorted(
                [*credits, (credit[0], issued.pk, issued, credit[1])], key=lambda c: c[:2]
            )
    for credit_day, _pk, invoice, part in credits:
        month.credit(invoice, credit_day, part)


def _generated_october(alice, alice_3en1, claire, seed):
    """A month of seeded random documents and salaries over eight units, under three turnover
    rates and two coefficients per contract type that change in the month. Returns the month
    and the test's own tables of the rates and coefficients."""
    rates, coefficients = _changing_parameters()
    random = Random(seed)
    units = open_units(alice_3en1, claire, 8)
    month = Month(alice, claire, units)
    documents = _random_documents(random, units)
    for unit in units:
        for _n in range(random.randint(0, 4)):
            gross = D(random.randint(5_000, 300_000)).scaleb(-2)
            charges = (gross * D("0.25")).quantize(D("0.01")) + D(random.randint(0, 99)).scaleb(-2)
            code = random.choice(sorted(SEEDED_COEFFICIENTS))
            month.salary(unit, code, date(2026, 10, random.randint(1, 31)), gross, charges)
    _issue_in_date_order(month, documents)

    def in_force(table, day):
        return [value for valid_from, value in table if valid_from <= day][-1]

    return (
        month,
        lambda day: in_force(rates, day),
        lambda code, day: in_force(coefficients[code], day),
    )


def _run_and_roll_back(*, set_based):
    """{(unit id, pillar): what the run posted} for a run of October in one way, undone after."""
    savepoint = transaction.savepoint()
    contributions_compute(period=OCTOBER, set_based=set_based)
    result = {
        (posting.unit_id, posting.pillar): (
            posting.base,
            posting.amount,
            posting.detail,
            posting.ledger_entry.amount,
            posting.ledger_entry.kind,
            posting.ledger_entry.booked_on,
            posting.ledger_entry.label,
            posting.ledger_entry.label_code,
            posting.ledger_entry.label_params,
        )
        for posting in ContributionPosting.objects.filter(period=OCTOBER).select_related(
            "ledger_entry"
        )
    }
    transaction.savepoint_rollback(savepoint)
    return result


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL run needs PostgreSQL")
@pytest.mark.parametrize("seed", [15, 2026])
def test_the_python_run_and_the_sql_run_agree_unit_by_unit_to_the_cent(
    seed, alice, alice_3en1, claire
):
    month, rates, coefficients = _generated_october(alice, alice_3en1, claire, seed)
    in_python = _run_and_roll_back(set_based=False)
    in_sql = _run_and_roll_back(set_based=True)
    assert not ContributionPosting.objects.exists()
    assert in_python
    for key in sorted(in_python.keys() | in_sql.keys()):
        assert in_python.get(key) == in_sql.get(key), key
    expected = month.expected(OCTOBER, date(2026, 10, 31), rates, coefficients)
    assert {unit.pk for unit in month.units} == set(expected)
    for unit_id, (turnover, employment) in expected.items():
        for pillar, amount in (("turnover", turnover), ("employment", employment)):
            if amount:
                assert in_sql[unit_id, pillar][1] == amount, (unit_id, pillar)
            else:
                assert (unit_id, pillar) not in in_sql
