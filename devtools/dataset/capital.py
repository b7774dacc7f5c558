"""Shares refunded during the year (p. 32: 928) and the zero-rate loans granted to units
(p. 12: 67 loans, 219,949 € in all), as the services write them.

Refunds: members who keep at least one share withdraw some on a board decision, as
members.share_services.shares_withdraw records it (a `refund` register entry, a refund payout
to the member's IBAN, the `shares.withdrawn` audit event), the payout then paid by the credit
transfer (`refund_payout.paid`, as members.exit_services.refund_payout_mark_paid). The shares
withdrawn were subscribed at admission on top of those the member keeps, so the shares held
at the end of the year stay the report's 160,983. Exits (a member leaving with all their
shares) are not generated: the report gives no count of members who left.

Loans: a loan disbursement credited to the unit's ledger, then monthly repayments of the
same total over 12 or 24 months (those due by 31 December), each as
production_units.services.ledger_post writes it (the entry and its `ledger.posted` event),
recorded by an advisor. The report gives no terms: 12 or 24 months are assumed.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from core.calendar import is_working_day
from members.models import Member, RefundPayout, ShareRegisterEntry
from production_units.models import LedgerEntry, ProductionUnit

from . import distributions as d
from .sampling import at, scaled, split_cents

WITHDRAWN_AT_MOST = 8  # shares one member withdraws at a time (not in the report)


def _first_working_day(year: int, month: int, day: int = 1) -> date:
    current = date(year, month, day)
    while not is_working_day(current):
        current += timedelta(days=1)
    return current


def plan_withdrawals(ctx, people) -> dict[int, int]:
    """member id → shares withdrawn in the year: persons admitted before it, with an IBAN."""
    rng = ctx.rng("share-withdrawals")
    left = scaled(d.TOTALS["shares_refunded"], ctx.scale)
    start = date(ctx.year, 1, 1)
    candidates = sorted(
        (p for p in people if p.iban and p.member_since and p.member_since < start),
        key=lambda p: p.member_id,
    )
    rng.shuffle(candidates)
    plan: dict[int, int] = {}
    for p in candidates:
        if left <= 0:
            break
        shares = min(left, rng.randint(1, WITHDRAWN_AT_MOST))
        plan[p.member_id] = shares
        left -= shares
    return plan


def write_withdrawals(ctx, people, plan: dict[int, int], prices: dict[int, Decimal]) -> int:
    """The refund entries, payouts and audit events of `plan`, a month's board decision
    each; `prices`: the price each member's shares were subscribed at. Returns the shares."""
    if not plan:
        return 0
    rng = ctx.rng("share-withdrawal-days")
    by_id = {p.member_id: p for p in people}
    entry_id = ctx.writer.next_id(ShareRegisterEntry)
    payout_id = ctx.writer.next_id(RefundPayout)
    member_type, payout_type = ctx.content_type(Member), ctx.content_type(RefundPayout)
    entries, payouts, audits = [], [], []
    for member_id in sorted(plan):
        p, shares = by_id[member_id], plan[member_id]
        month = rng.randint(1, 12)
        decided = _first_working_day(ctx.year, month, 15)
        paid_on = _first_working_day(ctx.year, month, 25)
        price = prices[member_id]
        nominal = price * shares
        advisor = rng.choice(ctx.advisor_user_ids) if ctx.advisor_user_ids else None
        recorded = at(decided, 11 * 3600 + member_id % 3600)
        reference = f"CA-{ctx.year}-{month:02d}"
        entries.append(
            (entry_id, "refund", decided, -shares, price, -nominal, -nominal, p.category, "",
             reference, "", recorded, "", None, member_id, advisor, None)
        )  # fmt: skip
        name = f"{p.first_name} {p.last_name}".strip()[:200]
        remittance = _("Refund of %(shares)s share(s), member %(number)s") % {
            "shares": shares,
            "number": p.number,
        }
        payouts.append(
            (payout_id, nominal, name, p.iban, remittance[:140], "paid", recorded, paid_on,
             member_id, None, entry_id)
        )  # fmt: skip
        audits.append(
            (recorded, advisor, "shares.withdrawn", member_type, member_id, name,
             {"entry": entry_id, "operation": "refund", "date": decided.isoformat(),
              "shares": -shares, "amount": f"{-nominal:.2f}", "paid_amount": f"{-nominal:.2f}"})
        )  # fmt: skip
        audits.append(
            (at(paid_on, 6 * 3600), None, "refund_payout.paid", payout_type, payout_id,
             f"{name} {nominal} € ({RefundPayout.Status.PAID.label})",
             {"paid_on": paid_on.isoformat()})
        )  # fmt: skip
        entry_id += 1
        payout_id += 1
    ctx.writer.copy(
        ShareRegisterEntry,
        ["id", "operation", "date", "shares", "unit_price", "amount", "paid_amount",
         "category", "structured_reference", "decision_reference", "bank_reference",
         "recorded_at", "note", "counterparty_id", "member_id", "recorded_by_id",
         "related_entry_id"],
        entries,
    )  # fmt: skip
    ctx.writer.copy(
        RefundPayout,
        ["id", "amount", "beneficiary", "iban", "remittance", "status", "created_at", "paid_on",
         "member_id", "application_id", "entry_id"],
        payouts,
    )  # fmt: skip
    audits.sort(key=lambda event: event[0])
    ctx.audit_many(audits)
    return sum(plan.values())


def write_loans(ctx, units) -> tuple[int, int]:
    """The year's zero-rate loans to active units and their repayments due by 31 December.
    Returns (loans, ledger entries)."""
    rng = ctx.rng("loans")
    count = min(len(units), scaled(d.TOTALS["loans"], ctx.scale))
    total = max(count * 100_00, round(d.TOTALS["loans_cents"] * ctx.scale))
    amounts = split_cents(rng, total, count, floor=0.5)
    start = date(ctx.year, 1, 1)
    # Units opened before the year: a loan goes to an activity that has a history.
    pool = sorted((u for u in units if u.opened_on < start), key=lambda u: u.id) or sorted(
        units, key=lambda u: u.id
    )
    count = min(count, len(pool))
    amounts = amounts if len(amounts) == count else split_cents(rng, total, count, floor=0.5)
    chosen = rng.sample(pool, count)
    entry_id = ctx.writer.next_id(LedgerEntry)
    unit_type = ctx.content_type(ProductionUnit)
    disbursement = str(LedgerEntry.Kind.LOAN_DISBURSEMENT.label)
    repayment = str(LedgerEntry.Kind.LOAN_REPAYMENT.label)
    entries, audits = [], []

    def post(unit, kind: str, amount: Decimal, day: date, label: str, advisor) -> None:
        nonlocal entry_id
        created = at(day, 10 * 3600 + entry_id % 3600)
        entries.append(
            (entry_id, kind, amount, day, label[:200], "", created, advisor, None, unit.id)
        )
        audits.append(
            (created, advisor, "ledger.posted", unit_type, unit.id, f"{unit.code} · {unit.name}",
             {"entry": entry_id, "kind": kind, "amount": str(amount)})
        )  # fmt: skip
        entry_id += 1

    for unit, cents_ in zip(chosen, amounts, strict=True):
        advisor = rng.choice(ctx.advisor_user_ids) if ctx.advisor_user_ids else None
        month = rng.randint(1, 12)
        day = max(_first_working_day(ctx.year, month, 10), unit.opened_on)
        amount = Decimal(cents_).scaleb(-2)
        post(unit, "loan_disbursement", amount, day, disbursement, advisor)
        months = rng.choice((12, 24))
        instalments = [cents_ // months + (1 if k < cents_ % months else 0) for k in
                       range(months)]  # fmt: skip
        for k, instalment in enumerate(instalments, start=1):
            if month + k > 12:
                break
            due = _first_working_day(ctx.year, month + k)
            post(unit, "loan_repayment", -Decimal(instalment).scaleb(-2), due, repayment, None)
    entries.sort(key=lambda row: row[0])
    ctx.writer.copy(
        LedgerEntry,
        ["id", "kind", "amount", "booked_on", "label", "source_id", "created_at",
         "created_by_id", "source_type_id", "unit_id"],
        entries,
    )  # fmt: skip
    audits.sort(key=lambda event: event[0])
    ctx.audit_many(audits)
    return sum(1 for row in entries if row[1] == "loan_disbursement"), len(entries)
