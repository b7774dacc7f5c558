"""Forms of the workers' pages: invite someone, accept an invitation. The rules are the
services'; the forms give labels, widgets and early messages on the identifiers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from core.validators import validate_country, validate_iban, validate_national_number
from members.models import LANGUAGE_CHOICES
from payroll.models import Worker, WorkerInvitation

from .invitation_services import WorkerIdentity


def _label(model, name):
    return model._meta.get_field(name).verbose_name.capitalize()


class InviteForm(forms.Form):
    first_name = forms.CharField(label=_label(WorkerInvitation, "first_name"), max_length=100)
    last_name = forms.CharField(label=_label(WorkerInvitation, "last_name"), max_length=100)
    email = forms.EmailField(label=_label(WorkerInvitation, "email"))
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=LANGUAGE_CHOICES,
        help_text=_("The email is written in this language."),
    )


class AcceptForm(forms.Form):
    """The invitee's identity, and a password when the invited address has no account yet."""

    first_name = forms.CharField(label=_label(Worker, "first_name"), max_length=100)
    last_name = forms.CharField(label=_label(Worker, "last_name"), max_length=100)
    national_number = forms.CharField(
        label=_label(Worker, "national_number"),
        max_length=20,
        validators=[validate_national_number],
        help_text=_("11 digits, on the back of your identity card (e.g. 88.04.12-024.66)."),
    )
    birth_date = forms.DateField(label=_label(Worker, "birth_date"), widget=DateInput())
    iban = forms.CharField(
        label=_label(Worker, "iban"),
        max_length=42,
        validators=[validate_iban],
        help_text=_("The account your salary is paid to."),
    )
    street = forms.CharField(label=_label(Worker, "street"), max_length=200)
    postal_code = forms.CharField(label=_label(Worker, "postal_code"), max_length=10)
    city = forms.CharField(label=_label(Worker, "city"), max_length=100)
    country = forms.CharField(
        label=_label(Worker, "country"),
        max_length=2,
        initial="BE",
        help_text=_("Two-letter code, e.g. BE."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("For your new account: at least 8 characters, not only digits."),
    )
    password_confirm = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, needs_password: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_password:
            del self.fields["password"]
            del self.fields["password_confirm"]

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        validate_country(country)
        return country

    def clean(self):
        cleaned = super().clean()
        if "password" in self.fields:
            password, again = cleaned.get("password"), cleaned.get("password_confirm")
            if password and again and password != again:
                self.add_error("password_confirm", _("The two passwords differ."))
        return cleaned

    def identity(self) -> WorkerIdentity:
        data = self.cleaned_data
        return WorkerIdentity(
            first_name=data["first_name"],
            last_name=data["last_name"],
            national_number=data["national_number"],
            birth_date=data["birth_date"],
            iban=data["iban"],
            street=data["street"],
            postal_code=data["postal_code"],
            city=data["city"],
            country=data["country"],
        )
