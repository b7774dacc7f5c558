"""The back-office's shared pieces, and the admin of the platform's own tables.

Mixins used by every app's admin:
- `AuditTrailMixin` shows the object's audit trail on its change page
  (templates/admin/change_form.html renders it);
- `ServiceFormMixin` turns a ValidationError raised by a service in `save_model` into form
  errors: the page is shown again with the messages, and nothing is saved;
- `AuditedSaveMixin` audits plain saves of reference data that has no service;
- `SuperuserDeleteMixin` keeps deleting for superusers.

The admin index shows the advisor's queue: each app adds its items with `advisor_queue_item`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.admin import OfficeScopedAdminMixin
from core.scoping import COOPERATIVE_WIDE, SPANS_OFFICES

from .audit import audit_log, audit_trail
from .models import AuditEvent, Counter, HealthPing

EXACT_COUNT_BELOW = 10_000


class EstimatedCountPaginator(Paginator):
    """Counts exactly when the list is small; past EXACT_COUNT_BELOW rows (the PostgreSQL
    planner's estimate of the filtered query), shows the estimate: counting 200,000 invoices
    on every page of the back-office costs more than the page itself. The last page number
    may then be approximate; the rows shown are always exact."""

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query") or connections[queryset.db].vendor != "postgresql":
            return super().count
        try:
            sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:
            return 0
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            import json

            plan = json.loads(plan)
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate < EXACT_COUNT_BELOW:
            return super().count
        return estimate


AUDIT_TRAIL_LENGTH = 50


def _plain(value):
    """A form value as something the audit trail can store and show."""
    if isinstance(value, models.QuerySet | list | tuple | set):
        return [_plain(item) for item in value]
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _change_lines(changes) -> list[tuple[str, str]]:
    """{field: [old, new]} or {field: value} as (field, "old → new") lines."""
    if not isinstance(changes, dict):
        return [("", str(changes))]
    lines = []
    for name, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            lines.append((name, f"{value[0]} → {value[1]}"))
        else:
            lines.append((name, str(value)))
    return lines


class AuditTrailMixin:
    """Adds the object's latest audit events to its change page."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            events = list(audit_trail(obj)[:AUDIT_TRAIL_LENGTH])
            for event in events:
                event.change_lines = _change_lines(event.changes)
            context["audit_trail"] = events
            context["audit_trail_length"] = AUDIT_TRAIL_LENGTH
        return super().render_change_form(request, context, add, change, form_url, obj)


class ServiceFormMixin:
    """`save_model` calls a service; what the service refuses goes back to the form.

    The first attempt runs in the admin's transaction, which the ValidationError rolls back.
    The page is then built again from the same POST with the service's messages added to the
    form, so the form is invalid and nothing is saved.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            if request.method != "POST" or hasattr(request, "_service_error"):
                raise
            request._service_error = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "_service_error", None)
        if error is None:
            return form_class

        class ServiceRefusedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                add_service_error(self, error)

        return ServiceRefusedForm


def add_service_error(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the named fields it has, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class AuditedSaveMixin:
    """For reference data without a service: a plain save, audited with what changed."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = {
            name: _plain(form.cleaned_data.get(name))
            for name in form.changed_data
            if "password" not in name
        }
        action = f"{obj._meta.model_name}.{'updated' if change else 'created'}"
        audit_log(actor=request.user, action=action, obj=obj, changes=changes)


class SuperuserDeleteMixin:
    """Only superusers delete these rows from the back-office, whatever their groups say."""

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows nobody adds, changes or deletes by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The advisor's queue on the admin index ---------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    label: str
    count: int
    url: str


ADVISOR_QUEUE: list[Callable] = []


def advisor_queue_item(function: Callable) -> Callable:
    """Register `function(request) -> QueueItem | None` as an item of the advisor's queue."""
    ADVISOR_QUEUE.append(function)
    return function


def advisor_queue(request) -> list[QueueItem]:
    items = (item(request) for item in ADVISOR_QUEUE)
    return [item for item in items if item is not None]


_site_index = admin.site.index


def _index_with_queue(request, extra_context=None):
    context = {"advisor_queue": advisor_queue(request), **(extra_context or {})}
    return _site_index(request, extra_context=context)


# Both are bound before smartcoop/urls.py builds the admin's URLs (autodiscovery runs first).
admin.site.index = _index_with_queue
# The admin's own login would skip allauth's rate limits and second factor: allauth's
# decorator sends visitors to allauth's login (keeping ?next=) and refuses signed-in
# users who are not staff (a redirect to the login would loop).
admin.site.login = secure_admin_login(admin.site.login)


# The platform's own tables ----------------------------------------------------------------


class ActionFilter(admin.SimpleListFilter):
    """The actions seen in the trail; the list is cached, the trail being a big table."""

    title = _("action")
    parameter_name = "action"
    cache_key = "core.admin_kit.audit_actions"

    def lookups(self, request, model_admin):
        actions = cache.get(self.cache_key)
        if actions is None:
            actions = sorted(
                AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
            )
            cache.set(self.cache_key, actions, 600)
        return [(action, action) for action in actions]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


class StaffActorFilter(admin.SimpleListFilter):
    """Filter by a staff member (members act too: search their email instead)."""

    title = _("who")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(is_staff=True).order_by("email")
        return [(str(user.pk), str(user)) for user in staff]

    def queryset(self, request, queryset):
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
