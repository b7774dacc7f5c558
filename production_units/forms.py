from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, PlainSelect

from .models import LedgerEntry


class LedgerFilterForm(forms.Form):
    """The ledger filters of the unit page and its CSV export (GET parameters)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *LedgerEntry.Kind.choices],
        widget=PlainSelect,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned

    def filter(self, entries):
        """Apply the valid filters to a queryset of ledger entries."""
        data = self.cleaned_data
        if data.get("kind"):
            entries = entries.filter(kind=data["kind"])
        if data.get("date_from"):
            entries = entries.filter(booked_on__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(booked_on__lte=data["date_to"])
        return entries

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)
