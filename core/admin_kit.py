"""The back-office's shared pieces, and the admin of the platform's own tables.

Mixins used by every app's admin:
- `AuditTrailMixin` shows the object's audit trail on its change page
  (templates/admin/change_form.html renders it);
- `ServiceFormMixin` turns a ValidationError raised by a service in `save_model` into form
  errors: the page is shown again with the messages, and nothing is saved;
- `AuditedSaveMixin` audits plain saves of reference data that has no service;
- `SuperuserDeleteMixin` keeps deleting for superusers.

Actions: `run_action_with_form` (an intermediate page with a form, then one service call per
row) and `apply_each` (one service call per row, no form); `ReasonForm` and `RefuseForm` are
their usual forms. Display: `NOTHING` for an empty cell, `money` for an amount,
`ReadOnlyInline` for rows shown on their parent's page, `form_page` for a page with one form.

The admin index shows the advisor's queue: each app declares its items with
`advisor_queue_item(label, Model, status=…)`.

One module (about 600 lines) on purpose: it is the one kit every app's admin imports, and the
platform's own tables are registered here because every admin imports it first.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from allauth.account.decorators import secure_admin_login
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import OfficeScopedAdminMixin, visible_rows
from core.forms import add_service_errors, not_in_the_future
from core.money import cents
from core.scoping import COOPERATIVE_WIDE, SPANS_OFFICES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object

from .audit import audit_log, audit_trail
from .audit_labels import action_label
from .models import AuditEvent, Counter, HealthPing

EXACT_COUNT_BELOW = 10_000


class EstimatedCountPaginator(Paginator):
    """Counts exactly when the list is small; past EXACT_COUNT_BELOW rows (the PostgreSQL
    planner's estimate of the filtered query), shows the estimate: counting 200,000 invoices
    on every page of the back-office costs more than the page itself. The last page number
    may then be approximate; the rows shown are always exact."""

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list
        if not hasattr(queryset, "query") or connections[queryset.db].vendor != "postgresql":
            return super().count
        # The rows' count, not their columns: without the joins of select_related and the
        # ordering, the planner answers in well under a millisecond (14 ms for the invoice
        # list's six-table join at Smart's size, profiled).
        query = queryset.query.chain()
        query.select_related = False
        query.clear_ordering(force=True)
        try:
            sql, params = query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            return 0
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate < EXACT_COUNT_BELOW:
            return super().count
        return estimate


AUDIT_TRAIL_LENGTH = 50


def _plain(value: object) -> object:
    """A form value as something the audit trail can store and show."""
    if isinstance(value, models.QuerySet | list | tuple | set):
        return [_plain(item) for item in value]
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


class AuditTrailMixin(_ModelAdmin):
    """Adds the object's latest audit events to its change page."""

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None:
            context["audit_trail"] = list(audit_trail(obj)[:AUDIT_TRAIL_LENGTH])
            context["audit_trail_length"] = AUDIT_TRAIL_LENGTH
        return super().render_change_form(request, context, add, change, form_url, obj)


class ServiceFormMixin(_ModelAdmin):
    """`save_model` calls a service; what the service refuses goes back to the form.

    The first attempt runs in the admin's transaction, which the ValidationError rolls back.
    The page is then built again from the same POST with the service's messages added to the
    form, so the form is invalid and nothing is saved.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            if request.method != "POST" or hasattr(request, "_service_error"):
                raise
            request._service_error = error  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class: Any = super().get_form(request, obj, change, **kwargs)
        found: ValidationError | None = getattr(request, "_service_error", None)
        if found is None:
            return form_class
        error = found

        class ServiceRefusedForm(form_class):
            def _post_clean(self) -> None:
                super()._post_clean()
                add_service_errors(self, error)

        return ServiceRefusedForm


class AuditedSaveMixin(_ModelAdmin):
    """For reference data without a service: a plain save, audited with what changed."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = {
            name: _plain(form.cleaned_data.get(name))
            for name in form.changed_data
            if "password" not in name
        }
        action = f"{obj._meta.model_name}.{'updated' if change else 'created'}"
        audit_log(actor=request.user, action=action, obj=obj, changes=changes)


class SuperuserDeleteMixin(_ModelAdmin):
    """Only superusers delete these rows from the back-office, whatever their groups say."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class ReferenceDataAdmin(
    OfficeScopedAdminMixin,
    AuditTrailMixin,
    AuditedSaveMixin,
    SuperuserDeleteMixin,
    admin.ModelAdmin,
):
    """Reference data kept by hand in the back-office (offices, rates, policies, series,
    categories…): scoped by office (each declares its `office_path`), its audit trail on its
    page, every save audited, deleted by superusers only."""


class AddOnlyMixin:
    """Rows recorded by hand through a service (the add page), then never changed or deleted
    in the back-office: a correction is a new row."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyMixin(AddOnlyMixin):
    """Rows nobody adds, changes or deletes by hand, on their own page or as an inline."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows nobody adds, changes or deletes by hand."""


# Display --------------------------------------------------------------------------------------

NOTHING = "—"  # an empty cell


def money(amount: Decimal | int | None) -> str:
    """An amount in euros to the cent in the page's language ("1 234,50 €" in French)."""
    if amount is None:
        return NOTHING
    return f"{number_format(cents(amount), decimal_pos=2, use_l10n=True, force_grouping=True)} €"


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """Rows shown on their parent's page, never edited there."""

    extra = 0
    max_num = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields


def form_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    form: forms.Form,
    title: str,
    intro: str = "",
    submit_label: str,
    method: str = "post",
    status: int = 200,
) -> TemplateResponse:
    """A back-office page with one form (templates/admin/form_page.html)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "opts": model_admin.model._meta,
        "form": form,
        "media": model_admin.media + form.media,
        "submit_label": submit_label,
        "method": method,
    }
    return TemplateResponse(request, "admin/form_page.html", context, status=status)


# Actions: one service call per chosen row -------------------------------------------------------

# An action's intermediate page lists the chosen rows; beyond this, choose fewer. The page
# shows one line and one hidden input per row: 500 rows stay a light page, and a month's work
# declarations or invoices of an office are validated in one go.
SELECTION_LIMIT = 500


def day_field(
    label: "StrOrPromise", *, help_text: "StrOrPromise" = "", past: bool = False
) -> forms.DateField:
    """A day, today unless changed; `past`: it can't be after today (the day something
    happened: a letter received, a payment, a decision taken)."""
    return forms.DateField(
        label=label,
        initial=timezone.localdate,
        help_text=help_text,
        validators=[not_in_the_future] if past else [],
    )


REASON = _("Reason")


def note_field(
    label: "StrOrPromise" = REASON,
    *,
    required: bool = True,
    help_text: "StrOrPromise" = "",
    rows: int = 3,
) -> forms.CharField:
    """A text kept with a decision (a reason, a note): a small text area."""
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "cols": 60}),
    )


class ReasonForm(forms.Form):
    """An optional reason, kept in the audit trail."""

    reason = note_field(required=False, help_text=_("Kept in the audit trail."))


class RefuseForm(forms.Form):
    """The reason of a refusal: required, kept with the decision."""

    reason = note_field(help_text=_("Kept with the decision and in the audit trail."))


Problems = list[tuple[object, list[str]]]


def _names_a_field_of(form: forms.Form, error: ValidationError) -> bool:
    return hasattr(error, "error_dict") and any(name in form.fields for name in error.error_dict)


def _report(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    done: int,
    problems: Problems,
    done_message: "StrOrPromise",
) -> None:
    if done:
        model_admin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    for obj, texts in problems:
        model_admin.message_user(request, f"{obj}: {' '.join(texts)}", messages.ERROR)
    if not done and not problems:
        model_admin.message_user(request, gettext("Nothing was changed."), messages.WARNING)


def _chosen(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: Sequence, *, single: bool
) -> list | None:
    """The chosen rows, or None (and a warning) when there are too many for the action."""
    limit = 1 if single else SELECTION_LIMIT
    objects = list(queryset[: limit + 1])
    if len(objects) <= limit:
        return objects
    message = (
        gettext("Choose one row for this action.")
        if single
        else gettext("Choose at most %(limit)s rows for this action.") % {"limit": limit}
    )
    model_admin.message_user(request, message, messages.WARNING)
    return None


def _apply_all(
    objects: Iterable, apply: Callable[[Any], object], form: forms.Form | None = None
) -> tuple[int, Problems]:
    """`apply(obj)` for each row: (how many were done, the refusals by row). A refusal naming
    a field of `form` goes on the form and stops there."""
    done, problems = 0, []
    for obj in objects:
        try:
            apply(obj)
        except ValidationError as error:
            if form is not None and _names_a_field_of(form, error):
                add_service_errors(form, error)
                break
            problems.append((obj, error.messages))
        except PermissionDenied as error:
            problems.append((obj, [str(error) or gettext("Not allowed.")]))
        else:
            done += 1
    return done, problems


def run_action_with_form(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: Sequence,
    *,
    form_class: type[forms.Form],
    title: str,
    apply: Callable[[Any, dict], object],
    done_message: "StrOrPromise",
    intro: str = "",
    describe: Callable[[Any], str] | None = None,
    single: bool = False,
    form_kwargs: Mapping[str, Any] | Callable[[list], Mapping[str, Any]] | None = None,
    confirm: Callable[[Any, dict], str] | None = None,
) -> TemplateResponse | None:
    """An action's intermediate page: the chosen rows and a form; once posted back valid
    ("apply"), `apply(obj, cleaned_data)` (one service call) for each row, then
    `done_message` (an ngettext_lazy(…, "count")) of how many were done.

    A refusal naming a field of the form shows the page again (400) with the message; any
    other refusal is reported for its row and the others go on. `single`: the action needs
    exactly one row (a payment is recorded for one application). `form_kwargs`: what the
    form needs, or a function of the chosen rows giving it. `confirm(obj, cleaned_data)`: the
    valid form first shows a confirmation page saying what will happen to each row; only its
    "confirm" button applies. `describe(obj)`: a word on each row listed.
    """
    objects = _chosen(model_admin, request, queryset, single=single)
    if objects is None:
        return None
    extra = (form_kwargs(objects) if callable(form_kwargs) else form_kwargs) or {}
    confirming = False
    if "apply" in request.POST:
        form = form_class(request.POST, **extra)
        if form.is_valid() and confirm is not None and "confirmed" not in request.POST:
            confirming = True
        elif form.is_valid():
            data = form.cleaned_data
            done, problems = _apply_all(objects, lambda obj: apply(obj, data), form)
            if form.is_valid():  # no field refused by a service
                _report(model_admin, request, done, problems, done_message)
                return None
    else:
        form = form_class(**extra)
    if confirming and confirm is not None:
        rows = [(obj, confirm(obj, form.cleaned_data)) for obj in objects]
    else:
        rows = [(obj, describe(obj) if describe else "") for obj in objects]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "opts": model_admin.model._meta,
        "rows": rows,
        "confirming": confirming,
        "form": form,
        "media": model_admin.media + form.media,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(request, "admin/action_form.html", context, status=status)


def apply_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: Sequence,
    *,
    apply: Callable[[Any], object],
    done_message: "StrOrPromise",
) -> None:
    """An action without a form: `apply(obj)` (one service call) for each chosen row, each
    refusal reported for its row."""
    objects = _chosen(model_admin, request, queryset, single=False)
    if objects is None:
        return
    done, problems = _apply_all(objects, apply)
    _report(model_admin, request, done, problems, done_message)


def reason_action(
    description: "StrOrPromise",
    service: Callable[..., object],
    target: str,
    *,
    done_message: "StrOrPromise",
    title: "StrOrPromise | None" = None,
    intro: "StrOrPromise" = "",
    form_class: type[forms.Form] = ReasonForm,
    reason_arg: str = "reason",
    rows: Callable[[Any], Any] | None = None,
    describe: Callable[[Any], str] | None = None,
    permissions: Sequence[str] = ("review",),
    **fixed: Any,
) -> Callable[[Any, HttpRequest, Any], TemplateResponse | None]:
    """An admin action asking for a reason (`form_class` has a `reason` field), then calling
    `service(<target>=row, by=<user>, <reason_arg>=reason, **fixed)` for each chosen row
    (run_action_with_form). `rows(queryset)`: the chosen rows narrowed or ordered first;
    `title` defaults to the description."""

    @admin.action(description=description, permissions=list(permissions))
    def action(model_admin: Any, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
        return run_action_with_form(
            model_admin,
            request,
            rows(queryset) if rows else queryset,
            form_class=form_class,
            title=str(title or description),
            intro=str(intro),
            describe=describe,
            apply=lambda obj, data: service(
                **{target: obj, reason_arg: data["reason"]}, by=request.user, **fixed
            ),
            done_message=done_message,
        )

    return action


class ConfirmForm(forms.Form):
    """No field: the page of an action that only asks to confirm."""


def each_action(
    description: "StrOrPromise",
    service: Callable[..., object],
    target: str,
    *,
    done_message: "StrOrPromise",
    rows: Callable[[Any], Any] | None = None,
    permissions: Sequence[str] = ("review",),
    amount: Callable[[Any], Decimal] | None = None,
    **fixed: Any,
) -> Callable[[Any, HttpRequest, Any], TemplateResponse | None]:
    """An admin action without a form: `service(<target>=row, by=<user>, **fixed)` for each
    chosen row (apply_each); `rows(queryset)`: the chosen rows narrowed or ordered first.

    `amount(row)`: the action issues or pays money. It first shows the chosen rows with
    their amounts, how many and how much in all, and applies only once confirmed."""

    @admin.action(description=description, permissions=list(permissions))
    def action(model_admin: Any, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
        chosen = rows(queryset) if rows else queryset
        if amount is None:
            apply_each(
                model_admin,
                request,
                chosen,
                apply=lambda obj: service(**{target: obj}, by=request.user, **fixed),
                done_message=done_message,
            )
            return None
        objects = list(chosen)
        total = sum((amount(obj) for obj in objects), Decimal(0))
        return run_action_with_form(
            model_admin,
            request,
            objects,
            form_class=ConfirmForm,
            title=str(description),
            intro=ngettext(
                "%(count)s row, %(total)s in all. Nothing is done until you confirm.",
                "%(count)s rows, %(total)s in all. Nothing is done until you confirm.",
                len(objects),
            )
            % {"count": len(objects), "total": money(total)},
            describe=lambda obj: money(amount(obj)),
            apply=lambda obj, _data: service(**{target: obj}, by=request.user, **fixed),
            done_message=done_message,
        )

    return action


# The advisor's queue on the admin index ---------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class AdvisorQueue:
    """One line of the advisor's queue: how many `rows(user)` wait, linking to the model's
    changelist filtered by `query`. Shown to whom `allowed(user)` (default: who may view
    the model); `scoped`: count only the rows the user sees in the back-office."""

    label: "StrOrPromise"
    model: type[models.Model]
    rows: Callable[[Any], models.QuerySet]
    query: str
    allowed: Callable[[Any], bool] | None = None
    scoped: bool = True

    def __call__(self, request: HttpRequest) -> QueueItem | None:
        user = request.user
        opts = self.model._meta
        if self.allowed is not None:
            if not self.allowed(user):
                return None
        elif not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return None
        rows = self.rows(user)
        if self.scoped:
            rows = visible_rows(user, self.model, rows)
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return QueueItem(label=str(self.label), count=rows.count(), url=f"{url}?{self.query}")


ADVISOR_QUEUE: list[AdvisorQueue] = []


def advisor_queue_item(
    label: "StrOrPromise",
    model: type[models.Model],
    *,
    status: str | None = None,
    rows: Callable[[Any], models.QuerySet] | None = None,
    query: str = "",
    allowed: Callable[[Any], bool] | None = None,
    scoped: bool = True,
) -> AdvisorQueue:
    """Add a line to the advisor's queue (in the order of registration): the rows of `model`
    in `status` (and the changelist filtered on it), or `rows(user)` and `query`."""
    if status is not None:
        rows = rows or (lambda user: model._default_manager.filter(status=status))
        query = query or f"status__exact={status}"
    if rows is None:
        raise TypeError("advisor_queue_item needs a status or rows")
    item = AdvisorQueue(label, model, rows, query, allowed, scoped)
    ADVISOR_QUEUE.append(item)
    return item


def advisor_queue(request: HttpRequest) -> list[QueueItem]:
    items = (item(request) for item in ADVISOR_QUEUE)
    return [item for item in items if item is not None]


_site_index = admin.site.index


def _index_with_queue(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> TemplateResponse:
    context = {"advisor_queue": advisor_queue(request), **(extra_context or {})}
    return _site_index(request, extra_context=context)


# Both are bound before smartcoop/urls.py builds the admin's URLs (autodiscovery runs first).
admin.site.index = _index_with_queue  # type: ignore[method-assign]
# The admin's own login would skip allauth's rate limits and second factor: allauth's
# decorator sends visitors to allauth's login (keeping ?next=) and refuses signed-in
# users who are not staff (a redirect to the login would loop).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


# The platform's own tables ----------------------------------------------------------------


class ActionFilter(admin.SimpleListFilter):
    """The actions seen in the trail; the list is cached, the trail being a big table."""

    title = _("action")
    parameter_name = "action"
    cache_key = "core.admin_kit.audit_actions"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        actions = cache.get(self.cache_key)
        if actions is None:
            actions = sorted(
                AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
            )
            cache.set(self.cache_key, actions, 600)
        return [(action, action_label(action)) for action in actions]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


def staff_choices() -> list[tuple[int, str]]:
    """The staff accounts a list filter offers, by email: (pk, name or email). One query on
    the accounts' partial index of staff (`members.User`'s Meta), not a scan of every
    member's account (45,000 at Smart's size)."""
    staff = (
        get_user_model()
        .objects.filter(is_staff=True)
        .order_by("email")
        .only("pk", "email", "first_name", "last_name")
    )
    return [(user.pk, str(user)) for user in staff]


class StaffRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter on a link to an account that only staff hold (an advisor, a decider):
    it offers the staff accounts, not every member's."""

    def field_choices(
        self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[Any, Any]]:
        return staff_choices()


class StaffActorFilter(admin.SimpleListFilter):
    """Filter by a staff member (members act too: search their email instead)."""

    title = _("who")
    parameter_name = "actor"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(pk), name) for pk, name in staff_choices()]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        if self.value():
            return queryset.filter(actor_id=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
    # The whole trail is every office's: the board and the administrators browse it. An
    # advisor reads the trail of each object on that object's page (AuditTrailMixin), which
    # only opens for an object of their office. Chosen over storing the office on each event:
    # no migration nor backfill of a big append-only table, and no way for an event written
    # before a member changed office to show up in the wrong office.
    office_path = SPANS_OFFICES
    list_display = ("at", "action", "object_repr", "content_type", "actor", "reason")
    list_filter = (ActionFilter, "content_type", StaffActorFilter)
    search_fields = ("object_repr", "object_id", "=action", "actor__email", "reason")
    date_hierarchy = "at"
    list_select_related = ("actor", "content_type")
    show_full_result_count = False
    fields = (
        "at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "changes",
        "reason",
    )
    readonly_fields = fields


@admin.register(Counter)
class CounterAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
    office_path = COOPERATIVE_WIDE  # the numbering series' counters, for every office
    list_display = ("key", "value")
    search_fields = ("key",)


@admin.register(HealthPing)
class HealthPingAdmin(OfficeScopedAdminMixin, ReadOnlyAdmin):
    office_path = COOPERATIVE_WIDE  # the workers' heartbeats
    list_display = ("token", "worker", "created_at")
    search_fields = ("token", "worker")
    date_hierarchy = "created_at"
