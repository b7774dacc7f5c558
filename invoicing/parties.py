"""The parties of a document a member writes: one of their units, and one of that unit's
clients. The portal's form and the API's fields, shared by invoicing's documents and by
payroll's 3en1 jobs (a job is invoiced to a client of the unit)."""

from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import MAX_ID
from production_units.models import ProductionUnit

from .models import Client


class ClientSelect(forms.Select):
    """Each client option names the member's units it belongs to (data-units), so the page
    can offer only the chosen unit's clients."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        client = getattr(value, "instance", None)
        if client is not None:
            option["attrs"]["data-units"] = " ".join(str(unit.pk) for unit in client.mine)
        return option


class PartiesForm(forms.Form):
    """The unit that invoices and its client: only the member's own, and the client must be
    one of that unit's clients."""

    unit = forms.ModelChoiceField(
        label=_("Production unit"),
        queryset=ProductionUnit.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your active units.")},
    )
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        error_messages={"invalid_choice": _("Choose one of your clients.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = ProductionUnit.objects.held_by(user).active().order_by("code")
        clients = (
            Client.objects.of_member_user(user)
            .prefetch_related(
                Prefetch("units", queryset=ProductionUnit.objects.held_by(user), to_attr="mine")
            )
            .order_by("name", "id")
        )
        self.fields["unit"].queryset = units
        self.fields["client"].queryset = clients
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.code} · {unit.name}"
        self.fields["client"].label_from_instance = _client_label
        self.fields["client"].widget = ClientSelect(attrs={"data-client": ""})
        self.fields["client"].widget.choices = self.fields["client"].choices
        self.fields["unit"].widget.attrs["data-unit"] = ""
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk

    def clean(self):
        data = super().clean()
        unit, client = data.get("unit"), data.get("client")
        if unit and client and not client.units.filter(pk=unit.pk).exists():
            self.add_error(
                "client",
                _("%(client)s is not a client of unit %(unit)s.")
                % {"client": client.name, "unit": unit.code},
            )
        return data


def _client_label(client) -> str:
    if client.is_verified:
        return client.name
    return f"{client.name} ({_('to be verified')})"


# --- the API's fields ----------------------------------------------------------------------


class OwnUnitField(serializers.PrimaryKeyRelatedField):
    """The id of one of the requesting member's units; any other id is refused the same way,
    so that nobody learns which ids exist."""

    default_error_messages = {
        "does_not_exist": _("Unit {pk_value} is not one of your units."),
        "incorrect_type": _("A unit is given by its id (a number), not {data_type}."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", ProductionUnit.objects.none())
        kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(**kwargs)

    def get_queryset(self):
        return ProductionUnit.objects.held_by(self.context["request"].user)


class OwnClientField(serializers.PrimaryKeyRelatedField):
    """The id of a client of one of the requesting member's units; any other id is refused
    the same way, so that nobody learns which ids exist."""

    default_error_messages = {
        "does_not_exist": _("Client {pk_value} is not one of your clients."),
        "incorrect_type": _("A client is given by its id (a number), not {data_type}."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Client.objects.none())
        kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(**kwargs)

    def get_queryset(self):
        return Client.objects.of_member_user(self.context["request"].user)
