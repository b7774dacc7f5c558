from typing import TYPE_CHECKING, cast

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import field_label
from production_units.models import ProductionUnit

from .models import Client
from .services import CLIENT_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _label(name: str) -> "StrOrPromise":
    return field_label(Client, name)


def _help(name):
    return Client._meta.get_field(name).help_text


class ClientForm(forms.Form):
    """A member's client. Field rules are the model's (checked by the service); the form only
    limits the units to the member's own and the country to real ISO codes."""

    kind = forms.ChoiceField(label=_label("kind"), choices=Client.Kind.choices)
    name = forms.CharField(label=_label("name"), max_length=200)
    country = forms.CharField(
        label=_label("country"), max_length=2, initial="BE", help_text=_help("country")
    )
    enterprise_number = forms.CharField(
        label=_label("enterprise_number"),
        max_length=20,
        required=False,
        help_text=_("Required for a Belgian company, non-profit or public body."),
    )
    vat_number = forms.CharField(
        label=_label("vat_number"),
        max_length=24,
        required=False,
        help_text=_("For a client in another EU country, e.g. FR40303265045."),
    )
    street = forms.CharField(label=_label("street"), max_length=200)
    postal_code = forms.CharField(label=_label("postal_code"), max_length=16)
    city = forms.CharField(label=_label("city"), max_length=100)
    email = forms.EmailField(label=_label("email"), required=False)
    peppol_endpoint = forms.CharField(
        label=_label("peppol_endpoint"),
        max_length=60,
        required=False,
        help_text=_("Filled in for you from the enterprise number of a Belgian client."),
    )
    language = forms.ChoiceField(
        label=_label("language"),
        required=False,
        choices=[("", _("Guess from the address")), *settings.DOCUMENT_LANGUAGES],
        help_text=_("The language of the documents, e-mails and reminders sent to this client."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Invoiced from my units"),
        queryset=ProductionUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("%(value)s is not one of your active units."),
        },
    )

    def __init__(self, *args, user, client: Client | None = None, **kwargs):
        mine = ProductionUnit.objects.held_by(user)
        if client is None:
            units = mine.active()
        else:
            # Keep a closed unit the client is already attached to, so an edit doesn't drop it.
            units = mine.filter(Q(status=ProductionUnit.Status.ACTIVE) | Q(clients=client))
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(client, name) for name in CLIENT_FIELDS},
                    "units": list(mine.filter(clients=client)),
                },
            )
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["units"])
        field.queryset = units.distinct().order_by("code")
        if client is None and len(field.queryset) == 1:
            field.initial = list(field.queryset)

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()

    def service_fields(self) -> dict:
        """The cleaned values as keyword arguments for client_create / client_update."""
        return {name: self.cleaned_data[name] for name in CLIENT_FIELDS}


class ClientFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("to_verify", _("To be verified")),
            ("verified", _("Verified")),
        ],
    )

    def filter(self, clients):
        data = self.cleaned_data
        if data.get("q"):
            clients = clients.filter(name__icontains=data["q"].strip())
        if data.get("status") == "to_verify":
            clients = clients.to_verify()
        elif data.get("status") == "verified":
            clients = clients.filter(verified_at__isnull=False)
        return clients
