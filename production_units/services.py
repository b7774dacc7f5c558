"""Writes to production units and their ledger. The ledger is written here and nowhere else."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import account_or_none, audit_log, diff, snapshot
from core.bulk import AnyOf, insert_rows
from core.money import cents, is_cents, to_decimal
from members.models import LegalEntity, Member, User

from .ledger_labels import stored_label
from .models import LedgerEntry, ProductionUnit, Sector

# Read once: an enum member's attribute access is slow, and batch runs check 20,000 entries.
KINDS = frozenset(LedgerEntry.Kind.values)
ADJUSTMENT = str(LedgerEntry.Kind.ADJUSTMENT)


def _entry_errors(*, kind: str, amount: Decimal, reason: str) -> dict:
    """What is wrong with an entry, by field (empty: nothing)."""
    errors = {}
    if kind not in KINDS:
        errors["kind"] = _("Unknown kind of ledger entry.")
    if amount == 0:
        errors["amount"] = _("An entry can't be zero.")
    elif not is_cents(amount):
        errors["amount"] = _("Amounts are to the cent.")
    if kind == ADJUSTMENT and not reason.strip():
        errors["reason"] = _("A manual adjustment needs a reason.")
    return errors


def ledger_post(
    *,
    unit: ProductionUnit,
    kind: str,
    amount: Decimal,
    booked_on: date,
    label: str = "",
    source: models.Model | None = None,
    by: User | None = None,
    reason: str = "",
    label_code: str = "",
    label_params: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Append one entry to a unit's ledger and audit it.

    The label is a code of ledger_labels with its values (shown in the reader's language),
    or a free text. Raises ValidationError for a zero or sub-cent amount, an unknown kind,
    or a manual adjustment without a reason.
    """
    amount = to_decimal(amount)
    errors = _entry_errors(kind=kind, amount=amount, reason=reason)
    if errors:
        raise ValidationError(errors)
    entry = LedgerEntry(
        unit=unit,
        kind=kind,
        amount=amount,
        booked_on=booked_on,
        label=stored_label(label_code, label_params or {}, label=label),
        label_code=label_code,
        label_params=label_params or {},
        created_by=account_or_none(by),
    )
    if source is not None:
        entry.source = source
    # The fields are validated; the links are objects the caller holds (and the database's
    # foreign keys check them), and the one constraint (not zero) was checked above: no
    # validation queries, since issuers call this under the series' counter lock.
    entry.full_clean(exclude=["unit", "source_type", "created_by"], validate_constraints=False)
    # Everything that can refuse the entry is above. The entry and its audit commit together:
    # in the caller's transaction when there is one (without a savepoint, two statements
    # fewer under an issuer's lock: a database error there fails the caller's transaction
    # anyway), else in their own.
    with transaction.atomic(savepoint=False):
        entry.save()
        audit_log(
            actor=by,
            action="ledger.posted",
            obj=unit,
            changes={"entry": entry.pk, "kind": kind, "amount": str(amount)},
            reason=reason,
        )
    return entry


MAX_AMOUNT = Decimal(10) ** 12  # DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class NewEntry:
    """One entry to append with ledger_post_bulk."""

    unit_id: int
    kind: str
    amount: Decimal
    booked_on: date
    label: str
    label_code: str = ""
    label_params: dict[str, Any] = dataclass_field(default_factory=dict)


@transaction.atomic
def ledger_post_bulk(
    *, entries: Sequence[NewEntry], by: User | None, source: models.Model, reason: str = ""
) -> list[int]:
    """Append many entries in one bulk insert (for batch runs), all or nothing, with one
    audit event on `source` (the run that posts them, also each entry's source). Returns the
    new entries' ids, in the order of `entries`.

    Raises ValidationError like ledger_post, naming the field and the entry's position; or
    for an unknown unit or a bad label.
    """
    max_label = LedgerEntry._meta.get_field("label").max_length or 0
    errors: dict[str, list[str]] = {}
    for position, entry in enumerate(entries, start=1):
        amount = to_decimal(entry.amount)
        problems = _entry_errors(kind=entry.kind, amount=amount, reason=reason)
        if abs(amount) >= MAX_AMOUNT:
            problems["amount"] = _("This amount is too large.")
        if not entry.label.strip() or len(entry.label) > max_label:
            problems["label"] = _("A label is 1 to %(max)s characters.") % {"max": max_label}
        if not isinstance(entry.booked_on, date):
            problems["booked_on"] = _("Enter a date.")
        for field, message in problems.items():
            errors.setdefault(field, []).append(
                _("Entry %(position)s: %(message)s") % {"position": position, "message": message}
            )
    unit_ids = sorted({entry.unit_id for entry in entries})
    if len(unit_ids) != _existing_units(unit_ids):
        errors.setdefault("unit", []).append(_("An entry names a unit that doesn't exist."))
    if errors:
        raise ValidationError(errors)
    if not entries:
        return []
    source_type = ContentType.objects.get_for_model(source, for_concrete_model=True)
    created_by = by.pk if by is not None and by.is_authenticated else None
    now = timezone.now()
    source_id = str(source.pk)
    ids = insert_rows(
        LedgerEntry,
        ("unit", "kind", "amount", "booked_on", "label", "label_code", "label_params",
         "source_type", "source_id", "created_at", "created_by"),
        [
            (entry.unit_id, entry.kind, cents(entry.amount), entry.booked_on, entry.label,
             entry.label_code, entry.label_params, source_type.pk, source_id, now,
             created_by)
            for entry in entries
        ],
    )  # fmt: skip
    totals: dict[str, Decimal] = {}
    for entry in entries:
        totals[entry.kind] = totals.get(entry.kind, Decimal("0.00")) + cents(entry.amount)
    audit_log(
        actor=by,
        action="ledger.posted_bulk",
        obj=source,
        changes={
            "entries": len(ids),
            "first": ids[0],
            "last": ids[-1],
            "totals": {kind: str(total) for kind, total in sorted(totals.items())},
        },
        reason=reason,
    )
    return ids


@dataclass(frozen=True)
class PostedEntry:
    """One entry appended by ledger_post_query."""

    pk: int
    unit_id: int
    kind: str
    amount: Decimal


def _label_code_columns(
    label_codes: dict[str, tuple[str, dict[str, Any]]],
) -> tuple[str, list[Any]]:
    """The SQL of the label_code and label_params columns of ledger_post_query, chosen by
    the row's label (a CASE keeps the query's order, which a join would not promise)."""
    if not label_codes:
        return "'', '{}'::jsonb", []
    whens = " ".join("WHEN %s THEN %s" for _label in label_codes)
    codes = [value for label, (code, _p) in label_codes.items() for value in (label, code)]
    values = [
        value
        for label, (_c, params) in label_codes.items()
        for value in (label, json.dumps(params))
    ]
    sql = f"CASE q.label {whens} ELSE '' END, (CASE q.label {whens} ELSE '{{}}' END)::jsonb"
    return sql, [*codes, *values]


@transaction.atomic
def ledger_post_query(
    *,
    select: str,
    params: Sequence,
    by: User | None,
    source: models.Model,
    reason: str = "",
    label_codes: dict[str, tuple[str, dict[str, Any]]] | None = None,
) -> list[PostedEntry]:
    """PostgreSQL only: append the entries a query computes, in one INSERT … SELECT, for the
    batch runs whose amounts the database aggregates (the contribution run): the rows never
    travel to Python and back. `select` gives the columns unit_id, kind, amount, booked_on
    and label, ordered as the entries are to be numbered.

    The same rules as ledger_post_bulk, checked on the inserted rows: a refused batch raises
    ValidationError and the caller's transaction is rolled back. The same single audit event
    on `source`. Returns the entries in their order. `label_codes` gives, for a label the
    query writes, its code and values (ledger_labels), stored with the entries.
    """
    if connection.vendor != "postgresql":
        raise NotImplementedError("ledger_post_query needs PostgreSQL; use ledger_post_bulk.")
    meta = LedgerEntry._meta
    source_type = ContentType.objects.get_for_model(source, for_concrete_model=True)
    created_by = by.pk if by is not None and by.is_authenticated else None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            code_sql, code_params = _label_code_columns(label_codes or {})
            cursor.execute(
                f"INSERT INTO {meta.db_table} (unit_id, kind, amount, booked_on, label, "  # noqa: S608
                "label_code, label_params, source_type_id, source_id, created_at, created_by_id) "
                f"SELECT q.unit_id, q.kind, q.amount, q.booked_on, q.label, {code_sql}, "
                "%s, %s, %s, %s "
                f"FROM ({select}) AS q RETURNING id, unit_id, kind, amount, label",
                [*code_params, source_type.pk, str(source.pk), timezone.now(), created_by, *params],
            )
            rows = cursor.fetchall()
    except IntegrityError as error:
        # A database rule (an entry of zero, say) refused a row: nothing was inserted.
        raise ValidationError(
            _("The ledger refused an entry of this batch: %(error)s")
            % {"error": str(error).splitlines()[0]}
        ) from error
    max_label = meta.get_field("label").max_length or 0
    errors: dict[str, list[str]] = {}
    totals: dict[str, Decimal] = {}
    for position, (_pk, _unit, kind, amount, label) in enumerate(rows, start=1):
        problems = _entry_errors(kind=kind, amount=amount, reason=reason)
        if abs(amount) >= MAX_AMOUNT:
            problems["amount"] = _("This amount is too large.")
        if not label.strip() or len(label) > max_label:
            problems["label"] = _("A label is 1 to %(max)s characters.") % {"max": max_label}
        for field, message in problems.items():
            errors.setdefault(field, []).append(
                _("Entry %(position)s: %(message)s") % {"position": position, "message": message}
            )
        totals[kind] = totals.get(kind, Decimal("0.00")) + amount
    if errors:
        raise ValidationError(errors)
    if rows:
        audit_log(
            actor=by,
            action="ledger.posted_bulk",
            obj=source,
            changes={
                "entries": len(rows),
                "first": rows[0][0],
                "last": rows[-1][0],
                "totals": {kind: str(total) for kind, total in sorted(totals.items())},
            },
            reason=reason,
        )
    return [PostedEntry(pk, unit_id, kind, amount) for pk, unit_id, kind, amount, _l in rows]


def _existing_units(unit_ids: list[int]) -> int:
    """How many of these unit ids exist (one array parameter on PostgreSQL: an IN list of
    20,000 ids costs a quarter of a second to plan)."""
    return ProductionUnit.objects.filter(AnyOf("pk", unit_ids)).count()


@transaction.atomic
def unit_open(
    *,
    by: User,
    holder: Member,
    code: str,
    name: str,
    tool: str,
    sector: Sector,
    legal_entity: LegalEntity,
    opened_on: date,
) -> ProductionUnit:
    """Open a production unit for a member, and audit it."""
    unit = ProductionUnit(
        holder=holder,
        code=code,
        name=name,
        tool=tool,
        sector=sector,
        legal_entity=legal_entity,
        opened_on=opened_on,
    )
    unit.full_clean()
    unit.save()
    audit_log(actor=by, action="unit.opened", obj=unit, changes={"tool": tool, "code": code})
    return unit


@transaction.atomic
def unit_close(
    *, unit: ProductionUnit, by: User, closed_on: date, reason: str = ""
) -> ProductionUnit:
    """Close a unit on a date (its ledger stays as it is)."""
    unit = ProductionUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.status == ProductionUnit.Status.CLOSED:
        raise ValidationError(_("This unit is already closed."))
    unit.status = ProductionUnit.Status.CLOSED
    unit.closed_on = closed_on
    unit.full_clean()
    unit.save(update_fields=["status", "closed_on"])
    audit_log(actor=by, action="unit.closed", obj=unit, reason=reason)
    return unit


UNIT_EDITABLE_FIELDS = ["name", "sector"]


@transaction.atomic
def unit_update(
    *, unit: ProductionUnit, by: User, reason: str = "", **fields: object
) -> ProductionUnit:
    """Change a unit's name or sector, and audit what changed."""
    unit = ProductionUnit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, UNIT_EDITABLE_FIELDS)
    for name, value in fields.items():
        if name not in UNIT_EDITABLE_FIELDS:
            raise ValidationError({name: _("This field can't be changed.")})
        setattr(unit, name, value)
    unit.full_clean()
    unit.save()
    changes = {
        key: [str(old), str(new)]
        for key, (old, new) in diff(unit, UNIT_EDITABLE_FIELDS, before).items()
    }
    audit_log(actor=by, action="unit.updated", obj=unit, changes=changes, reason=reason)
    return unit
