"""National numbers and IBANs in the back-office: masked by default, searched by their keyed
hash, and revealed in full only by an explicit, audited action (POST, view permission and the
office scope of the object, as the ModelAdmin's own get_queryset gives it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Field, Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import iban as std_iban
from stdnum.be import nn as std_nn

from .audit import audit_log
from .encryption import compact, lookup_hash
from .types import StrOrPromise
from .validators import format_iban, mask_identifier


def _searchable_hash(term: str) -> str:
    term = term.strip()
    if std_nn.is_valid(term) or std_iban.is_valid(term):
        return lookup_hash(term)
    return ""


class MaskedInput(forms.TextInput):
    """An input that never sends the stored value to the browser: its mask is the placeholder,
    and leaving it empty keeps the value (IdentifierAdminMixin.get_form)."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {
            **(attrs or {}),
            "placeholder": mask_identifier(value or ""),
            "autocomplete": "off",
        }
        return super().get_context(name, "", attrs)


if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class IdentifierAdminMixin(_AdminBase):
    """For a ModelAdmin with encrypted identifiers.

    `identifier_fields`: the model's encrypted fields, shown masked (`masked_<field>` read-only
    displays with a "show" link, and masked inputs in editable forms) and revealed one at a
    time by `<pk>/reveal/<field>/`. `identifier_search_fields`: field paths ("iban",
    "worker__national_number") that the search box matches by hash when the term is a valid
    national number or IBAN.
    """

    identifier_fields: tuple[str, ...] = ()
    identifier_search_fields: tuple[str, ...] = ()

    # --- search ----------------------------------------------------------------------------

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, duplicates = super().get_search_results(request, queryset, search_term)
        digest = _searchable_hash(search_term) if self.identifier_search_fields else ""
        if digest:
            matches = Q()
            for field_path in self.identifier_search_fields:
                matches |= Q(**{f"{field_path}_hash": digest})
            results = results | queryset.filter(matches)
        return results, duplicates

    # --- editable forms --------------------------------------------------------------------

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name in self.identifier_fields:
            kwargs["widget"] = MaskedInput
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in self.identifier_fields:
            formfield.help_text = _("Shown masked: type a new value to replace it, or leave empty.")
            # Unchanged unless a value is typed (the input never holds the stored one).
            formfield.has_changed = lambda initial, data: (  # type: ignore[method-assign]
                bool(data) and compact(data or "") != compact(initial or "")
            )
        return formfield

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form = super().get_form(request, obj, change, **kwargs)
        names = [name for name in self.identifier_fields if name in form.base_fields]
        if obj is None or not names:
            return form

        # A subclass of the form the admin built for this model (mypy can't see a base in a
        # variable).
        class KeepStoredIdentifiers(form):  # type: ignore[misc,valid-type]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                for name in names:
                    if not data.get(name) and name not in self.errors:
                        data[name] = getattr(self.instance, name)
                return data

        for name in names:
            KeepStoredIdentifiers.base_fields[name].required = False
        return KeepStoredIdentifiers

    # --- reveal ----------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/reveal/<str:field>/",
                self.admin_site.admin_view(self.reveal_identifier_view),
                name=f"{opts.app_label}_{opts.model_name}_reveal",
            ),
            *super().get_urls(),
        ]

    def reveal_identifier_view(
        self, request: HttpRequest, object_id: str, field: str
    ) -> TemplateResponse:
        """GET: a confirmation; POST: the full value, once, and an audit event saying who saw
        whose number. 404 outside the user's scope, 403 without the view permission."""
        if field not in self.identifier_fields:
            raise Http404
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        label = self.model._meta.get_field(field).verbose_name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": obj,
            "label": label,
            "title": _("Show the full %(label)s") % {"label": label},
            "masked": mask_identifier(getattr(obj, field)),
            "change_url": reverse(
                f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
            ),
        }
        if request.method == "POST":
            value = getattr(obj, field)
            audit_log(
                actor=request.user,
                action="identifier.revealed",
                obj=obj,
                changes={"field": field},
            )
            context["value"] = format_iban(value) if not compact(value).isdigit() else value
        response = TemplateResponse(request, "admin/reveal_identifier.html", context)
        response["Cache-Control"] = "no-store"
        return response


def masked(field: str, description: StrOrPromise) -> Callable[[Any, Model | None], str]:
    """A read-only display of `field`, masked, with a link to reveal it (IdentifierAdminMixin)."""

    @admin.display(description=description)
    def display(self: Any, obj: Model | None) -> str:
        value = getattr(obj, field) if obj is not None else ""
        if not value or obj is None:
            return "—"
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_reveal", args=[obj.pk, field])
        return format_html(
            '<span class="masked">{}</span> <a href="{}">{}</a>',
            mask_identifier(value),
            url,
            gettext_lazy("show"),
        )

    return display
