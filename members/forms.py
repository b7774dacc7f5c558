"""Portal forms of membership: the application, subscribing more shares.

The rules (valid national number and IBAN, duplicates, minimum shares, documents to accept)
are the services'; the forms only shape the input and show what is in force.
"""

from typing import TYPE_CHECKING

from django import forms
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import LANGUAGE_CHOICES, Member, MembershipApplication, MembershipDocument, Office
from .services import APPLICATION_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CATEGORY_HELP = {
    Member.Category.A: _(
        "You develop your own activity in the cooperative: you invoice your clients through "
        "it and are paid through its production units."
    ),
    Member.Category.B: _("You work for the cooperative as a member of its support staff."),
    Member.Category.C: _(
        "You support the cooperative as a client, partner, union, investor or sympathiser."
    ),
}

SERVICE_FIELDS = ["email", *APPLICATION_FIELDS, "shares", "accepted_documents"]


def _label(name: str) -> "StrOrPromise":
    field = MembershipApplication._meta.get_field(name)
    assert isinstance(field, models.Field)  # a concrete field of the application
    return capfirst(field.verbose_name)


def document_link(document: MembershipDocument) -> str:
    """Where a document version can be read ('' when nowhere yet)."""
    if document.file:
        return document.file.url
    return document.url


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, document):
        title = document.title or str(document)
        link = document_link(document)
        kind = document.get_kind_display()
        if not link:
            return format_html("{} — {} ({})", capfirst(kind), title, document.version)
        return format_html(
            '{} — <a href="{}" target="_blank" rel="noopener">{}</a> ({})',
            capfirst(kind),
            link,
            title,
            document.version,
        )


class MembershipApplicationForm(forms.Form):
    first_name = forms.CharField(label=_label("first_name"), max_length=100)
    last_name = forms.CharField(label=_label("last_name"), max_length=100)
    national_number = forms.CharField(
        label=_label("national_number"),
        max_length=20,
        help_text=_("On the back of your Belgian identity card, e.g. 90.05.17-042.83."),
    )
    birth_date = forms.DateField(
        label=_label("birth_date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    gender = forms.ChoiceField(label=_label("gender"), choices=Member.Gender.choices)
    street = forms.CharField(label=_label("street"), max_length=200)
    postal_code = forms.CharField(label=_label("postal_code"), max_length=10)
    city = forms.CharField(label=_label("city"), max_length=100)
    country = forms.CharField(label=_label("country"), max_length=2, initial="BE")
    email = forms.EmailField(label=_label("email"))
    iban = forms.CharField(
        label=_label("iban"),
        max_length=42,
        help_text=_("Your own account: refunds of shares are paid to it."),
    )
    preferred_language = forms.ChoiceField(
        label=_label("preferred_language"), choices=LANGUAGE_CHOICES
    )
    category = forms.ChoiceField(
        label=_label("category"), choices=Member.Category.choices, widget=forms.RadioSelect
    )
    planned_activity = forms.CharField(
        label=_label("planned_activity"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Category A: the activity you plan to develop."),
    )
    office = forms.ModelChoiceField(
        label=_label("office"),
        queryset=Office.objects.order_by("name"),
        required=False,
        help_text=_("Category A: the office that will follow your activity."),
    )
    shares = forms.IntegerField(label=_label("shares"), min_value=1, max_value=10_000)
    # Which documents must be accepted depends on the category: the service says which.
    accepted_documents = DocumentChoiceField(
        label=_("I have read and accept"),
        queryset=MembershipDocument.objects.none(),
        required=False,
    )

    def __init__(self, *args, documents=(), policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepted_documents"].queryset = MembershipDocument.objects.filter(
            pk__in=[document.pk for document in documents]
        ).order_by("kind")
        self.fields["accepted_documents"].help_text = _(
            "The shared-enterprise user contract is for category A only."
        )
        self.fields["category"].help_text = format_html(
            '<ul class="category-help">{}</ul>',
            format_html_join("", "<li><strong>{}</strong> {}</li>", CATEGORY_HELP.items()),
        )
        if policy is not None:
            self.fields["shares"].initial = policy.minimum_shares
            self.fields["shares"].widget.attrs["min"] = policy.minimum_shares

    def service_fields(self) -> dict:
        """The cleaned data as application_submit takes it."""
        data = {name: self.cleaned_data[name] for name in SERVICE_FIELDS}
        data["accepted_documents"] = list(data["accepted_documents"])
        data["country"] = data["country"].upper()
        return data


class SharesSubscribeForm(forms.Form):
    shares = forms.IntegerField(
        label=_("Number of shares"), min_value=1, max_value=10_000, initial=1
    )


class CertificateRequestForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today."),
    )


class TransferRequestForm(forms.Form):
    to_member = forms.IntegerField(
        label=_("Member number of the recipient"),
        min_value=1,
        help_text=_("Ask the recipient for their member number."),
    )
    shares = forms.IntegerField(
        label=_("Number of shares"), min_value=1, max_value=10_000, initial=1
    )
    note = forms.CharField(
        label=_("Note for the board"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
