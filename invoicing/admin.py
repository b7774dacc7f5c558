"""Back-office for clients: advisors verify them; writes go through invoicing.services.

The rest of invoicing's back-office lives in the admin_* modules imported at the end:
documents (invoices, quotes, transmissions), payments and bank statements, purchases, and
the parameters.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import OfficeScopedAdminMixin
from core.admin_kit import AuditTrailMixin, ServiceFormMixin, advisor_queue_item
from production_units.models import ProductionUnit

from .models import Client
from .services import CLIENT_FIELDS, client_create, client_delete, client_update, client_verify


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("verified")), ("no", _("to verify"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.to_verify()
        return queryset


@admin.register(Client)
class ClientAdmin(OfficeScopedAdminMixin, AuditTrailMixin, ServiceFormMixin, admin.ModelAdmin):
    office_path = "units__holder__office"  # a client of several units: each unit's office
    list_display = ("name", "kind", "country", "enterprise_number", "verified", "created_at")
    list_filter = (VerifiedFilter, "kind")
    list_select_related = ("verified_by",)
    search_fields = ("name", "=enterprise_number", "=vat_number", "email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("units",)
    readonly_fields = ("verified_at", "verified_by", "created_at")
    fields = (*CLIENT_FIELDS, "units", "verified_at", "verified_by", "created_at")
    actions = ("verify_selected",)
    show_full_result_count = False

    @admin.display(description=_("verified"), boolean=True, ordering="verified_at")
    def verified(self, client):
        return client.is_verified

    def get_actions(self, request):
        # Deleting goes through client_delete, one client at a time (verified ones are kept).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_verified:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            fields = {name: data[name] for name in CLIENT_FIELDS}
            client = client_create(by=request.user, units=data["units"], **fields)
            obj.pk = client.pk
            obj._state.adding = False
            obj._state.db = client._state.db
            return
        fields = {name: data[name] for name in form.changed_data if name in CLIENT_FIELDS}
        units = None
        if "units" in form.changed_data:
            # The advisor chooses among the units they follow; the client's other units stay.
            others = obj.units.exclude(
                pk__in=ProductionUnit.objects.followed_by(request.user).values("pk")
            )
            units = [*data["units"], *others]
        if fields or units is not None:
            client_update(client=obj, by=request.user, units=units, **fields)

    def save_related(self, request, form, formsets, change):
        # client_create/client_update set the units: no second, unaudited write of them.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        client_delete(client=obj, by=request.user)

    @admin.action(description=_("Verify selected clients"), permissions=["change"])
    def verify_selected(self, request, queryset):
        verified = 0
        for client in queryset.to_verify():
            client_verify(client=client, by=request.user)
            verified += 1
        message = ngettext(
            "%(count)d client verified.", "%(count)d clients verified.", verified
        ) % {"count": verified}
        self.message_user(request, message, messages.SUCCESS)


clients_to_verify = advisor_queue_item(
    _("Clients to verify"),
    Client,
    rows=lambda user: Client.objects.followed_by(user).to_verify(),
    query="verified=no",
    scoped=False,  # followed_by is the office rule already
)


# Registered on import, after the clients (the queue shows its items in this order).
from . import (  # noqa: E402, F401
    admin_funding,
    admin_invoices,
    admin_payments,
    admin_purchases,
    admin_quotes,
    admin_settings,
    admin_transmissions,
)
