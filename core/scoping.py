"""The office rule, written once: an advisor sees the data of their own office only.

An advisor works for one office (`User.office`) and follows that office's members: their
units, clients, invoices, work, pay and shares. The board, the admin role and superusers see
every office; the finance role sees every office's pay tables (its only permissions). Rows
that span offices (a payroll run, a payout batch and its pain.001, a contribution run, the
whole audit trail) are for those who see every office only.

Two functions, used by the back-office and every selector that scopes by office:

- `office_scoped(queryset, user, path)`: the rows of `queryset` the user may see;
- `require_office(user, obj, path)`: `obj` if the user may see it, else Http404 (another
  office's object is indistinguishable from a missing one) or PermissionDenied (a row that
  spans offices, for someone who sees one office).

`path` says how a row reaches its office (a members.Office):
- a lookup, e.g. "unit__holder__office" (an invoice: its unit's holder's office);
- a tuple of lookups, any of which may lead to the office, e.g. a worker reaches an office
  through the units they work for or their own member file (WORKER_OFFICE);
- `COOPERATIVE_WIDE` (None): the same for every office (offices, sectors, legal entities,
  dated parameters, VAT rates…): no filter;
- `SPANS_OFFICES`: each row is about several offices at once: only for who sees every
  office (`core.roles.sees_every_office`), nothing for an advisor.
`shared` (a Q) adds the rows every advisor sees whatever their office: the cooperative's
queues of things not attributed yet (a payment no invoice was found for, a purchase without
a unit, an application without an office).

How a back-office admin declares itself: every ModelAdmin of the project subclasses
`core.admin.OfficeScopedAdminMixin` (first, before ModelAdmin) and sets `office_path`;
forgetting it fails tests/test_admin_office_scoping.py, which walks every registered admin
as an advisor of another office:

    @admin.register(Payslip)
    class PayslipAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
        office_path = through("worker", WORKER_OFFICE)  # its worker's offices

    @admin.register(Sector)
    class SectorAdmin(OfficeScopedAdminMixin, admin.ModelAdmin):
        office_path = COOPERATIVE_WIDE  # the same sectors for every office

    @admin.register(PayrollRun)
    class PayrollRunAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
        office_path = SPANS_OFFICES  # one run pays the workers of every office

The mixin then scopes the changelist, change/delete/history views and actions
(get_queryset), the autocomplete (the target admin's get_queryset), the related objects
offered in forms and list filters, and refuses SPANS_OFFICES tables to advisors. A custom
admin view that takes an object fetches it with `self.get_object(request, object_id)` (then
None means 404) or checks it with `require_office`; a filter, a form or a queue count that
lists another model's rows reads them with `core.admin.visible_rows(user, Model)`. Rows every
advisor sees whatever their office go in `office_shared` (a Q), next to `office_path`.
"""

from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .roles import sees_every_office

COOPERATIVE_WIDE = None

M = TypeVar("M", bound=Model)


class _SpansOffices:
    def __repr__(self) -> str:
        return "SPANS_OFFICES"


SPANS_OFFICES = _SpansOffices()


class _Undeclared:
    def __repr__(self) -> str:
        return "UNDECLARED"


# The mixin's default: an admin that forgot to declare its path shows nothing to advisors
# (and fails the admin walk), rather than every office.
UNDECLARED = _Undeclared()

# The paths shared by several tables.
UNIT_OFFICE = "unit__holder__office"
# A worker is followed by the offices of the units they work for or have a contract with,
# and of their member file.
WORKER_OFFICE = ("units__unit__holder__office", "contracts__unit__holder__office", "member__office")


# How a table declares the way its rows reach an office (see the module's docstring).
OfficePath = str | tuple[str, ...] | _SpansOffices | _Undeclared | None


def _paths(path: str | tuple[str, ...]) -> tuple[str, ...]:
    return (path,) if isinstance(path, str) else tuple(path)


def _many_valued(model: type[Model], path: str) -> bool:
    """Does the lookup cross a relation to many rows (then a row may match twice)?"""
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if field.related_model is None:
            return False
        model = field.related_model
    return False


def office_condition(
    model: type[Model], user: Any, path: str | tuple[str, ...], *, shared: Q | None = None
) -> Q | None:
    """The Q of `model`'s rows of the user's office (and the shared ones); None: no row."""
    condition = Q()
    office_id = getattr(user, "office_id", None)
    if office_id is not None:
        for lookup in _paths(path):
            condition |= Q(**{f"{lookup}_id": office_id})
    if shared is not None:
        condition |= shared
    return condition or None


def office_scoped(
    queryset: QuerySet, user: Any, path: OfficePath = "office", *, shared: Q | None = None
) -> QuerySet:
    """The rows of `queryset` that `user` may see (see the module's docstring for `path`)."""
    if path is None or sees_every_office(user):  # None: COOPERATIVE_WIDE
        return queryset
    if isinstance(path, _SpansOffices | _Undeclared):
        return queryset.none()
    model = queryset.model
    condition = office_condition(model, user, path, shared=shared)
    if condition is None:
        return queryset.none()
    if any(_many_valued(model, lookup) for lookup in _paths(path)):
        # A join to many rows would repeat the row: filter on the keys instead.
        return queryset.filter(pk__in=model._base_manager.filter(condition).values("pk"))
    return queryset.filter(condition)


def require_office(user: Any, obj: M, path: OfficePath = "office", *, shared: Q | None = None) -> M:
    """`obj` if `user` may see it. Raises PermissionDenied for a row spanning offices (or an
    undeclared table) and Http404 for another office's object."""
    if path is None or sees_every_office(user):  # None: COOPERATIVE_WIDE
        return obj
    if isinstance(path, _SpansOffices | _Undeclared):
        raise PermissionDenied
    rows = type(obj)._base_manager.filter(pk=obj.pk)
    if not office_scoped(rows, user, path, shared=shared).exists():
        raise Http404  # as for an object that does not exist
    return obj


def through(prefix: str, path: str | tuple[str, ...]) -> tuple[str, ...]:
    """`path` seen from a row that reaches it through `prefix`: through("worker",
    WORKER_OFFICE) for a payslip, whose office is its worker's."""
    return tuple(f"{prefix}__{lookup}" for lookup in _paths(path))
