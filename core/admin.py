"""The office rule in the back-office: `OfficeScopedAdminMixin` (how to declare an admin:
core/scoping.py's docstring). This module registers no model."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest

from .roles import sees_every_office
from .scoping import COOPERATIVE_WIDE, SPANS_OFFICES, UNDECLARED, OfficePath, office_scoped

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


def _declaration(model: type[Model]) -> tuple[OfficePath, Q | None] | None:
    """(path, shared) of the registered admin of `model`, or None when no admin declares one
    (a model without admin, a third-party admin): rows of such models are not scoped."""
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not hasattr(model_admin, "office_path"):
        return None
    return model_admin.office_path, getattr(model_admin, "office_shared", None)


def visible_rows(user: Any, model: type[Model], queryset: QuerySet | None = None) -> QuerySet:
    """The rows of `model` `user` may see in the back-office, as its admin declares them
    (`queryset`: start from these rather than every row). For filters, form fields, custom
    views and the queues on the index page."""
    rows = model._default_manager.all() if queryset is None else queryset
    declaration = _declaration(model)
    if declaration is None or declaration[0] is COOPERATIVE_WIDE:
        return rows
    path, shared = declaration
    return office_scoped(rows, user, path, shared=shared)


class OfficeScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter on a related object that offers only the objects the user may see."""

    def field_choices(
        self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[Any, Any]]:
        ordering = self.field_admin_ordering(field, request, model_admin)
        rows = visible_rows(request.user, field.related_model)
        if ordering:
            rows = rows.order_by(*ordering)
        return [(row.pk, str(row)) for row in rows]


def _scoped_relation(model: type[Model], name: str) -> bool:
    try:
        fields = get_fields_from_path(model, name)
    except (FieldDoesNotExist, admin.utils.NotRelationField):
        return False
    return _scoped_model(fields[-1].related_model)


def _scoped_model(model: type[Model] | None) -> bool:
    """Is `model` registered with an admin that scopes its rows by office?"""
    declaration = _declaration(model) if model is not None else None
    return declaration is not None and declaration[0] is not COOPERATIVE_WIDE


class OfficeScopedAdminMixin(_ModelAdmin):
    """Scopes a ModelAdmin by office. Put it first in the bases and set `office_path` (and
    `office_shared` for rows every advisor sees); see core/scoping.py."""

    office_path: OfficePath = UNDECLARED
    office_shared: Q | None = None

    def office_scope(self, queryset: QuerySet, user: Any) -> QuerySet:
        return office_scoped(queryset, user, self.office_path, shared=self.office_shared)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The changelist, change, delete and history views, the actions and the autocomplete
        # (of this model as a target) all read their rows here.
        return self.office_scope(super().get_queryset(request), request.user)

    def _refused(self, request: HttpRequest) -> bool:
        """A table spanning offices (or undeclared), for someone who sees one office."""
        spans = self.office_path is SPANS_OFFICES or self.office_path is UNDECLARED
        return spans and not sees_every_office(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._refused(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
        return not self._refused(request) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._refused(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._refused(request) and super().has_delete_permission(request, obj)

    def _scope_choices(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        """The objects a form offers (and accepts) for a relation: those the user may see."""
        if _scoped_model(db_field.related_model):
            kwargs["queryset"] = visible_rows(
                request.user, db_field.related_model, kwargs.get("queryset")
            )

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and _scoped_relation(self.model, item):
                item = (item, OfficeScopedRelatedFilter)
            filters.append(item)
        return filters
